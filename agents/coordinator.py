"""The coordinator: one documented rule turns verified findings into gate statuses and a verdict.

The rule (also stated in the README):

1. Only findings on the gate's rubric criteria take part (others, such as the note that a
   document addresses its reviewers, are reported but never weighed). A finding counts only
   if all of its document quotes were verified and no reviewer dismissed it; an uncounted
   finding leaves its criterion unmet. Severity is the rubric's, never the finding's, so
   neither a model nor a document can soften a criterion.
2. A gate is `not_ready` when no counted finding is `met` or `partial` (the documents are
   silent on it), or when a counted finding on a blocker criterion is `contradicted`.
3. Otherwise a gate is `conditional` when a blocker or major criterion is not `met`; each
   such criterion becomes one of the gate's conditions.
4. Otherwise the gate is `ready`.
5. The overall verdict is the worst gate: any `not_ready` gives `not_ready`, any
   `conditional` gives `ready_with_conditions`, else `ready`.
"""

from __future__ import annotations

from collections.abc import Mapping

from agents.models import (
    GATES,
    Amendment,
    Finding,
    Gate,
    GateReview,
    GateStatus,
    GateVerdict,
    Overall,
    Verdict,
)
from agents.rubric import Rubric

SLA_CRITERION = "platform.sla_triangle"
PATTERN_CRITERION = "platform.pattern_fit"


def apply_amendments(findings: list[Finding], amendments: Mapping[str, Amendment]) -> list[Finding]:
    """Findings with each reviewer amendment applied (re-graded or dismissed)."""
    amended = []
    for finding in findings:
        change = amendments.get(finding.id)
        if change is None:
            amended.append(finding)
            continue
        update: dict[str, object] = {"amended_by": change.reviewer, "amend_reason": change.reason}
        if change.status == "dismissed":
            update["dismissed"] = True
        else:
            update["status"] = change.status
        amended.append(finding.model_copy(update=update))
    return amended


def counts_toward_verdict(finding: Finding) -> bool:
    """Rule 1: verified (or amended by a person) and not dismissed."""
    return not finding.dismissed and (finding.verified or finding.amended_by is not None)


def _condition(finding: Finding | None, rubric: Rubric, criterion_id: str) -> str:
    criterion = rubric.criterion(criterion_id)
    if finding is not None and finding.recommendation:
        return f"{criterion_id}: {finding.recommendation}"
    return f"{criterion_id}: {criterion.question}"


def gate_verdict(review: GateReview, rubric: Rubric) -> GateVerdict:
    """The status of one gate under the rule in this module's docstring."""
    known = {c.id for c in rubric.criteria}
    # Only rubric criteria take part in the rule; anything else is reported, never weighed.
    by_criterion = {f.criterion: f for f in review.findings if f.criterion in known}
    counted = {cid: f for cid, f in by_criterion.items() if counts_toward_verdict(f)}
    dismissed = {cid for cid, f in by_criterion.items() if f.dismissed}
    degraded = {"degraded": review.degraded, "degraded_reason": review.degraded_reason}

    addressed = [f for f in counted.values() if f.status in ("met", "partial")]
    contradicted = [
        f
        for cid, f in counted.items()
        if f.status == "contradicted" and rubric.criterion(cid).severity == "blocker"
    ]
    if contradicted:
        names = ", ".join(f.criterion for f in contradicted)
        return GateVerdict(
            status="not_ready",
            reason=f"the documents commit to what a blocker criterion warns against ({names})",
            conditions=[_condition(f, rubric, f.criterion) for f in contradicted],
            **degraded,
        )
    unmet = [
        c.id
        for c in rubric.criteria
        if c.severity in ("blocker", "major")
        and c.id not in dismissed
        and (c.id not in counted or counted[c.id].status != "met")
    ]
    conditions = [_condition(by_criterion.get(cid), rubric, cid) for cid in unmet]
    if not addressed:
        return GateVerdict(
            status="not_ready",
            reason="the documents are silent on this gate (no criterion met or partly met)",
            conditions=conditions,
            **degraded,
        )
    if unmet:
        return GateVerdict(
            status="conditional",
            reason=f"{len(unmet)} blocker or major criteria not met",
            conditions=conditions,
            **degraded,
        )
    return GateVerdict(
        status="ready", reason="every blocker and major criterion is met", **degraded
    )


def overall_status(statuses: list[GateStatus]) -> Overall:
    """The worst gate decides the overall verdict."""
    if "not_ready" in statuses:
        return "not_ready"
    if "conditional" in statuses:
        return "ready_with_conditions"
    return "ready"


def _check(findings: list[Finding], criterion_id: str) -> str:
    for finding in findings:
        if finding.criterion == criterion_id and counts_toward_verdict(finding):
            return finding.status
    return "missing"


def compile_verdict(
    reviews: Mapping[Gate, GateReview],
    rubrics: Mapping[Gate, Rubric],
    amendments: Mapping[str, Amendment] | None = None,
) -> Verdict:
    """Apply amendments, rate every gate and compile the verdict (summary written by rule)."""
    gates: dict[Gate, GateVerdict] = {}
    every: list[Finding] = []
    for gate in GATES:
        review = reviews[gate]
        findings = apply_amendments(review.findings, amendments or {})
        every.extend(findings)
        gates[gate] = gate_verdict(review.model_copy(update={"findings": findings}), rubrics[gate])
    overall = overall_status([g.status for g in gates.values()])
    conditions = [c for g in gates.values() for c in g.conditions]
    ready = [g for g, v in gates.items() if v.status == "ready"]
    summary = f"{len(ready)} of {len(GATES)} gates ready; overall {overall.replace('_', ' ')}. " + (
        f"{len(conditions)} conditions to lift." if conditions else "No open conditions."
    )
    degraded = any(v.degraded for v in gates.values())
    if degraded:
        summary += " Some gates were reviewed in degraded mode (see each gate)."
    return Verdict(
        overall=overall,
        gates=gates,
        conditions=conditions,
        summary=summary,
        degraded=degraded,
        checks={
            "sla_triangle": _check(every, SLA_CRITERION),
            "architecture_pattern": _check(every, PATTERN_CRITERION),
        },
    )
