"""The trace record: one JSON object per line, chained by hashes."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agents.errors import GateReviewError

RecordKind = Literal[
    "run_start",
    "node_start",
    "node_end",
    "llm_call",
    "tool_call",
    "verification",
    "degradation",
    "decision",
    "verdict",
    "run_end",
]

# A span is opened by the first kind and closed by the second, with the same span id.
SPAN_END_KIND: dict[str, RecordKind] = {"run_start": "run_end", "node_start": "node_end"}
END_KINDS: frozenset[str] = frozenset(SPAN_END_KIND.values())

GENESIS_HASH = "0" * 64
# Set on run_start: how the records are chained. "hmac-sha256" needs GATEREVIEW_TRACE_KEY to
# verify or append; "sha256" (no key) shows accidental and naive edits, not a careful forger.
CHAIN_ATTRIBUTE = "gatereview.trace.chain"
TRACE_KEY_VARIABLE = "GATEREVIEW_TRACE_KEY"
ChainMode = Literal["sha256", "hmac-sha256"]


class TraceError(GateReviewError):
    """A trace file cannot be read or appended to (missing, truncated, not a trace)."""


class TraceRecord(BaseModel):
    """One line of a run's trace file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=0, description="0-based index of the line in the file.")
    ts: str = Field(description="ISO 8601 UTC time of the record (the end, if it has a duration).")
    kind: RecordKind
    trace_id: str = Field(min_length=1, description="The run id.")
    span_id: str = Field(min_length=1)
    parent_span_id: str | None = None
    name: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    duration_s: float | None = Field(default=None, ge=0)
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")

    @field_validator("ts")
    @classmethod
    def _ts_is_aware_iso(cls, value: str) -> str:
        """Reject timestamps that are not ISO 8601 with a timezone."""
        if parse_ts(value).tzinfo is None:
            raise ValueError("ts must carry a timezone")
        return value

    @property
    def time(self) -> datetime:
        """The record's timestamp as an aware datetime."""
        return parse_ts(self.ts)


def utc_now_iso() -> str:
    """The current UTC time as ISO 8601 with microseconds and a Z suffix."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_ts(value: str) -> datetime:
    """Parse an ISO 8601 timestamp (a trailing Z is accepted)."""
    return datetime.fromisoformat(value)


def canonical_json(data: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8 kept, no NaN."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def record_hash(data: dict[str, Any], key: bytes | None = None) -> str:
    """sha256 (or HMAC-SHA256 under `key`) of prev_hash + the record's canonical JSON."""
    body = {name: value for name, value in data.items() if name != "hash"}
    payload = (str(data.get("prev_hash", "")) + canonical_json(body)).encode("utf-8")
    if key is not None:
        return hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


def trace_key() -> bytes | None:
    """The HMAC key for trace chains, from GATEREVIEW_TRACE_KEY (None when unset)."""
    value = os.environ.get(TRACE_KEY_VARIABLE)
    return value.encode("utf-8") if value else None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        duplicate = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"duplicate key {duplicate!r}")
    return dict(pairs)


def strict_json(raw: bytes | str) -> Any:
    """Parse one trace line; a key given twice is an error (a reader could see either value)."""
    return json.loads(raw, object_pairs_hook=_unique_keys)
