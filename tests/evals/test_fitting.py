"""Leave-one-document-out: a document is never scored with parameters fitted on itself."""

from __future__ import annotations

from evals.calibration_docs import LabelledDocument
from evals.fitting import Predictions, fit, leave_one_out
from tools.documents import Document
from vocabulary.models import GATES

EXPECTED = {
    "a.md": "not_ready",
    "b.md": "not_ready",
    "c.md": "conditional",
    "d.md": "conditional",
}


def _labelled(name: str) -> LabelledDocument:
    document = Document(path=name, kind="markdown", sha256="0" * 64, lines=["x"], sections=[])
    return LabelledDocument(name, document, dict.fromkeys(GATES, EXPECTED[name]))


def _predictions() -> Predictions:
    # "strict" is better than "lenient" (which has no skill) only thanks to a.md: without
    # a.md the two tie, and the tie goes to the shipped one.
    says = {
        "strict": {"a.md": "not_ready", "b.md": "conditional", "c.md": "conditional",
                   "d.md": "conditional"},
        "lenient": {"a.md": "conditional", "b.md": "conditional", "c.md": "conditional",
                    "d.md": "conditional"},
    }  # fmt: skip
    by_candidate = {
        name: {c: dict.fromkeys(GATES, says[c][name]) for c in says} for name in EXPECTED
    }
    return Predictions(by_candidate, ["strict", "lenient"], "lenient", [])


def test_the_fit_on_every_document_and_without_one_differ_when_that_document_decides() -> None:
    labelled = [_labelled(n) for n in EXPECTED]
    predictions = _predictions()
    assert fit(labelled, predictions) == "strict"
    assert fit([d for d in labelled if d.name != "a.md"], predictions) == "lenient"
    statuses, chosen = leave_one_out(labelled, predictions)
    # a.md is scored with what the others prefer, so its own label cannot help it.
    assert statuses["a.md"] == dict.fromkeys(GATES, "conditional")
    assert statuses["b.md"] == dict.fromkeys(GATES, "conditional")
    assert chosen[0] == "  a.md: lenient"
