"""Which gates of a run must be signed, and which signatures count on the verdict as it stands
(read by the view; graphs.signoff records them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agents.rubric_set import rubric_set_of
from vocabulary.models import Signature, verdict_sha256


def required_gates(values: Mapping[str, Any]) -> tuple[str, ...]:
    """The gates that must be signed: those with named approvers, else every gate."""
    gates = rubric_set_of(values).gates
    approvers = values.get("approvers") or {}
    return tuple(g for g in gates if g in approvers) if approvers else gates


def valid_signatures(values: Mapping[str, Any]) -> dict[str, Signature]:
    """The signatures taken on the verdict as it stands (earlier ones no longer count)."""
    current = verdict_sha256(values.get("verdict") or {})
    raw = values.get("signatures") or {}
    signed = {g: Signature.model_validate(raw[g]) for g in rubric_set_of(values).gates if g in raw}
    return {g: s for g, s in signed.items() if s.verdict_sha256 == current}


def unsigned_gates(values: Mapping[str, Any]) -> list[str]:
    """The required gates still to be signed on the verdict as it stands."""
    signed = valid_signatures(values)
    return [g for g in required_gates(values) if g not in signed]
