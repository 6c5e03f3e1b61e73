"""Held out: an open document is never scored with parameters fitted on itself, a sealed one
only with parameters fitted on the open ones, and the model path's grid covers both of the
rule's fitted parameters."""

from __future__ import annotations

from agents.rubric import load_rubrics
from evals.calibration_docs import LabelledDocument
from evals.fitting import Predictions, RuleParams, fit, held_out, model_predictions
from tools.documents import Document
from vocabulary.models import GATES, Evidence, GateReview

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
    reviews = {name: {c: {} for c in says} for name in EXPECTED}
    return Predictions(by_candidate, reviews, ["strict", "lenient"], "lenient", [])


def test_the_fit_on_every_document_and_without_one_differ_when_that_document_decides() -> None:
    labelled = [_labelled(n) for n in EXPECTED]
    predictions = _predictions()
    assert fit(labelled, predictions) == "strict"
    assert fit([d for d in labelled if d.name != "a.md"], predictions) == "lenient"
    chosen, lines = held_out(labelled, [], predictions)
    statuses = predictions.statuses(chosen)
    # a.md is scored with what the others prefer, so its own label cannot help it.
    assert statuses["a.md"] == dict.fromkeys(GATES, "conditional")
    assert statuses["b.md"] == dict.fromkeys(GATES, "conditional")
    assert lines[0] == "  a.md: lenient"


def test_a_sealed_document_is_scored_with_the_fit_on_the_open_ones_only() -> None:
    predictions = _predictions()
    open_docs = [_labelled(n) for n in ("b.md", "c.md", "d.md")]
    # Fitted on a.md itself, "strict" would win; sealed, it gets what the open ones prefer.
    chosen, lines = held_out(open_docs, [_labelled("a.md")], predictions)
    assert chosen["a.md"] == "lenient"
    assert all("a.md" not in line for line in lines)


def test_the_model_path_is_fitted_over_the_judgement_floor_and_the_silent_share() -> None:
    rubrics = load_rubrics()
    quote = Evidence(path="c.md", line_start=1, line_end=1, quote="x", verified=True)

    def review(gate: str) -> GateReview:
        # Every core criterion of the gate touched on in passing (a verified quote), none
        # addressed: silent when passing mentions never count, thin when most of a core may.
        findings = [
            c.finding(gate, "mentioned", "s", "", [quote])
            for c in rubrics[gate].criteria
            if c.severity == "blocker"
        ]
        return GateReview(gate=gate, reviewer="model", findings=findings)

    predictions = model_predictions([_labelled("c.md")], {"c.md": {g: review(g) for g in GATES}})
    statuses = {str(c): set(s.values()) for c, s in predictions.by_candidate["c.md"].items()}
    assert len(statuses) == 6 and predictions.shipped == RuleParams("conditional", 1.0)
    assert statuses["judgement_floor=conditional, silent_share=0.5"] == {"conditional"}
    assert statuses["judgement_floor=conditional, silent_share=1.0"] == {"not_ready"}
