"""Which decisions a pending review accepts: checked inside the graph, so every caller gets it.

The human-review node answers an invalid resume by asking again (the interrupt stays pending,
now carrying the reason); the CLI runs the same check before it claims the decision, so a
mistyped command costs no claim.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from agents.rubric_set import rubric_set_of
from graphs.signoff import signoff_problem
from vocabulary.models import Amendment, Decision, verdict_sha256

MAX_REREVIEWS = 3


def parse_decision(raw: Any) -> Decision | str:
    """The decision, or one line saying why the value is not one."""
    try:
        return Decision.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "decision"
        return f"not a decision: {where}: {first['msg']}"


def decision_problem(values: dict[str, Any], decision: Decision) -> str | None:
    """Why this run cannot take this decision now, or None when it can."""
    run_id = values.get("run_id", "?")
    if decision.verdict_sha256 not in (None, verdict_sha256(values.get("verdict") or {})):
        return f"run {run_id}: the verdict changed after the decision was taken on it"
    if decision.action == "amend":
        if decision.amendment is None:
            return "amend needs a finding, a status and a reason"
        ids = {f["id"] for r in values.get("reviews", {}).values() for f in r["findings"]}
        if decision.amendment.finding_id not in ids:
            return f"no finding {decision.amendment.finding_id} in run {run_id}"
    if _anchor_given(decision):
        return (
            "an amendment's quotes, text_sha256 and carried_from are set by the review, "
            "not given"
        )
    if decision.action != "amend" and decision.amendment is not None:
        return f"{decision.action} takes no amendment"
    gates = rubric_set_of(values).gates
    unknown = [g for g in decision.gates if g not in gates]
    if unknown:
        return f"unknown gate {unknown[0]!r}: run {run_id} has {', '.join(gates)}"
    if decision.action == "reject" and decision.gates:
        decisions = values.get("decisions", [])
        done = sum(1 for d in decisions if d["action"] == "reject" and d.get("gates"))
        if done >= MAX_REREVIEWS:
            return (
                f"run {run_id} has been sent back {done} times, the limit; "
                "approve or reject it without --gate"
            )
    if decision.action == "approve":
        return signoff_problem(values, decision)
    return None


def final_outcome(decision: Decision | None) -> str | None:
    """The outcome a final decision gives a run (None: it sends the run on). An approval of
    some gates is final once it completes the sign-off (graphs.signoff), so an approval is
    always an approved outcome when the run ends on it."""
    if decision is None or decision.action == "amend":
        return None
    if decision.action == "approve":
        return "approved"
    return None if decision.gates else "rejected"


def _is_claim_of(claim: Decision, decision: Decision) -> bool:
    """True when the claim is this decision (a claim made without the verdict hash takes the
    hash its applier recorded)."""
    if claim.verdict_sha256 is None:
        claim = claim.model_copy(update={"verdict_sha256": decision.verdict_sha256})
    return claim == decision


def _decided(amendment: Amendment) -> tuple[str, str, str, str]:
    """What a reviewer decided in an amendment (not the anchors the graph adds to it)."""
    return (amendment.finding_id, amendment.status, amendment.reason, amendment.reviewer)


def unaccepted_state(
    values: dict[str, Any], claimed: list[Decision], traced_verdict: str | None
) -> str | None:
    """Why a run's decisions, outcome or verdict are not what its human-review node accepted
    (each decision it applies is claimed in the workspace), or None when they are.

    A state written around the node (`update_state`, a `Command` that skips it, an edited
    database) names a decision nobody claimed, an outcome no decision gave, or a verdict the
    coordinator did not record.
    """
    run_id = values.get("run_id", "?")
    around = "written around the human-review node"
    try:
        recorded = [Decision.model_validate(d) for d in values.get("decisions") or []]
        amendments = {
            k: Amendment.model_validate(v) for k, v in (values.get("amendments") or {}).items()
        }
    except ValidationError:
        return f"run {run_id}: its decisions are not decisions ({around})"
    for decision in recorded:
        if not any(_is_claim_of(claim, decision) for claim in claimed):
            return (
                f"run {run_id}: the {decision.action} by {decision.reviewer} was never claimed "
                f"through the human-review node ({around})"
            )
    amended = {d.amendment.finding_id: d.amendment for d in recorded if d.amendment is not None}
    # Amendments carried from an earlier run rest on that run's decisions; the anchors the
    # graph adds (quotes, digest) are not part of what the reviewer decided.
    own = {k: _decided(a) for k, a in amendments.items() if a.carried_from is None}
    if own != {k: _decided(amended[k]) if k in amended else None for k in own}:
        return f"run {run_id}: its amendments are not the ones its reviewers made ({around})"
    outcome = values.get("outcome")
    if outcome is not None and outcome != final_outcome(recorded[-1] if recorded else None):
        return f"run {run_id}: no claimed decision made it {outcome} ({around})"
    current = verdict_sha256(values.get("verdict") or {})
    if traced_verdict is not None and values.get("verdict") and current != traced_verdict:
        return f"run {run_id}: its verdict is not the one the coordinator recorded in the trace"
    last = recorded[-1] if recorded else None
    if outcome is not None and last is not None and last.verdict_sha256 not in (None, current):
        return f"run {run_id}: its verdict changed after {last.reviewer} decided on it"
    return None


def _anchor_given(decision: Decision) -> bool:
    """Whether a decision brings its own anchor (graphs.amendments sets it; given, it would let
    an amendment be carried to later reviews on text of the decider's choosing)."""
    amendment = decision.amendment
    return amendment is not None and bool(
        amendment.quotes or amendment.text_sha256 or amendment.carried_from
    )
