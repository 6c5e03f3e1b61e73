"""The coordinator's status rule, on hand-made findings."""

from __future__ import annotations

import pytest

from agents.coordinator import compile_verdict, gate_verdict, overall_status
from agents.rubric import Criterion, Rubric
from vocabulary.models import GATES, Amendment, Evidence, Finding, GateJudgement, GateReview


def _rubric(gate: str = "data") -> Rubric:
    severities = ["blocker", "blocker", "major", "minor", "minor", "minor"]
    return Rubric(
        gate=gate,
        title=gate,
        question="?",
        criteria=[
            Criterion(
                id=f"{gate}.c{i}", title=f"c{i}", question="q", good_evidence="g",
                red_flags=["r"], severity=sev, terms=["t"],
            )
            for i, sev in enumerate(severities)
        ],
    )


def _finding(cid: str, status: str, verified: bool = True) -> Finding:
    gate = cid.split(".")[0]
    evidence = [] if status == "missing" else [
        Evidence(path="d.md", line_start=1, line_end=1, quote="x", verified=verified)
    ]
    return Finding(id=cid, gate=gate, criterion=cid, status=status, severity="major",
                   summary="s", recommendation=f"fix {cid}", evidence=evidence)


def _review(statuses: dict[int, str], gate: str = "data", **flags: object) -> GateReview:
    findings = [_finding(f"{gate}.c{i}", statuses.get(i, "missing")) for i in range(6)]
    return GateReview(gate=gate, reviewer="offline", findings=findings, **flags)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param({}, "not_ready", id="silent-gate"),
        pytest.param({3: "met", 4: "partial"}, "not_ready", id="only-non-core-addressed"),
        pytest.param({0: "mentioned", 2: "met"}, "not_ready", id="half-the-core-in-passing"),
        pytest.param({0: "mentioned", 1: "mentioned"}, "not_ready", id="core-all-in-passing"),
        pytest.param({0: "found", 1: "missing"}, "conditional", id="core-found-by-the-screen"),
        pytest.param({0: "partial"}, "conditional", id="one-core-partial"),
        pytest.param({0: "met", 1: "met", 2: "met"}, "ready", id="blockers-and-majors-met"),
        pytest.param({0: "met", 1: "met", 2: "partial"}, "conditional", id="major-partial"),
        pytest.param({0: "contradicted", 1: "met", 2: "met"}, "not_ready", id="blocker-contra"),
        pytest.param({0: "met", 1: "met", 2: "contradicted"}, "conditional", id="major-contra"),
    ],
)
def test_gate_status_follows_the_rule(statuses: dict[int, str], expected: str) -> None:
    assert gate_verdict(_review(statuses), _rubric()).status == expected


def test_conditions_name_every_unmet_blocker_and_major_criterion() -> None:
    verdict = gate_verdict(_review({0: "met", 1: "partial", 3: "met"}), _rubric())
    assert verdict.status == "conditional"
    assert verdict.conditions == ["data.c1: fix data.c1", "data.c2: fix data.c2"]


def test_unverified_met_finding_does_not_count() -> None:
    review = _review({})
    review.findings[0] = _finding("data.c0", "met", verified=False)
    review.findings[1] = _finding("data.c1", "met")
    review.findings[2] = _finding("data.c2", "met")
    verdict = gate_verdict(review, _rubric())
    assert verdict.status == "conditional"
    assert any(c.startswith("data.c0") for c in verdict.conditions)


def test_unverified_contradiction_cannot_sink_a_gate() -> None:
    review = _review({1: "met", 2: "met"})
    review.findings[0] = _finding("data.c0", "contradicted", verified=False)
    assert gate_verdict(review, _rubric()).status == "conditional"


def test_rubric_severity_wins_over_the_finding_severity() -> None:
    review = _review({0: "met", 1: "met"})
    review.findings[2] = _finding("data.c2", "partial").model_copy(update={"severity": "info"})
    assert gate_verdict(review, _rubric()).status == "conditional"


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param(["ready"] * 5, "ready", id="all-ready"),
        pytest.param(["ready"] * 4 + ["conditional"], "ready_with_conditions", id="one-cond"),
        pytest.param(["conditional"] * 4 + ["not_ready"], "not_ready", id="one-not-ready"),
    ],
)
def test_overall_is_the_worst_gate(statuses: list[str], expected: str) -> None:
    assert overall_status(statuses) == expected


