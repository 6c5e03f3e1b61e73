"""Where a regex can start a match, so a long text is scanned only there (same matches, faster).

Python's `re` tries a pattern such as `\\b(?:ignore|disregard|...)\\s+...` at every position of
the text; the injection scan runs about twenty of them over every document, and the offline
reading about fifty over every sentence. A pattern's parse tree says what its matches must
begin with: a literal key (up to `KEY_LENGTH` characters) after a word boundary, which can only
stand at the start of a word, or a key that may stand anywhere (found with `str.find`; beyond
ASCII, by its first character). Looking those up in the text's words (once per text, for every
pattern) finds a superset of the positions where a match can start; the pattern itself then
decides at each of them. For a short text, the same keys tell which patterns cannot match it at
all (`may_match`, `StartsIndex`).

The analysis over-approximates and never guesses: zero-width parts (lookarounds, anchors) are
passed over, a part it cannot spell out ends the key where it stands, and a pattern it cannot
bound at all (one that may match the empty string, or whose first character can be anything) is
scanned at every position as before. `finditer` yields exactly the matches of
`regex.finditer(text)`: each candidate is tried in order with `regex.match(text, position)`,
which sees the text before the position as a search does (lookbehinds, `\\b`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from re import _constants as sre  # the parse tree's opcodes; stable since Python 3.11
from re import _parser as sre_parse

KEY_LENGTH = 4  # characters of a key: enough to tell most words apart
_MAX_CLASS = 8  # a character class spelled out only when this small
_MAX_KEYS = 2_000  # more ways to start than this: the pattern is scanned everywhere
_ODD = re.compile(r"[^\x00-\x7f]")
_WORD = re.compile(r"\w+")  # the same notion of a word as `\b` and `\w` in the patterns
_FLAGS = re.IGNORECASE | re.UNICODE  # flags the analysis knows; any other: scan everywhere


class _Unbounded(Exception):
    """The pattern may start a match anywhere: no filter."""


@dataclass(frozen=True)
class Starts:
    """What a pattern's matches begin with: a key at the start of a word, or a key anywhere."""

    keys: frozenset[str]  # lower-case ASCII word characters, each at the start of a word
    inside: frozenset[str] = frozenset()  # lower-case ASCII keys that may stand anywhere
    # The first characters of keys beyond ASCII, as a class: the regex engine case-folds them.
    first: re.Pattern[str] | None = None


@dataclass
class TextWords:
    """A text's words by their lower-case beginnings, computed once for every pattern."""

    text: str
    by_key: dict[str, list[int]] = field(default_factory=dict)
    unusual: list[int] = field(default_factory=list)  # starts of words not in plain ASCII
    plain: str = ""  # lower-cased, every character beyond ASCII replaced by "?" (same offsets)
    odd: list[int] = field(default_factory=list)  # where those characters stand

    def __post_init__(self) -> None:
        positions: dict[str, list[int]] = {}
        self.plain = _plain(self.text)
        if self.text.isascii():  # lower-casing keeps every character where it was
            for match in _WORD.finditer(self.plain):
                positions.setdefault(match.group(), []).append(match.start())
        else:
            self.odd = [m.start() for m in _ODD.finditer(self.text)]
            for match in _WORD.finditer(self.text):
                word = match.group()
                if word.isascii():
                    positions.setdefault(word.lower(), []).append(match.start())
                else:  # case folding beyond ASCII is the regex's business: a candidate for all
                    self.unusual.append(match.start())
        for word, starts in positions.items():
            for length in range(1, min(len(word), KEY_LENGTH) + 1):
                self.by_key.setdefault(word[:length], []).extend(starts)

    def candidates(self, starts: Starts) -> list[int]:
        """Every position where a match described by `starts` can begin, in order."""
        found: set[int] = set()
        if starts.keys:
            found.update(self.unusual)
            for key in starts.keys:
                found.update(self.by_key.get(key, ()))
        for key in starts.inside:
            at = self.plain.find(key)
            while at >= 0:
                found.add(at)
                at = self.plain.find(key, at + 1)
        if starts.inside and self.odd:  # a key may match across a character beyond ASCII
            longest = max(map(len, starts.inside))
            found.update(at - back for at in self.odd for back in range(longest) if at >= back)
        if starts.first is not None:
            found.update(m.start() for m in starts.first.finditer(self.text))
        return sorted(found)


