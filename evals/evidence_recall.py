"""Evidence recall: the share of a careful reviewer's quotes that we cite for the same gate.

A reviewer's quote is cited when one of our verified quotes for that gate overlaps it in the
document by at least half of the shorter of the two (so a sentence quoted whole covers a
clause the reviewer quoted from it, and a neighbouring sentence does not). Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tools.documents import Document
from vocabulary.models import Gate, GateReview

MIN_OVERLAP = 0.5
_SPACE = re.compile(r"\s+")


def _squeezed(text: str) -> str:
    """The text with every run of whitespace as one space."""
    return _SPACE.sub(" ", text)


def _span(needle: str, text: str, start: int = 0) -> tuple[int, int] | None:
    """Where the quote sits in the squeezed text (from `start`), or None."""
    at = text.find(needle, start)
    return None if at < 0 else (at, at + len(needle))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


@dataclass(frozen=True)
class Recall:
    """Reviewer quotes cited out of reviewer quotes that could be located."""

    cited: int
    total: int

    @property
    def rate(self) -> float | None:
        """The share cited, None with nothing to count."""
        return self.cited / self.total if self.total else None

    def plus(self, other: Recall) -> Recall:
        """The sum of two tallies."""
        return Recall(self.cited + other.cited, self.total + other.total)


def gate_recall(document: Document, theirs: Iterable[str], review: GateReview) -> Recall:
    """How many of the reviewer's quotes for a gate our review of it cites."""
    text = _squeezed("\n".join(document.lines))
    ours: list[tuple[int, int]] = []
    for finding in review.findings:
        for evidence in finding.document_evidence:
            if not evidence.verified or evidence.path != document.path:
                continue
            # Searched from the quote's own lines, so a repeated phrase lands where it was cited.
            before = _squeezed("\n".join(document.lines[: max(0, (evidence.line_start or 1) - 1)]))
            span = _span(_squeezed(evidence.quote.strip()), text, max(0, len(before) - 1))
            if span:
                ours.append(span)
    cited = total = 0
    for quote in theirs:
        span = _span(_squeezed(quote.strip()), text)
        if span is None:
            continue
        total += 1
        size = span[1] - span[0]
        if any(_overlap(span, o) >= MIN_OVERLAP * min(size, o[1] - o[0]) for o in ours):
            cited += 1
    return Recall(cited, total)


def document_recall(
    document: Document, theirs: Mapping[Gate, list[str]], reviews: Mapping[Gate, GateReview]
) -> Recall:
    """Evidence recall over every labelled gate of one document."""
    total = Recall(0, 0)
    for gate, quotes in theirs.items():
        if gate in reviews:
            total = total.plus(gate_recall(document, quotes, reviews[gate]))
    return total
