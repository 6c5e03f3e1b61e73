"""The coordinator: one documented rule turns verified findings into gate statuses and a verdict.

The rule (also stated in docs/verdict.md). A gate status means what a go/no-go board means:
`ready`, the core is covered with specifics; `conditional`, it is partly covered; `not_ready`,
the documents are silent on the core or explicitly accept what good practice rules out.

1. Only findings on the gate's rubric criteria take part (others, such as the note that a
   document addresses its reviewers, are reported but never weighed). A finding counts only
   if all of its document quotes were verified, they support it (agents.support), the offline
   screen does not dispute it and no reviewer dismissed it, or a person amended it; an
   uncounted finding leaves its criterion unmet. Severity is the rubric's, never the finding's, so
   neither a model nor a document can soften a criterion.
2. A criterion is addressed when its counted finding is `met` or `partial`; the screen's
   `found` lifts it off silence without addressing it. A passing mention (`mentioned`),
   `missing` and an uncounted finding leave it unaddressed.
3. A gate is judged by its core, its blocker criteria. It is `not_ready` when a counted
   finding on a blocker criterion is `contradicted` (the documents explicitly defer it past
   go-live, accept the risk unmitigated or commit to what it warns against), or when the
   documents are silent on it: fewer than MIN_CORE_ADDRESSED of its blocker criteria are
   addressed or found, and no more than SILENT_SHARE of them are even touched on (with the
   shipped 1.0, passing mentions never lift a gate off silence). Non-core criteria never lift
   a gate.
4. Otherwise a gate is `conditional` when a blocker or major criterion is not `met`; each
   such criterion becomes one of the gate's conditions.
5. Otherwise the gate is `ready`. A gate only the offline screen read is never `ready` unless
   a person amended every such criterion to `met`: the screen certifies nothing.
6. When a model reviewed the gate and judged the whole gate itself, the gate takes the worse
   of the two statuses, but no lower than JUDGEMENT_FLOOR: the judgement can lower a gate,
   never raise it.
7. The overall verdict is the worst gate: any `not_ready` gives `not_ready`, any
   `conditional` gives `ready_with_conditions`, else `ready`.
"""

from __future__ import annotations

from collections.abc import Mapping

from agents.amendments import applicable, apply_amendments
from agents.rubric import Rubric
from vocabulary.models import (
    NOT_SILENT,
    Amendment,
    Finding,
    Gate,
    GateJudgement,
    GateReview,
    GateStatus,
    GateVerdict,
    Overall,
    Verdict,
)

# Rule 3: how many of a gate's blocker criteria must be addressed to lift it off not_ready.
MIN_CORE_ADDRESSED = 1
# Rule 6: how far a model's own gate judgement may lower a gate. Fitted on the labelled real
# documents and reported leave-one-document-out (evals/REALDOCS.md): "conditional" lets the
# judgement keep a gate from `ready`; "not_ready" would also let it sink a gate.
JUDGEMENT_FLOOR: GateStatus = "conditional"
# Rule 3: the share of a gate's blocker criteria that may be touched on (mentioned in passing)
# while the documents still count as silent on the gate. Fitted with the judgement floor on the
# open calibration documents (evals/REALDOCS.md): 1.0, passing mentions never lift a gate.
SILENT_SHARE = 1.0
SLA_CRITERION = "platform.sla_triangle"
SCREEN_NOTE = (
    "screened offline: a model-backed review or a reviewer's amendment is needed to certify"
)
SCREEN_REVIEWER = "offline"
RANK: dict[GateStatus, int] = {"not_ready": 0, "conditional": 1, "ready": 2}
PATTERN_CRITERION = "platform.pattern_fit"


def counts_toward_verdict(finding: Finding) -> bool:
    """Rule 1: not dismissed, and amended by a person or verified, supported and undisputed."""
    if finding.dismissed:
        return False
    if finding.amended_by is not None:
        return True
    return finding.verified and finding.unsupported is None and finding.disputed is None


def _condition(finding: Finding | None, rubric: Rubric, criterion_id: str) -> str:
    criterion = rubric.criterion(criterion_id)
    if finding is not None and finding.recommendation:
        return f"{criterion_id}: {finding.recommendation}"
    return f"{criterion_id}: {criterion.question}"


def gate_verdict(
    review: GateReview,
    rubric: Rubric,
    min_core: int = MIN_CORE_ADDRESSED,
    judgement_floor: GateStatus = JUDGEMENT_FLOOR,
    silent_share: float = SILENT_SHARE,
) -> GateVerdict:
    """The status of one gate under the rule in this module's docstring."""
    verdict = _rule_verdict(review, rubric, min_core, silent_share)
    verdict = _lowered(verdict, review.judgement, rubric.gate, judgement_floor)
    if review.reviewer != SCREEN_REVIEWER:
        return verdict
    return verdict.model_copy(
        update={"screened": True, "reason": f"{SCREEN_NOTE} ({verdict.reason})"}
    )


