"""A scripted stand-in for a model's judgement, for the test fake and the recorded eval cases
only (never used by a review): it turns the offline screen's findings into the statuses a
diligent model might give, so replayed reviews exercise every path of the coordinator.

- `found` whose quotes hold one of the criterion's red flags (not negated just before it):
  `contradicted`; with one of its specifics and a figure or a name quoted: `met`; else
  `partial`;
- `missing` whose quotes include a deferral: `contradicted`; otherwise `missing`.
"""

from __future__ import annotations

import re

from agents.rubric import Criterion
from screen.markers import load_families
from tools.retrieval import find_phrase, phrases, tokenize
from vocabulary.models import Finding, JudgedStatus

_FIGURE_OR_NAME = re.compile(r"\d|`[^`]+`|\b[A-Z][a-z]+[A-Z]\w*\b|(?<=[a-z,] )[A-Z][a-z]+\b")


def _specific(quote: str, criterion: Criterion) -> bool:
    """One of the criterion's own specifics, and a figure or a name, in the quote."""
    tokens = tuple(tokenize(quote, keep_stopwords=False))
    return bool(_FIGURE_OR_NAME.search(quote)) and any(
        find_phrase(p, tokens, 1) for p in phrases(criterion.specifics)
    )


_NEGATION = frozenset(
    {"no", "not", "never", "without", "instead", "rather", "avoid", "nor", "nobody", "none"}
)
FLAG_SLACK = 4


def _flagged(quote: str, criterion: Criterion) -> bool:
    tokens = tuple(tokenize(quote))
    for flag in phrases(criterion.red_flags):
        found = find_phrase(tuple(tokenize(" ".join(flag))), tokens, FLAG_SLACK)
        if found and not _NEGATION & set(tokens[max(0, found[0] - 5) : found[0]]):
            return True
    return False


def judged_status(finding: Finding, criterion: Criterion) -> JudgedStatus:
    """The status a diligent model might give where the screen says `finding.status`."""
    quotes = [e.quote for e in finding.document_evidence]
    if finding.status == "found":
        if any(_flagged(q, criterion) for q in quotes):
            return "contradicted"
        return "met" if any(_specific(q, criterion) for q in quotes) else "partial"
    if finding.status == "missing":
        deferral = load_families().deferral
        return "contradicted" if any(deferral.search(q) for q in quotes) else "missing"
    return "missing"
