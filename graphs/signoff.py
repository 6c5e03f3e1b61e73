"""Sign-off per gate: named approvers sign the gates they answer for; the run is final when
every required gate is signed on the verdict as it stands.

Without named approvers every gate of the run is required and anyone may sign (a plain
approve signs them all, as a single approval always did). With them (`--approvers
risk=ana,platform=li`, or the `approvers` setting), the gates named are required and only
their approvers sign them; a plain approve signs every required gate its reviewer is named
for. A signature keeps the hash of the verdict it saw: one taken on an earlier verdict (before
an amendment or a re-review) no longer counts. Racing signers are settled by the decision
claim (graphs.claims): one decision per pending checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langgraph.types import Command
from pydantic import TypeAdapter, ValidationError

from exports.signatures import required_gates, valid_signatures
from vocabulary.errors import GateReviewError
from vocabulary.models import Decision, ReviewerName, Signature, verdict_sha256

_NAME = TypeAdapter(ReviewerName)


def check_approvers(approvers: Mapping[str, list[str]], gates: Sequence[str]) -> dict:
    """The approvers table for a run of these gates; an unknown gate or a bad name is refused."""
    table: dict[str, list[str]] = {}
    for gate, names in approvers.items():
        if gate not in gates:
            raise GateReviewError(f"--approvers: unknown gate {gate!r} (gates: {', '.join(gates)})")
        try:
            table[gate] = [_NAME.validate_python(n) for n in names]
        except ValidationError as exc:
            message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            raise GateReviewError(f"--approvers {gate}: {message}") from None
        if not table[gate]:
            raise GateReviewError(f"--approvers {gate}: no approver named")
    return table


def _same(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _gates_signed(values: Mapping[str, Any], decision: Decision) -> list[str]:
    """The gates this approval signs: those it names, else every required gate not signed yet
    that its reviewer may sign."""
    if decision.gates:
        return list(dict.fromkeys(decision.gates))
    approvers = values.get("approvers") or {}
    signed = valid_signatures(values)
    return [
        g
        for g in required_gates(values)
        if g not in signed
        and (not approvers or any(_same(decision.reviewer, n) for n in approvers[g]))
    ]


def signoff_problem(values: Mapping[str, Any], decision: Decision) -> str | None:
    """Why this approval cannot sign now, or None when it can."""
    run_id = values.get("run_id", "?")
    approvers = values.get("approvers") or {}
    gates = _gates_signed(values, decision)
    if not gates:
        mine = [
            g for g, names in approvers.items() if any(_same(decision.reviewer, n) for n in names)
        ]
        if mine:
            return f"run {run_id}: {', '.join(mine)} already signed on this verdict"
        named = "; ".join(f"{g}: {', '.join(n)}" for g, n in approvers.items())
        return f"{decision.reviewer} is not a named approver of run {run_id} ({named})"
    signed = valid_signatures(values)
    for gate in gates:
        if approvers and gate not in approvers:
            named = ", ".join(approvers)
            return f"gate {gate} of run {run_id} needs no sign-off (approvers name {named})"
        if approvers and not any(_same(decision.reviewer, n) for n in approvers[gate]):
            return (
                f"{decision.reviewer} is not an approver of gate {gate} "
                f"(approvers: {', '.join(approvers[gate])})"
            )
        if gate in signed:
            by = signed[gate]
            return f"gate {gate} of run {run_id} was already signed by {by.reviewer} at {by.at}"
    return None


def sign_off(values: Mapping[str, Any], decision: Decision) -> Command:
    """Record this approval's signatures; finalise once every required gate is signed, else
    wait for the next signer."""
    seen = decision.verdict_sha256 or verdict_sha256(values.get("verdict") or {})
    new = {
        g: Signature(
            gate=g, reviewer=decision.reviewer, at=decision.at, verdict_sha256=seen,
            comment=decision.comment,
        ).model_dump()
        for g in _gates_signed(values, decision)
    }  # fmt: skip
    update = {"decisions": [decision.model_dump()], "signatures": new}
    signed = set(
        valid_signatures({**values, "signatures": {**(values.get("signatures") or {}), **new}})
    )
    if set(required_gates(values)) <= signed:
        return Command(goto="finalise", update={**update, "outcome": "approved"})
    return Command(goto="human_review", update=update)
