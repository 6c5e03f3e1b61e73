"""What the human-review node takes as a decision, and what finalise takes as decided.

The node reads an answer (a plain decision, or an Agent Inbox response) under the reviewer the
server authenticated, and records it with its own time and verdict hash. Finalise writes a
report only when the run's decisions are the ones the node claimed and its verdict is the one
the coordinator traced: a state written around the node gets no report.
"""

from __future__ import annotations

from typing import Any

from graphs.auth import Caller
from graphs.claims import claimed_decisions
from graphs.decisions import final_outcome, parse_decision, unaccepted_state
from graphs.inbox import inbox_decision, is_inbox_answer
from graphs.runtrace import traced_verdict
from graphs.workspace import Workspace
from vocabulary.models import Decision, utc_now, verdict_sha256


def answer_decision(raw: Any, caller: Caller | None) -> Decision | str:
    """The decision an answer stands for, under the reviewer the server authenticated (when it
    did), or one line saying why it is none."""
    reviewer = caller.identity if caller is not None else None
    if is_inbox_answer(raw):
        raw = inbox_decision(raw, reviewer)
        if isinstance(raw, str):
            return raw
    if caller is not None:
        if not caller.approver:
            return f"{caller.identity} has no approver role: it cannot decide"
        if isinstance(raw, dict):
            named = raw.get("reviewer")
            if named not in (None, caller.identity):
                return f"a decision by {caller.identity} cannot be recorded under {named!r}"
            raw = {**raw, "reviewer": caller.identity}
    return parse_decision(raw)


def as_taken(decision: Decision, state: dict[str, Any]) -> Decision:
    """The decision as the node records it: the time and the verdict hash are the node's, the
    amendment is the deciding reviewer's (what a caller sent for those is not kept)."""
    now = utc_now()
    amendment = decision.amendment
    if amendment is not None:
        amendment = amendment.model_copy(update={"reviewer": decision.reviewer, "at": now})
    taken = {"at": now, "amendment": amendment, "verdict_sha256": verdict_sha256(state["verdict"])}
    return decision.model_copy(update=taken)


def verdict_problem(state: dict[str, Any], workspace: Workspace) -> str | None:
    """Why the verdict awaiting a decision is not the one the coordinator traced, if it is not."""
    recorded = traced_verdict(workspace, state["run_id"])
    if recorded is not None and recorded != verdict_sha256(state["verdict"]):
        return (
            f"run {state['run_id']}: the verdict is not the one the coordinator recorded in the "
            "trace (the state was written around the graph); nothing was decided"
        )
    return None


def state_problem(values: dict[str, Any], workspace: Workspace) -> str | None:
    """Why a run's state is not what its human-review node accepted (see unaccepted_state)."""
    run_id = values.get("run_id", "?")
    claimed = claimed_decisions(workspace.store, run_id) if workspace.exists() else []
    return unaccepted_state(values, claimed, traced_verdict(workspace, run_id))


def finalise_problem(values: dict[str, Any], workspace: Workspace) -> str | None:
    """Why finalise must not write this run's report, or None."""
    problem = state_problem(values, workspace)
    if problem is not None:
        return problem
    decisions = values.get("decisions") or []
    last = Decision.model_validate(decisions[-1]) if decisions else None
    if final_outcome(last) is None:
        return f"run {values.get('run_id', '?')} reached finalise with no approval or rejection"
    return None
