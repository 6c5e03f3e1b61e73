"""Append-only, hash-chained, buffered trace writer for one run."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from traces import attributes as attr
from traces.redaction import redact_secrets, secret_env_values
from traces.schema import (
    CHAIN_ATTRIBUTE,
    END_KINDS,
    GENESIS_HASH,
    SPAN_END_KIND,
    TRACE_KEY_VARIABLE,
    RecordKind,
    TraceError,
    TraceRecord,
    parse_ts,
    strict_json,
    utc_now_iso,
)
from traces.tracefile import append_chained

__all__ = ["TraceRecorder", "redact_secrets"]

# Kinds after which the buffer is written at once: node boundaries, decisions, the run's ends.
_FLUSH_KINDS = frozenset({"run_start", "node_start", "node_end", "decision", "verdict", "run_end"})
_CONVERSATION_KINDS = frozenset({"run_start", "node_start", "llm_call", "tool_call"})
_DEFAULT_OPERATION = {
    "run_start": attr.OP_INVOKE_WORKFLOW,
    "llm_call": attr.OP_CHAT,
    "tool_call": attr.OP_EXECUTE_TOOL,
}


def new_span_id() -> str:
    """A random, non-zero 64-bit span id as 16 hex digits (the OpenTelemetry shape)."""
    while (value := secrets.randbits(64)) == 0:
        pass
    return f"{value:016x}"


def _json_default(value: Any) -> Any:
    """Make models, paths, times and sets JSON-serialisable."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def _to_json_values(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Round-trip through JSON so what is hashed is exactly what is read back."""
    return json.loads(json.dumps(dict(attributes), default=_json_default, allow_nan=False))


