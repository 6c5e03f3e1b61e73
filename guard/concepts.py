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

from guard.folding import fold

CONCEPTS_PATH = Path(__file__).resolve().with_name("concepts.toml")
SPAN = 160  # characters of folded text within which an order's concepts must stand
# Colons, commas and stops of other scripts: fullwidth (CJK), Arabic, Devanagari.
_ADDRESS_AFTER = re.compile("[^\n.!?\u3002]{0,12}?[:\uff1a,\uff0c\u060c]")
_LABEL_VALUE = re.compile("\\s*[:\uff1a=\\-\u2013\u2014]\\s*[*_`\"'\u201c\u201d\u00ab\u00bb\\[(]*\\s*")
_BREAK = re.compile("[.!?\u3002\uff01\uff1f\u061f\u0964|\n]+(?:\\s|$)|[\u3002\uff01\uff1f\u061f\u0964|]")
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


@cache
def lexicon(path: Path = CONCEPTS_PATH) -> tuple[re.Pattern[str], tuple[Order, ...]]:
    """One pattern with a named group per concept, and the orders made of them."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups = []
    for concept, languages in data["concepts"].items():
        words = sorted({w for ws in languages.values() for w in ws}, key=len, reverse=True)
        groups.append(f"(?P<{concept}>{'|'.join(_entry(w) for w in words)})")
    orders = tuple(
        Order(o["name"], tuple(o.get("all_of", ())), tuple(o.get("one_of", ())), o.get("label", ""))
        for o in data["orders"]
    )
    return re.compile("|".join(groups), re.IGNORECASE), orders


def order_names() -> frozenset[str]:
    """The names of the orders found by concept."""
    return frozenset(order.name for order in lexicon()[1])


def _concepts(folded: str, pattern: re.Pattern[str]) -> list[tuple[int, int, str]]:
    """Every concept word in the folded text, as (start, end, concept); a reviewer word that
    heads a note (followed by a colon or comma) also counts as `address`."""
    found: list[tuple[int, int, str]] = []
    for match in pattern.finditer(folded):
        concept = match.lastgroup or ""
        found.append((match.start(), match.end(), concept))
        if concept == "reviewer" and _ADDRESS_AFTER.match(folded, match.end()):
            found.append((match.start(), match.end(), "address"))
    return found


def _order_met(order: Order, present: set[str]) -> bool:
    return set(order.all_of) <= present and (not order.one_of or bool(present & set(order.one_of)))


def _labelled(folded: str, hits: list[tuple[int, int, str]], label: str) -> Iterator[tuple[int, int]]:
    """A readiness label followed by ':' and a passing value: `Readiness status: READY`."""
    starts = {start: end for start, end, concept in hits if concept == "passing"}
    for start, end, concept in hits:
        if concept == label and (value := _LABEL_VALUE.match(folded, end)):
            if value.end() in starts:
                yield start, starts[value.end()]


def concept_orders(folded: str) -> Iterator[tuple[int, int, str]]:
    """Orders to the reviewers in folded text, as (start, end, order name), folded offsets."""
    pattern, orders = lexicon()
    hits = _concepts(folded, pattern)
    if not hits:
        return
    breaks = [m.start() for m in _BREAK.finditer(folded)]
    for order in orders:
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
