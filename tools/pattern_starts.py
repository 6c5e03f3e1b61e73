"""Where a regex can start a match, so a long text is scanned only there (same matches, faster).

Python's `re` tries a pattern such as `\\b(?:ignore|disregard|...)\\s+...` at every position of
the text; the injection scan runs about twenty of them over every document. A pattern's parse
tree says what its matches must begin with: a literal key (up to `KEY_LENGTH` characters) after
a word boundary, which can only stand at the start of a word, or a first character anywhere.
Looking those up in the text's words (once per text, for every pattern) finds a superset of the
positions where a match can start; the pattern itself then decides at each of them.

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
_WORD = re.compile(r"\w+")  # the same notion of a word as `\b` and `\w` in the patterns
_FLAGS = re.IGNORECASE | re.UNICODE  # flags the analysis knows; any other: scan everywhere


class _Unbounded(Exception):
    """The pattern may start a match anywhere: no filter."""


@dataclass(frozen=True)
class Starts:
    """What a pattern's matches begin with: a word-start key or a first character anywhere."""

    keys: frozenset[str]  # lower-case ASCII word characters, each at the start of a word
    first: re.Pattern[str] | None  # a character class: the first character of other matches


@dataclass
class TextWords:
    """A text's words by their lower-case beginnings, computed once for every pattern."""

    text: str
    by_key: dict[str, list[int]] = field(default_factory=dict)
    unusual: list[int] = field(default_factory=list)  # starts of words not in plain ASCII

    def __post_init__(self) -> None:
        positions: dict[str, list[int]] = {}
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
        if starts.first is not None:
            found.update(m.start() for m in starts.first.finditer(self.text))
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
    firsts: set[str] = set()
    for boundary, key in found:
        word = _word_part(key)
        if boundary and word and word.isascii():
            keys.add(word.lower())
        elif key:
            firsts.add(key[0])
        else:
            return None
    first = None
    if firsts:
        chars = "".join(re.escape(c) for c in sorted(firsts))
        first = re.compile(f"[{chars}]", regex.flags & re.IGNORECASE)
    return Starts(frozenset(keys), first)


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