def test_amendments_regrade_and_dismiss() -> None:
    rubrics = {g: _rubric(g) for g in GATES}
    reviews = {g: _review({0: "met", 1: "met", 2: "met"}, gate=g) for g in GATES}
    reviews["risk"] = _review({0: "met", 1: "met", 2: "partial"}, gate="risk")
    assert compile_verdict(reviews, rubrics).overall == "ready_with_conditions"
    regrade = Amendment(finding_id="risk.c2", status="met", reason="see appendix", reviewer="ana")
    verdict = compile_verdict(reviews, rubrics, {"risk.c2": regrade})
    assert verdict.overall == "ready"
    dismiss = Amendment(finding_id="data.c0", status="dismissed", reason="n/a", reviewer="ana")
    downgraded = Amendment(finding_id="data.c1", status="missing", reason="no", reviewer="ana")
    verdict = compile_verdict(
        reviews, rubrics, {"risk.c2": regrade, "data.c0": dismiss, "data.c1": downgraded}
    )
    # The core left after the dismissal (c1) is not addressed: the gate is judged by it.
    assert verdict.gates["data"].status == "not_ready"
    # The condition says what the reviewer decided, and what is still open.
    expected = "data.c1: ana graded it missing; still open: fix data.c1"
    assert verdict.gates["data"].conditions == [expected]


def test_degraded_gate_is_said_in_the_verdict() -> None:
    rubrics = {g: _rubric(g) for g in GATES}
    reviews = {g: _review({0: "met", 1: "met", 2: "met"}, gate=g) for g in GATES}
    reviews["platform"] = _review(
        {0: "met", 1: "met", 2: "met"}, gate="platform", degraded=True, degraded_reason="timeout"
    )
    verdict = compile_verdict(reviews, rubrics)
    assert verdict.degraded and verdict.gates["platform"].degraded_reason == "timeout"
    assert "degraded" in verdict.summary


def test_more_core_criteria_can_be_required() -> None:
    review = _review({0: "partial", 2: "met"})
    assert gate_verdict(review, _rubric()).status == "conditional"
    assert gate_verdict(review, _rubric(), min_core=2).status == "not_ready"


def test_passing_mentions_lift_a_gate_only_when_the_silent_share_allows_it() -> None:
    review = _review({0: "mentioned", 1: "mentioned", 2: "met"})
    assert gate_verdict(review, _rubric()).status == "not_ready"  # shipped: 1.0
    assert gate_verdict(review, _rubric(), silent_share=0.5).status == "conditional"


def test_an_unverified_mention_does_not_count_as_touching_the_core() -> None:
    review = _review({0: "mentioned", 1: "mentioned"})
    review.findings[1] = _finding("data.c1", "mentioned", verified=False)
    assert gate_verdict(review, _rubric()).status == "not_ready"


def test_a_dismissed_core_criterion_is_not_required() -> None:
    review = _review({0: "partial"})
    review.findings[1] = review.findings[1].model_copy(update={"dismissed": True})
    assert gate_verdict(review, _rubric(), min_core=2).status == "conditional"


@pytest.mark.parametrize(
    ("statuses", "judged", "expected"),
    [
        pytest.param({0: "met", 1: "partial"}, "not_ready", "not_ready", id="lowers-conditional"),
        pytest.param({0: "met", 1: "met", 2: "met"}, "not_ready", "not_ready", id="lowers-ready"),
        pytest.param({0: "met", 1: "met", 2: "met"}, "conditional", "conditional", id="lowers-ok"),
        pytest.param({}, "ready", "not_ready", id="cannot-raise-not-ready"),
        pytest.param({0: "partial"}, "ready", "conditional", id="cannot-raise-conditional"),
    ],
)
def test_a_gate_judgement_only_lowers(statuses: dict[int, str], judged: str, expected: str) -> None:
    judgement = GateJudgement(status=judged, reason="the core is only mentioned")
    verdict = gate_verdict(_review(statuses, judgement=judgement), _rubric(), 1, "not_ready")
    assert verdict.status == expected
    lowered = expected == judged and gate_verdict(_review(statuses), _rubric()).status != judged
    assert verdict.lowered_by_judgement is lowered
    if lowered:
        assert "the core is only mentioned" in verdict.reason
        assert verdict.conditions


@pytest.mark.parametrize(
    ("statuses", "floor", "expected"),
    [
        pytest.param({0: "met", 1: "met", 2: "met"}, "conditional", "conditional", id="ready"),
        pytest.param({0: "met", 1: "partial"}, "conditional", "conditional", id="conditional"),
        pytest.param({0: "met", 1: "met", 2: "met"}, "ready", "ready", id="ignored"),
    ],
)
def test_a_judgement_lowers_no_further_than_the_floor(
    statuses: dict[int, str], floor: str, expected: str
) -> None:
    judgement = GateJudgement(status="not_ready", reason="the core is thin")
    verdict = gate_verdict(_review(statuses, judgement=judgement), _rubric(), 1, floor)
    assert verdict.status == expected
    if verdict.lowered_by_judgement:
        assert "judged the gate not ready (the core is thin)" in verdict.reason