class TraceRecorder:
    """Writes one run's trace; safe across threads and across processes appending to one file."""

    def __init__(
        self,
        path: Path,
        run_id: str,
        *,
        flush_every: int = 64,
        key: bytes | None = None,
    ) -> None:
        """Open (or prepare to create) the run's trace file; nothing is written until a flush.

        `key` HMAC-chains a new trace (an existing one keeps the chain it started with).
        """
        self.path = Path(path)
        self.run_id = run_id
        self.flush_every = max(1, flush_every)
        self._key = key
        self.records: int | None = None  # records in the file after this recorder's last flush
        self.last_hash: str | None = None
        self._lock = threading.Lock()
        self._buffer: list[dict[str, Any]] = []
        self._open: dict[str, tuple[RecordKind, str, str | None, float]] = {}
        self._known: set[str] = set()
        self._root: str | None = None
        self._root_name = "review"
        self._root_started: datetime | None = None
        # Read once: scanning the environment for every record cost a tenth of a review.
        self._secrets = secret_env_values()
        self._load_existing()

    @property
    def root_span_id(self) -> str | None:
        """The workflow root span (from run_start), None before the run starts."""
        return self._root

    def _load_existing(self) -> None:
        """Learn span ids and the root from a file an earlier process wrote."""
        if not self.path.exists():
            return
        for line in self.path.read_bytes().splitlines():
            try:
                data = strict_json(line)
            except ValueError:
                continue  # verify reports it; the caller decides whether to continue the file
            if not isinstance(data, dict) or "span_id" not in data:
                continue
            self._known.add(str(data["span_id"]))
            if data.get("kind") == "run_start" and self._root is None:
                self._root = str(data["span_id"])
                self._root_name = str(data.get("name", "review"))
                self._root_started = parse_ts(str(data["ts"]))
                self._follow_chain(str((data.get("attributes") or {}).get(CHAIN_ATTRIBUTE)))
            self.last_hash = str(data.get("hash"))

    def _follow_chain(self, chain: str) -> None:
        """Continue a file with the chain it was started with."""
        if chain != "hmac-sha256":
            self._key = None
        elif self._key is None:
            raise TraceError(
                f"{self.path} is HMAC-chained: set {TRACE_KEY_VARIABLE} to the run's key to "
                "continue it"
            )

    def start_span(
        self,
        kind: Literal["run_start", "node_start"],
        name: str,
        parent: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        **attrs: Any,
    ) -> str:
        """Open a span (the workflow root or a node) and return its span id."""
        if kind not in SPAN_END_KIND:
            raise ValueError(f"start_span opens run_start or node_start spans, not {kind!r}")
        if kind == "run_start" and (self._root is not None or parent is not None):
            raise ValueError("a run has exactly one run_start, with no parent")
        merged = {**(attributes or {}), **attrs}
        with self._lock:
            span_id = self._append(kind, name, parent, merged, None, new_span_id())
            self._open[span_id] = (kind, name, self._buffer[-1]["parent_span_id"], time.monotonic())
        self._maybe_flush(kind)
        return span_id

    def end_span(
        self, span_id: str, attributes: Mapping[str, Any] | None = None, **attrs: Any
    ) -> None:
        """Close a span opened here (or the root, from any process) with its duration."""
        merged = {**(attributes or {}), **attrs}
        with self._lock:
            if span_id in self._open:
                kind, name, parent, started = self._open.pop(span_id)
                duration = time.monotonic() - started
            elif span_id == self._root and self._root_started is not None:
                kind, name, parent = "run_start", self._root_name, None
                duration = (datetime.now(UTC) - self._root_started).total_seconds()
            else:
                raise ValueError(f"span {span_id} is not open in this recorder")
            end_kind = SPAN_END_KIND[kind]
            self._append(end_kind, name, parent, merged, max(0.0, duration), span_id)
        self._maybe_flush(end_kind)

    def end_run(self, attributes: Mapping[str, Any] | None = None, **attrs: Any) -> None:
        """Close the workflow root span (run_end) and flush."""
        if self._root is None:
            raise ValueError("the run has not started")
        self.end_span(self._root, attributes, **attrs)

    @contextmanager
    def node(
        self, name: str, parent: str | None = None, attributes: Mapping[str, Any] | None = None
    ) -> Iterator[str]:
        """A node span around a block; an *Interrupt exception ends it interrupted, not failed."""
        span_id = self.start_span("node_start", name, parent, attributes)
        end: dict[str, Any] = {attr.STATUS: "ok"}
        try:
            yield span_id
        except BaseException as exc:
            names = [cls.__name__ for cls in type(exc).__mro__]
            if any(name.endswith("Interrupt") for name in names):  # langgraph's GraphInterrupt
                end[attr.STATUS] = "interrupted"
            elif "GraphBubbleUp" not in names:  # other bubble-ups are control flow, not failure
                end = {attr.STATUS: "error", attr.ERROR_TYPE: type(exc).__qualname__}
            raise
        finally:
            self.end_span(span_id, end)

    def record(
        self,
        kind: RecordKind,
        name: str,
        parent_span_id: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        duration_s: float | None = None,
    ) -> str:
        """Record a completed event (model call, tool call, ...) as its own span; returns its id."""
        if kind in SPAN_END_KIND or kind in END_KINDS:
            raise ValueError(f"use start_span/end_span for {kind!r}")
        with self._lock:
            span_id = self._append(
                kind, name, parent_span_id, dict(attributes or {}), duration_s, new_span_id()
            )
        self._maybe_flush(kind)
        return span_id

    def _append(
        self,
        kind: RecordKind,
        name: str,
        parent: str | None,
        attributes: dict[str, Any],
        duration_s: float | None,
        span_id: str,
    ) -> str:
        """Build a pending record (seq and hashes come at flush); caller holds the lock."""
        if kind not in ("run_start", "run_end"):
            if self._root is None:
                raise ValueError("record run_start before anything else")
            parent = parent or self._root
            if parent not in self._known:
                raise ValueError(f"parent span {parent} does not exist in this trace")
        if kind in _DEFAULT_OPERATION:
            attributes.setdefault(attr.OPERATION_NAME, _DEFAULT_OPERATION[kind])
        if kind == "node_start" and attr.AGENT_NAME in attributes:
            attributes.setdefault(attr.OPERATION_NAME, attr.OP_INVOKE_AGENT)
        if kind in _CONVERSATION_KINDS:
            attributes.setdefault(attr.CONVERSATION_ID, self.run_id)
        if kind == "run_start":
            attributes[CHAIN_ATTRIBUTE] = "hmac-sha256" if self._key else "sha256"
        pending = {
            "ts": utc_now_iso(),
            "kind": kind,
            "trace_id": self.run_id,
            "span_id": span_id,
            "parent_span_id": parent,
            "name": redact_secrets({"name": name}, secrets=self._secrets)["name"],
            "attributes": redact_secrets(_to_json_values(attributes), secrets=self._secrets),
            "duration_s": None if duration_s is None else float(duration_s),
        }
        # Validate now, so a bad record fails its caller instead of jamming every later flush.
        placeholders = {"seq": 0, "prev_hash": GENESIS_HASH, "hash": GENESIS_HASH}
        TraceRecord.model_validate({**pending, **placeholders})
        if kind == "run_start":
            self._root, self._root_name = span_id, name
            self._root_started = datetime.now(UTC)
        self._known.add(span_id)
        self._buffer.append(pending)
        return span_id

    def _maybe_flush(self, kind: str) -> None:
        """Flush at node boundaries, decisions and run ends, or when the buffer is full."""
        if kind in _FLUSH_KINDS or len(self._buffer) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        """Append buffered records under an exclusive lock, continuing the file's hash chain."""
        with self._lock:
            if self._buffer:
                self.records, self.last_hash = append_chained(self.path, self._buffer, self._key)
                self._buffer.clear()

    def close(self) -> None:
        """Flush whatever is buffered."""
        self.flush()

    def __enter__(self) -> TraceRecorder:
        """Use as a context manager that flushes on exit."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Flush on exit, also when the block raised."""
        self.close()
