"""Orders to a document's reviewers in any language a hosted model reads, found by one rule.

An order to a reviewer is the same few concepts in every language: disregard + earlier +
instructions; mark + gates + passing, for all of them or addressed to a reviewer; a reviewer
addressed (the word followed by a colon or comma, as a note is headed) + a passing outcome; an
automated assessment + would conclude + passing; a readiness label + ":" + a passing value. The
words of each concept, in some thirty languages, are data (`concepts.toml`); the rule is code,
the same for every language. The concepts are found in one pass of one pattern over the folded
text; an order is reported when its concepts stand within `SPAN` characters of one sentence,
table cell or line.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from guard.folding import fold

CONCEPTS_PATH = Path(__file__).resolve().with_name("concepts.toml")
SPAN = 160  # characters of folded text within which an order's concepts must stand
# Every order holds one of these rarer concepts: the other words are looked for around them.
ANCHORS = ("ignore", "mark", "reviewer", "conclude", "readiness")
# Colons, commas and stops of other scripts: fullwidth (CJK), Arabic, Devanagari.
_ADDRESS_AFTER = re.compile("[^\n.!?\u3002]{0,12}?[:\uff1a,\uff0c\u060c]")
_LABEL_VALUE = re.compile(
    "\\s*[:\uff1a=\\-\u2013\u2014]\\s*[*_`\"'\u201c\u201d\u00ab\u00bb\\[(]*\\s*"
)
_STOPS = "\u3002\uff01\uff1f\u061f\u0964|"
_BREAK = re.compile(f"[.!?\\n{_STOPS}]+(?:\\s|$)|[{_STOPS}]")
# Scripts whose words run together, or whose letters carry marks `\b` does not see as letters.
_NO_WORD_BREAKS = re.compile(r"[\u0590-\u08ff\u0900-\u0dff\u0e00-\u0eff\u1100-\u11ff"
                             r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")


@dataclass(frozen=True)
class Order:
    """Concepts that together make an order to the reviewers."""

    name: str
    all_of: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class Word:
    """One lexicon entry, folded: a whole word, a word's beginning (`stem`), or, in scripts
    written without word breaks, a string that may stand anywhere (not `bounded`)."""

    text: str
    concept: str
    stem: bool
    bounded: bool


def _word(entry: str, concept: str) -> Word:
    text = fold(entry.rstrip("*"))[0].lower()
    bounded = not _NO_WORD_BREAKS.search(text) and text[:1].isalnum()
    return Word(text, concept, entry.endswith("*"), bounded)


def _letter(char: str) -> bool:
    return char.isalnum() or char == "_"


@dataclass(frozen=True)
class Lexicon:
    """The concept words, indexed by their first two characters, and the orders."""

    anywhere: Any  # an RE2 pattern: where any concept word may start
    anchors: Any  # an RE2 pattern of the words of the concepts in ANCHORS
    by_first: dict[str, tuple[Word, ...]]
    orders: tuple[Order, ...]

    def words_at(self, text: str, at: int) -> list[tuple[int, str]]:
        """Each concept's longest word starting at `at` in lower-case folded text, as (end,
        concept); a word of a bounded entry must start and (unless a stem) end at a word
        break."""
        inside = at > 0 and _letter(text[at - 1])
        found: dict[str, int] = {}
        for word in (*self.by_first.get(text[at : at + 2], ()), *self.by_first.get(text[at], ())):
            end = at + len(word.text)
            if (inside and word.bounded) or word.concept in found:
                continue
            if not text.startswith(word.text, at):
                continue
            if word.bounded and not word.stem and end < len(text) and _letter(text[end]):
                continue
            found[word.concept] = end  # longest first: the index is sorted by length
        return [(end, concept) for concept, end in found.items()]


@cache
def lexicon(path: Path = CONCEPTS_PATH) -> Lexicon:
    """The concepts and orders of `concepts.toml`, indexed."""
    import re2

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    words = [_word(entry, concept) for concept, languages in data["concepts"].items()
             for entries in languages.values() for entry in entries]  # fmt: skip
    by_first: dict[str, list[Word]] = {}
    for word in sorted(set(words), key=lambda w: -len(w.text)):
        by_first.setdefault(word.text[:2], []).append(word)  # one-character words by theirs
    orders = tuple(
        Order(o["name"], tuple(o.get("all_of", ())), tuple(o.get("one_of", ())), o.get("label", ""))
        for o in data["orders"]
    )

    def pattern(chosen: list[Word]) -> Any:
        texts = sorted({re2.escape(w.text) for w in chosen}, key=len, reverse=True)
        return re2.compile("|".join(texts))

    # RE2 finds where a concept word may stand in one linear pass; `words_at` decides there.
    anchors = pattern([w for w in words if w.concept in ANCHORS])
    return Lexicon(pattern(words), anchors, {k: tuple(v) for k, v in by_first.items()}, orders)


def order_names() -> frozenset[str]:
    """The names of the orders found by concept."""
    return frozenset(order.name for order in lexicon().orders)


def _around_anchors(folded: str, words: Lexicon) -> Iterator[int]:
    """Where a concept word may stand, looked for only within SPAN of an anchor word (each
    stretch searched as its own string: RE2's offsets beyond ASCII cost a pass over it)."""
    stretches: list[tuple[int, int]] = []
    for match in words.anchors.finditer(folded):
        start, end = max(0, match.start() - SPAN), min(len(folded), match.end() + SPAN)
        if stretches and start <= stretches[-1][1]:
            stretches[-1] = (stretches[-1][0], end)
        else:
            stretches.append((start, end))
    for start, end in stretches:
        yield from (start + m.start() for m in words.anywhere.finditer(folded[start:end]))


def _concepts(folded: str, words: Lexicon) -> list[tuple[int, int, str]]:
    """Every concept word in the folded text, as (start, end, concept): one pass finds where
    a word stands, each concept then says whether the word is one of its own (a word may be
    two: "alle" is all and every). A reviewer word that heads a note (followed by a colon or
    comma) also counts as `address`."""
    found: list[tuple[int, int, str]] = []
    for at in _around_anchors(folded, words):
        for end, concept in words.words_at(folded, at):
            found.append((at, end, concept))
            if concept == "reviewer" and _ADDRESS_AFTER.match(folded, end):
                found.append((at, end, "address"))
    return found


def _order_met(order: Order, present: set[str]) -> bool:
    return set(order.all_of) <= present and (not order.one_of or bool(present & set(order.one_of)))


def _labelled(
    folded: str, hits: list[tuple[int, int, str]], label: str
) -> Iterator[tuple[int, int]]:
    """A readiness label followed by ':' and a passing value: `Readiness status: READY`."""
    starts = {start: end for start, end, concept in hits if concept == "passing"}
    for start, end, concept in hits:
        if concept == label and (value := _LABEL_VALUE.match(folded, end)):
            if value.end() in starts:
                yield start, starts[value.end()]


def concept_orders(folded: str) -> Iterator[tuple[int, int, str]]:
    """Orders to the reviewers in folded text, as (start, end, order name), folded offsets."""
    words = lexicon()
    hits = _concepts(folded, words)
    if not hits:
        return
    breaks = [m.start() for m in _BREAK.finditer(folded)]
    for order in words.orders:
        if order.label:
            for start, end in _labelled(folded, hits, order.label):
                yield start, end, order.name
            continue
        yield from _windows(order, hits, breaks)


def _windows(
    order: Order, hits: list[tuple[int, int, str]], breaks: list[int]
) -> Iterator[tuple[int, int, str]]:
    """The shortest stretches of one segment that hold the order's concepts, none overlapping
    (shortest, so that a quoted mention starts where its quote opens)."""
    found: list[tuple[int, int]] = []
    for last, (_, end, _) in enumerate(hits):
        segment = bisect_right(breaks, hits[last][0])
        present: set[str] = set()
        for first in range(last, -1, -1):
            start = hits[first][0]
            if end - start > SPAN or bisect_right(breaks, start) != segment:
                break
            present.add(hits[first][2])
            if _order_met(order, present):
                found.append((start, end))
                break
    taken: list[tuple[int, int]] = []
    for start, end in sorted(found, key=lambda span: span[1] - span[0]):
        if all(end <= s or start >= e for s, e in taken):
            taken.append((start, end))
    for start, end in sorted(taken):
        yield start, end, order.name
