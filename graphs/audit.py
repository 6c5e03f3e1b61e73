"""Reading a run's trace back: load, verify against the report's last hash, export."""

from __future__ import annotations

import json
import logging

from agents.errors import RunNotFoundError
from graphs.settings import Settings
from graphs.workspace import Workspace
from traces.schema import TraceRecord
from traces.verify import VerifyResult, verify_trace
from traces.viewer import load_records


def _workspace(run_id: str, settings: Settings) -> Workspace:
    workspace = Workspace(settings.home)
    if not workspace.trace_file(run_id).is_file():
        raise RunNotFoundError(f"no trace for run {run_id} in {workspace.traces}")
    return workspace


def reported_last_hash(workspace: Workspace, run_id: str) -> str | None:
    """The trace hash the final report recorded, if the run has one."""
    report = workspace.reports / f"{run_id}.json"
    if not report.is_file():
        return None
    return (
        json.loads(report.read_text(encoding="utf-8")).get("report", {}).get("trace_last_hash")
        or None
    )


def verify_run_trace(run_id: str, settings: Settings) -> VerifyResult:
    """Verify the hash chain, and that it still ends where the report says it ended."""
    workspace = _workspace(run_id, settings)
    return verify_trace(workspace.trace_file(run_id), reported_last_hash(workspace, run_id))


def trace_records(run_id: str, settings: Settings) -> list[TraceRecord]:
    """The run's trace records."""
    workspace = _workspace(run_id, settings)
    return load_records(workspace.trace_file(run_id))


def export_records(records: list[TraceRecord], endpoint: str) -> int:
    """Send already loaded trace records to an OTLP/HTTP collector; returns how many spans."""
    from traces.otlp import export_spans

    # The exporter logs each retry itself; the caller reports the outcome in one line.
    logging.getLogger("opentelemetry.exporter.otlp.proto.http").setLevel(logging.CRITICAL)
    return export_spans(records, endpoint=endpoint)


def export_trace(run_id: str, settings: Settings, endpoint: str) -> int:
    """Send the run's spans to an OTLP/HTTP collector; returns how many."""
    return export_records(trace_records(run_id, settings), endpoint)
