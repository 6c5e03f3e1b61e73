"""Evidence recall counts a careful reviewer's quote as cited when one of ours overlaps it."""

from __future__ import annotations

from evals.evidence_recall import Recall, document_recall, gate_recall
from tools.documents import Document
from vocabulary.models import Evidence, Finding, GateReview

LINES = [
    "# Design",
    "",
    "The feed is owned by the Delivery Data team and refreshed",
    "every night at 02:00.",
    "Drivers scan each parcel at the door.",
]
DOC = Document(path="d.md", kind="markdown", sha256="0" * 64, lines=LINES, sections=[])


def _review(*quotes: tuple[int, int, str], verified: bool = True) -> GateReview:
    evidence = [
        Evidence(path="d.md", line_start=a, line_end=b, quote=q, verified=verified)
        for a, b, q in quotes
    ]
    finding = Finding(
        id="data.owners", gate="data", criterion="data.owners", status="found",
        severity="blocker", summary="s", evidence=evidence,
    )  # fmt: skip
    return GateReview(gate="data", reviewer="offline", findings=[finding])


SENTENCE = (
    3, 4, "The feed is owned by the Delivery Data team and refreshed\nevery night at 02:00."
)


def test_a_whole_sentence_cites_a_clause_quoted_from_it_across_a_line_break() -> None:
    theirs = ["owned by the Delivery Data team and refreshed every night"]
    assert gate_recall(DOC, theirs, _review(SENTENCE)) == Recall(1, 1)


def test_a_neighbouring_sentence_does_not_cite_it() -> None:
    theirs = ["owned by the Delivery Data team"]
    ours = _review((5, 5, "Drivers scan each parcel at the door."))
    assert gate_recall(DOC, theirs, ours).cited == 0


def test_an_unverified_quote_cites_nothing_and_an_unlocatable_label_is_not_counted() -> None:
    theirs = ["owned by the Delivery Data team", "a sentence nowhere in it"]
    assert gate_recall(DOC, theirs, _review(SENTENCE, verified=False)) == Recall(0, 1)


def test_recall_over_a_document_adds_its_gates_and_rates_none_when_empty() -> None:
    theirs = {"data": ["every night at 02:00"], "risk": []}
    total = document_recall(DOC, theirs, {"data": _review(SENTENCE)})
    assert total == Recall(1, 1) and total.rate == 1.0
    assert Recall(0, 0).rate is None
