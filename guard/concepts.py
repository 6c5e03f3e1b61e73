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
from guard.prefilter import loosened

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


def _entry(word: str) -> str:
    """One lexicon entry as a pattern: folded; a word, a word's beginning, or a substring."""
    stem = word.endswith("*")
    folded = re.escape(fold(word.rstrip("*"))[0].lower())
    if _NO_WORD_BREAKS.search(folded) or not folded[:1].isalnum():
        return folded
    return rf"(?<!\w){folded}" + ("" if stem else r"(?!\w)")


@dataclass(frozen=True)
class Lexicon:
    """One pattern for every concept word, each concept's own pattern, and the orders."""

    anywhere: Any  # an RE2 pattern
    anchors: Any  # an RE2 pattern of the concepts every order needs one of (ANCHORS)
    concepts: dict[str, re.Pattern[str]]
    orders: tuple[Order, ...]


@cache
def lexicon(path: Path = CONCEPTS_PATH) -> Lexicon:
    """The concepts and orders of `concepts.toml`, compiled."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    concepts: dict[str, str] = {}
    for concept, languages in data["concepts"].items():
        words = sorted({w for ws in languages.values() for w in ws}, key=len, reverse=True)
        concepts[concept] = "|".join(_entry(w) for w in words)
    orders = tuple(
        Order(o["name"], tuple(o.get("all_of", ())), tuple(o.get("one_of", ())), o.get("label", ""))
        for o in data["orders"]
    )
    import re2

    # RE2 finds where a concept word may stand in one linear pass (guard.prefilter); the
    # concepts' own patterns, with their word boundaries, then decide there.
    joined = "|".join(f"(?:{loosened(p)})" for p in concepts.values())
    anywhere = re2.compile(f"(?i){joined}")
    anchored = "|".join(f"(?:{loosened(concepts[name])})" for name in ANCHORS)
    anchors = re2.compile(f"(?i){anchored}")
    compiled = {name: re.compile(p, re.IGNORECASE) for name, p in concepts.items()}
    return Lexicon(anywhere, anchors, compiled, orders)


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
        for concept, pattern in words.concepts.items():
            if (own := pattern.match(folded, at)) is None:
                continue
            found.append((own.start(), own.end(), concept))
            if concept == "reviewer" and _ADDRESS_AFTER.match(folded, own.end()):
                found.append((own.start(), own.end(), "address"))
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
