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
from vocabulary.models import Decision, verdict_sha256

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


def _anchor_given(decision: Decision) -> bool:
    """Whether a decision brings its own anchor (graphs.amendments sets it; given, it would let
    an amendment be carried to later reviews on text of the decider's choosing)."""
    amendment = decision.amendment
    return amendment is not None and bool(
        amendment.quotes or amendment.text_sha256 or amendment.carried_from
    )
