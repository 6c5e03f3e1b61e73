"""Text folded to what a reader takes in, so disguised phrases are matched like plain ones.

Folding, in order: characters that do not show (format characters such as U+200B, U+2063,
U+180E and the tag characters, Hangul fillers, the braille blank) and Markdown emphasis
markers are dropped; every other character gets its compatibility form (NFKC's mapping:
fullwidth and mathematical letters become plain ones) without accents, and letters of other
scripts that look like an ASCII letter or digit (UTS #39 confusables, from the
`confusable_homoglyphs` data) become that ASCII character; letters spelled out one by one
(`i g n o r e`, `i.g.n.o.r.e`) are joined; runs of whitespace become one space.

Each character of the folded text keeps the offset of the source character it came from, so a
match is reported at the source's own lines and quoted verbatim.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib.resources import files

# Letters that render as nothing (fillers), beside the format characters (category Cf).
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_PLAIN = re.compile(r"[^\x00-\x7f*~]+|[*~]+")
# Two or more single letters each followed by one separator: a word spelled out.
_SPELLED = re.compile(r"(?<![^\W_])[^\W_](?:[ .\u00b7_\-][^\W_](?![^\W_])){1,}")
_SEPARATOR = re.compile(r"[ .\u00b7_\-]")
# Runs of whitespace that folding changes: at the start, of two or more, or not a plain space
# (a single space between words is already what it folds to).
_SPACES = re.compile(r"^\s+|\s{2,}|[^\S ]")


def _is_cjk(char: str) -> bool:
    point = ord(char)
    return 0x2E80 <= point <= 0x9FFF or 0xF900 <= point <= 0xFAFF or point >= 0x20000


@cache
def _confusables() -> dict[str, str]:
    """Non-ASCII characters that look like one ASCII letter or digit, mapped to it."""
    data = json.loads(
        files("confusable_homoglyphs").joinpath("confusables.json").read_text(encoding="utf-8")
    )
    found: dict[str, str] = {}
    for char, glyphs in data.items():
        if len(char) != 1 or char.isascii() or _is_cjk(char):
            continue
        ascii_like = [g["c"] for g in glyphs if len(g["c"]) == 1 and g["c"].isascii()]
        letters = [c for c in ascii_like if c.isalpha()] or [c for c in ascii_like if c.isdigit()]
        if letters:
            found[char] = letters[0]
    return found


@cache
def fold_char(char: str) -> str:
    """One character as it reads: '' when it does not show, else its plain ASCII look-alike
    or its compatibility form without accents."""
    if char in "*~" or char in _INVISIBLE_LETTERS or unicodedata.category(char) == "Cf":
        return ""
    if char.isspace():
        return " "
    out = []
    for part in unicodedata.normalize("NFKD", char):
        if unicodedata.category(part) in ("Mn", "Me") or unicodedata.category(part) == "Cf":
            continue
        out.append(_confusables().get(part, part))
    return "".join(out)


def _map_chars(text: str) -> tuple[str, list[int]]:
    """Every character folded on its own; ASCII text is copied as it is."""
    parts: list[str] = []
    origin: list[int] = []
    done = 0
    for match in _PLAIN.finditer(text):
        parts.append(text[done : match.start()])
        origin.extend(range(done, match.start()))
        for offset in range(match.start(), match.end()):
            folded = fold_char(text[offset])
            parts.append(folded)
            origin.extend([offset] * len(folded))
        done = match.end()
    parts.append(text[done:])
    origin.extend(range(done, len(text)))
    return "".join(parts), origin


def _drop(text: str, origin: list[int], pattern: re.Pattern[str]) -> tuple[str, list[int]]:
    """Text without the characters matched by `pattern` inside spelled-out words."""
    dropped = [
        sep.start()
        for match in _SPELLED.finditer(text)
        for sep in pattern.finditer(text, match.start(), match.end())
    ]
    if not dropped:
        return text, origin
    parts: list[str] = []
    kept: list[int] = []
    done = 0
    for at in dropped:
        parts.append(text[done:at])
        kept.extend(origin[done:at])
        done = at + 1
    parts.append(text[done:])
    kept.extend(origin[done:])
    return "".join(parts), kept


def _squeeze(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Runs of whitespace as one space (none at the start)."""
    parts: list[str] = []
    kept: list[int] = []
    done = 0
    for match in _SPACES.finditer(text):
        parts.append(text[done : match.start()])
        kept.extend(origin[done : match.start()])
        if match.start():  # a run after the first character: text was kept before it
            parts.append(" ")
            kept.append(origin[match.start()])
        done = match.end()
    parts.append(text[done:])
    kept.extend(origin[done:])
    return "".join(parts), kept


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the offset of its source character."""
    folded, origin = _map_chars(text)
    folded, origin = _drop(folded, origin, _SEPARATOR)
    return _squeeze(folded, origin)


# A word that mixes letters with digits or symbols standing for letters: `M4rk`, `3very`, `g@te`.
# (Two letters at least, and a digit or symbol before a letter: `p95`, `24h`, `GPT4` are not.)
_LEET_WORD = re.compile(
    r"(?=[\w@$]*[A-Za-z][\w@$]*[A-Za-z])(?=[\w@$]*[01345789@$][A-Za-z])[\w@$]+"
)
_LEET_HINT = re.compile(r"[01345789@$][A-Za-z]")  # what every such word holds: cheap to find
_LEET = str.maketrans("0134578@$9", "oieastbasg")
_LEET_L = str.maketrans("1", "l")


def _invisible(char: str) -> bool:
    return char in _INVISIBLE_LETTERS or unicodedata.category(char) == "Cf"


def foldings(text: str) -> list[tuple[str, list[int]]]:
    """The text folded (`fold`), then, when it has them, two more readings a model may take:
    invisible characters as word breaks (`Mark<U+180E>every<U+180E>gate` is three words to a
    tokenizer), and words with digits for letters read as letters (`M4rk 3very g4te`)."""
    # Lower-cased first, one character for one (offsets hold): a capital's look-alike is not
    # always its small letter's (a Cyrillic capital Ze looks like "3", its small letter like
    # nothing).
    lowered = text.lower()
    if len(lowered) == len(text):
        text = lowered
    else:  # a letter whose small form is two characters (İ) stays as it is
        text = "".join(c if len(low := c.lower()) != 1 else low for c in text)
    readings = [fold(text)]
    if not text.isascii() and any(_invisible(c) for c in text):
        spaced = "".join(" " if _invisible(c) else c for c in text)  # same length: offsets hold
        readings.append(fold(spaced))
    folded, origin = readings[0]
    words = _leet_words(folded)
    if words:
        around = _blank_beyond(folded, words)

        def plain(table: dict[int, str]) -> str:
            return _LEET_WORD.sub(lambda m: m.group().translate(table), around)

        readings.append((plain(_LEET), origin))  # one character for one: offsets hold
        if "1" in around:
            readings.append((plain({**_LEET, **_LEET_L}), origin))
    return readings


def _leet_words(text: str) -> list[tuple[int, int]]:
    """The spans of words with digits or symbols for letters, found from the places where a
    digit or symbol stands before a letter (every such word has one)."""
    spans: list[tuple[int, int]] = []
    for hint in _LEET_HINT.finditer(text):
        start = hint.start()
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_@$"):
            start -= 1
        if spans and start < spans[-1][1]:
            continue
        word = _LEET_WORD.match(text, start)
        if word is not None and word.end() > hint.start():
            spans.append(word.span())
    return spans


def _blank_beyond(text: str, spans: list[tuple[int, int]], reach: int = 200) -> str:
    """The text with everything farther than `reach` from the spans blanked (same length): a
    second reading needs scanning only where it differs from the first."""
    parts: list[str] = []
    done = 0
    for start, end in spans:
        start, end = max(done, start - reach), min(len(text), end + reach)
        if start > done:
            parts.append(" " * (start - done))
        if end > max(done, start):
            parts.append(text[max(done, start) : end])
            done = end
    parts.append(" " * (len(text) - done))
    return "".join(parts)