class WordPrefixes:
    """The lower-case beginnings (1 to `KEY_LENGTH` characters) of a short text's words: enough
    to tell, without running it, that a pattern cannot match the text (`may_match`)."""

    __slots__ = ("lowered", "prefixes", "unusual")

    def __init__(self, text: str) -> None:
        self.lowered: str | None = None  # the text lower-cased, when it is plain ASCII
        if text.isascii():  # lower-casing keeps every character where it was
            self.lowered = text.lower()
            words = _WORD.findall(self.lowered)
            self.unusual = False
        else:
            words = [w.lower() for w in _WORD.findall(text) if w.isascii()]
            self.unusual = True  # a word beyond ASCII: case folding is the regex's business
        self.prefixes = {w[:n] for w in words for n in range(1, KEY_LENGTH + 1)}


def may_match(starts: Starts | None, text: str, words: WordPrefixes) -> bool:
    """False only when a pattern with these `starts` cannot match anywhere in `text`."""
    if starts is None:
        return True
    if starts.keys and (words.unusual or not starts.keys.isdisjoint(words.prefixes)):
        return True
    if starts.inside and words.lowered is None:
        return True
    if starts.inside and any(key in words.lowered for key in starts.inside):
        return True
    return starts.first is not None and starts.first.search(text) is not None


class StartsIndex:
    """Several patterns filed by how their matches begin: which of them may match a short text
    is found from the text's words at once, instead of asking each pattern (`may_match`)."""

    def __init__(self, patterns: tuple[re.Pattern[str], ...]) -> None:
        self.patterns = patterns
        self._by_key: dict[str, set[int]] = {}
        self._keyed: set[int] = set()  # patterns with word-start keys
        self._others: list[tuple[int, Starts]] = []  # patterns with keys that stand anywhere
        self._always: set[int] = set()  # patterns that may start anywhere
        for number, pattern in enumerate(patterns):
            starts = pattern_starts(pattern)
            if starts is None:
                self._always.add(number)
                continue
            for key in starts.keys:
                self._by_key.setdefault(key, set()).add(number)
                self._keyed.add(number)
            if starts.inside or starts.first is not None:
                self._others.append((number, Starts(frozenset(), starts.inside, starts.first)))

    def candidates(self, text: str, words: WordPrefixes) -> list[int]:
        """The numbers of the patterns that may match the text, in order; the others cannot."""
        found = set(self._always)
        if words.unusual:
            found |= self._keyed
        for key in words.prefixes & self._by_key.keys():
            found |= self._by_key[key]
        found.update(n for n, starts in self._others if may_match(starts, text, words))
        return sorted(found)


def pattern_starts(regex: re.Pattern[str]) -> Starts | None:
    """How `regex`'s matches begin, or None when they may begin anywhere (scan every position)."""
    if regex.flags & ~_FLAGS:
        return None
    parsed = sre_parse.parse(regex.pattern, regex.flags)
    if parsed.getwidth()[0] == 0:  # an empty match would make finditer step differently
        return None
    found: set[tuple[bool, str]] = set()
    try:
        _walk(list(parsed), "", False, found)
    except _Unbounded:
        return None
    keys: set[str] = set()
    inside: set[str] = set()
    others: set[str] = set()
    for boundary, key in found:
        plain = _ascii_part(key)  # beyond ASCII, case folding is the regex engine's business
        word = _word_part(plain)
        if boundary and word:
            keys.add(word.lower())
        elif plain:
            inside.add(plain.lower())
        elif key:
            others.add(key[0])
        else:
            return None
    first = None
    if others:
        chars = "".join(re.escape(c) for c in sorted(others))
        first = re.compile(f"[{chars}]", regex.flags & re.IGNORECASE)
    return Starts(frozenset(keys), frozenset(inside), first)


