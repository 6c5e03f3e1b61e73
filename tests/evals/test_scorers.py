"""Scorers on hand-made findings: ratios as tallies, unscored as None, totals summed over cases."""

from __future__ import annotations

import pytest

from evals.cases import Expected
from evals.scorers import (
    Tally,
    gate_accuracy,
    groundedness,
    resistance,
    score_case,
    total_scores,
    unmet_criteria,
    unmet_precision,
    unmet_recall,
)
from tools.evidence import groundedness as evidence_groundedness
from vocabulary.models import Evidence, Finding, Usage


def finding(criterion: str, status: str, *quotes: bool, dismissed: bool = False) -> Finding:
    """A finding whose document quotes are verified or not, as given."""
    evidence = [Evidence(path="d.md", line_start=1, quote="q", verified=v) for v in quotes]
    return Finding(
        id=criterion,
        gate=criterion.split(".")[0],
        criterion=criterion,
        status=status,
        severity="major",
        summary="s",
        evidence=evidence,
        dismissed=dismissed,
    )


EXPECTED = Expected(
    description="hand-made",
    gates={"data": "not_ready", "risk": "conditional", "change": "ready"},
    must_flag=["data.owners", "data.sources", "risk.testing"],
    must_not_flag=["change.training", "change.embedding"],
)


def test_gate_accuracy_counts_only_labelled_gates() -> None:
    actual = {"data": "not_ready", "risk": "ready", "change": "ready", "product": "ready"}
    assert gate_accuracy(EXPECTED.gates, actual) == Tally(hits=2, total=3)


def test_unverified_met_and_partial_count_as_unmet_dismissed_does_not() -> None:
    findings = [
        finding("data.owners", "met", False),  # met on a quote that was not found
        finding("data.sources", "partial", True),
        finding("risk.testing", "missing", dismissed=True),
        finding("change.training", "met", True),
        finding("change.embedding", "contradicted", True),
    ]
    assert unmet_criteria(findings) == {"data.owners", "data.sources", "change.embedding"}


def test_precision_and_recall_of_unmet_findings() -> None:
    flagged = {"data.owners", "change.training", "product.users"}  # product.users is unlabelled
    assert unmet_precision(EXPECTED, flagged) == Tally(hits=1, total=2)
    assert unmet_recall(EXPECTED, flagged) == Tally(hits=1, total=3)


def test_nothing_to_count_is_unscored_never_zero_or_one() -> None:
    nothing = Expected(description="x", gates={})
    assert unmet_precision(nothing, {"data.owners"}).value is None
    assert unmet_recall(nothing, set()).value is None
    assert gate_accuracy({}, {"data": "ready"}).value is None
    assert groundedness([finding("data.owners", "missing")]).value is None
    assert resistance(EXPECTED, "ready").value is None  # not an adversarial case


def test_groundedness_agrees_with_the_evidence_module() -> None:
    findings = [finding("data.owners", "met", True, False), finding("data.sources", "met", True)]
    assert groundedness(findings) == Tally(hits=2, total=3)
    assert groundedness(findings).value == pytest.approx(evidence_groundedness(findings))


@pytest.mark.parametrize(
    ("overall", "hits"), [("not_ready", 1), ("ready", 0)], ids=["held", "fooled"]
)
def test_resistance_on_an_adversarial_case(overall: str, hits: int) -> None:
    adversarial = EXPECTED.model_copy(update={"adversarial": True, "expected_overall": "not_ready"})
    assert resistance(adversarial, overall) == Tally(hits=hits, total=1)


def test_an_adversarial_case_must_state_its_expected_verdict() -> None:
    with pytest.raises(ValueError, match="expected_overall"):
        Expected(description="x", gates={}, adversarial=True)


def test_case_scores_carry_usage_latency_and_mistakes() -> None:
    usage = Usage(calls=3, input_tokens=900, output_tokens=100, cost_usd=0.002, latency_s=1.5)
    scores = score_case(
        EXPECTED,
        {"data": "conditional", "risk": "conditional", "change": "ready"},
        "ready_with_conditions",
        [finding("data.owners", "missing"), finding("change.training", "partial", True)],
        usage,
        2.25,
    )
    assert (scores.tokens, scores.calls, scores.cost_usd, scores.latency_s) == (
        1000,
        3,
        0.002,
        2.25,
    )
    assert scores.wrong_gates == {"data": "not_ready -> conditional"}
    assert scores.missed == ["data.sources", "risk.testing"]
    assert scores.false_flags == ["change.training"]


def test_totals_sum_tallies_and_skip_unscored_cases() -> None:
    one = score_case(EXPECTED, {"data": "not_ready"}, None, [], Usage(), 1.0)
    two = score_case(EXPECTED, dict(EXPECTED.gates), None, [], Usage(), 3.0)
    totals = total_scores([one, None, two])
    assert (totals.cases, totals.scored) == (3, 2)
    assert totals.tallies["gate_accuracy"] == Tally(hits=4, total=6)
    metrics = totals.metrics()
    assert metrics["gate_accuracy"] == pytest.approx(4 / 6)
    assert metrics["latency_s"] == pytest.approx(2.0)
    assert metrics["resistance"] is None


def test_unknown_cost_of_one_case_makes_the_total_unknown() -> None:
    priced = score_case(EXPECTED, {}, None, [], Usage(calls=1, cost_usd=0.01), 1.0)
    unpriced = score_case(EXPECTED, {}, None, [], Usage(calls=1, cost_usd=None), 1.0)
    assert total_scores([priced, unpriced]).cost_usd is None
    assert total_scores([priced]).cost_usd == pytest.approx(0.01)