def _rule_verdict(
    review: GateReview, rubric: Rubric, min_core: int, silent_share: float
) -> GateVerdict:
    """Rules 1 to 5: the status the findings alone give."""
    known = {c.id for c in rubric.criteria}
    # Only rubric criteria take part in the rule; anything else is reported, never weighed.
    by_criterion = {f.criterion: f for f in review.findings if f.criterion in known}
    counted = {cid: f for cid, f in by_criterion.items() if counts_toward_verdict(f)}
    dismissed = {cid for cid, f in by_criterion.items() if f.dismissed}
    degraded = {"degraded": review.degraded, "degraded_reason": review.degraded_reason}
    core = [c.id for c in rubric.criteria if c.severity == "blocker"]

    contradicted = [f for cid, f in counted.items() if f.status == "contradicted" and cid in core]
    if contradicted:
        names = ", ".join(f.criterion for f in contradicted)
        return GateVerdict(
            status="not_ready",
            reason=f"the documents defer or commit against a core criterion ({names})",
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
    addressed = [cid for cid in core if cid in counted and counted[cid].status in NOT_SILENT]
    touched = [
        cid for cid in core if cid in counted and counted[cid].status in (*NOT_SILENT, "mentioned")
    ]
    # A dismissed core criterion is out of the count: what remains must still be addressed.
    live = [cid for cid in core if cid not in dismissed]
    needed = min(min_core, len(live))
    if len(addressed) < needed and len(touched) <= silent_share * len(live):
        return GateVerdict(
            status="not_ready",
            reason=f"the documents are silent on this gate's core: {len(addressed)} of "
            f"{len(core)} core criteria addressed, {len(touched)} touched on",
            conditions=conditions,
            **degraded,
        )
    if len(addressed) < needed:
        return GateVerdict(
            status="conditional",
            reason=f"the documents touch on {len(touched)} of {len(core)} core criteria only "
            "in passing",
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


def _lowered(
    verdict: GateVerdict, judgement: GateJudgement | None, gate: str, floor: GateStatus
) -> GateVerdict:
    """Rule 6: a reviewer's gate-level judgement may lower the status (not below the floor),
    never raise it."""
    if judgement is None:
        return verdict
    judged = max(judgement.status, floor, key=RANK.__getitem__)
    if RANK[judged] >= RANK[verdict.status]:
        return verdict
    why = judgement.reason or "no reason given"
    conditions = verdict.conditions or [f"{gate}: {why}"]
    return verdict.model_copy(
        update={
            "status": judged,
            "reason": f"the reviewer judged the gate {judgement.status.replace('_', ' ')} "
            f"({why}); by the findings alone: {verdict.status.replace('_', ' ')}",
            "conditions": conditions,
            "lowered_by_judgement": True,
        }
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
    *,
    min_core: int = MIN_CORE_ADDRESSED,
    judgement_floor: GateStatus = JUDGEMENT_FLOOR,
    silent_share: float = SILENT_SHARE,
) -> Verdict:
    """Apply amendments, leave out the criteria a person marked not applicable, rate every
    gate and compile the verdict (summary written by rule)."""
    gates: dict[Gate, GateVerdict] = {}
    every: list[Finding] = []
    for gate in rubrics:  # the gates are the rubric set's (a rubric file adds one)
        review = reviews[gate]
        findings = apply_amendments(review.findings, amendments or {})
        every.extend(findings)
        # Not applicable (a person's call, with a reason): out of the rule's denominator.
        rubric, findings = applicable(rubrics[gate], findings)
        gates[gate] = gate_verdict(
            review.model_copy(update={"findings": findings}),
            rubric,
            min_core,
            judgement_floor,
            silent_share,
        )
    overall = overall_status([g.status for g in gates.values()])
    conditions = [c for g in gates.values() for c in g.conditions]
    ready = [g for g, v in gates.items() if v.status == "ready"]
    summary = f"{len(ready)} of {len(gates)} gates ready; overall {overall.replace('_', ' ')}. " + (
        f"{len(conditions)} conditions to lift." if conditions else "No open conditions."
    )
    degraded = any(v.degraded for v in gates.values())
    screened = [g for g, v in gates.items() if v.screened]
    if degraded:
        summary += " Some gates were reviewed in degraded mode (see each gate)."
    if screened:
        which = "Every gate was" if len(screened) == len(gates) else "Gates " + ", ".join(
            screened
        ) + " were"
        summary = f"{which} {SCREEN_NOTE}. {summary}"
    return Verdict(
        overall=overall,
        gates=gates,
        conditions=conditions,
        summary=summary,
        degraded=degraded,
        screened=bool(screened),
        checks={
            "sla_triangle": _check(every, SLA_CRITERION),
            "architecture_pattern": _check(every, PATTERN_CRITERION),
        },
    )