def finditer(
    regex: re.Pattern[str], starts: Starts | None, words: TextWords
) -> Iterator[re.Match[str]]:
    """The matches of `regex.finditer(words.text)`, trying only where a match can start."""
    if starts is None:
        yield from regex.finditer(words.text)
        return
    resume = 0
    for position in words.candidates(starts):
        if position < resume:
            continue
        match = regex.match(words.text, position)
        if match is not None:
            yield match
            resume = match.end()


def _plain(text: str) -> str:
    """The text lower-cased with every character beyond ASCII as "?": one for one, so every
    offset holds, and a key in plain ASCII is found in it wherever it stands among ASCII."""
    return text.encode("ascii", "replace").decode("ascii").lower()


def _ascii_part(key: str) -> str:
    """The key's leading plain ASCII characters."""
    end = 0
    while end < len(key) and key[end].isascii():
        end += 1
    return key[:end]


def _word_part(key: str) -> str:
    """The key's leading word characters (a word in the text starts with them)."""
    end = 0
    while end < len(key) and _WORD.match(key[end]):
        end += 1
    return key[:end]


def _walk(items: list, key: str, boundary: bool, found: set[tuple[bool, str]]) -> None:
    """Add every (word boundary before the first character, literal key) a match can begin
    with, reading the parse items in order; a part that cannot be spelled out ends the key."""
    if len(found) > _MAX_KEYS:
        raise _Unbounded
    if len(key) >= KEY_LENGTH or not items:
        found.add((boundary, key))
        return
    (op, value), rest = items[0], items[1:]
    if op is sre.AT:
        at_start = not key and value is sre.AT_BOUNDARY
        _walk(rest, key, boundary or at_start, found)
    elif op in (sre.ASSERT, sre.ASSERT_NOT):  # zero width: only ever rules matches out
        _walk(rest, key, boundary, found)
    elif op is sre.LITERAL:
        _walk(rest, key + chr(value), boundary, found)
    elif op is sre.IN and (chars := _class_chars(value)) is not None:
        for char in chars:
            _walk(rest, key + char, boundary, found)
    elif op is sre.SUBPATTERN and not value[1] and not value[2]:  # no inline flag changes
        _walk(list(value[3]) + rest, key, boundary, found)
    elif op is sre.ATOMIC_GROUP:
        _walk(list(value) + rest, key, boundary, found)
    elif op is sre.BRANCH:
        for branch in value[1]:
            _walk(list(branch) + rest, key, boundary, found)
    elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        _repeat(value, rest, key, boundary, found)
    else:  # any character, a negated one, a group reference, ...: the key ends here
        found.add((boundary, key))


def _repeat(value: tuple, rest: list, key: str, boundary: bool, found: set) -> None:
    low, high, body = value
    if low == 0:
        _walk(rest, key, boundary, found)
    if high == 0:
        return
    if body.getwidth()[0] == 0:  # a body that may match nothing could loop: stop here
        found.add((boundary, key))
        return
    more = high if high == sre.MAXREPEAT else high - 1
    again = [(sre.MAX_REPEAT, (max(low - 1, 0), more, body))] if more else []
    _walk(list(body) + again + rest, key, boundary, found)


def _class_chars(items: list) -> list[str] | None:
    """The characters of a small class of literals and ranges; None for categories, negations
    or large ranges."""
    chars: list[str] = []
    for op, value in items:
        if op is sre.LITERAL:
            chars.append(chr(value))
        elif op is sre.RANGE and value[1] - value[0] < _MAX_CLASS:
            chars.extend(chr(c) for c in range(value[0], value[1] + 1))
        else:
            return None
    return chars if len(chars) <= _MAX_CLASS else None
