"""Reading a run's trace back: load, verify against everything that vouches for it, export.

`trace --verify` checks, in order: the hash chain (an HMAC chain under GATEREVIEW_TRACE_KEY),
that the trace is this run's and matches the head anchored in the checkpoint database, that
no earlier segment was set aside as damaged, that every decision was taken on the verdict the
coordinator recorded, that the checkpointed verdict is the last one recorded, and that the
reports are the ones written (their hashes in the checkpoint, the last hash in the report).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from graphs.acceptance import state_problem
from graphs.anchors import trace_head
from graphs.runtrace import check_trace, earlier_segments
from graphs.settings import Settings
from graphs.workspace import Workspace
from runs.catalogue import refuse_path
from runs.faults import faults_as_errors
from traces import attributes as attr
from traces.schema import TraceRecord
from traces.verify import VerifyResult
from traces.viewer import load_records
from vocabulary.errors import RunNotFoundError
from vocabulary.models import verdict_sha256


def _workspace(run_id: str, settings: Settings) -> Workspace:
    refuse_path(run_id)
    workspace = Workspace(settings.home, settings.database_url)  # claims live with checkpoints
    if not (workspace.trace_file(run_id).is_file() or earlier_segments(workspace, run_id)):
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


def _failed(result: VerifyResult, problem: str, line: int | None) -> VerifyResult:
    return result.model_copy(update={"ok": False, "problem": problem, "first_bad_line": line})


def _decisions_problem(records: list[TraceRecord]) -> tuple[int, str] | None:
    """A decision taken on another verdict than the one the trace recorded before it."""
    recorded = None
    for record in records:
        if record.kind == "verdict" and record.attributes.get(attr.VERDICT_SHA256):
            recorded = record.attributes[attr.VERDICT_SHA256]
        taken = record.attributes.get(attr.DECISION_VERDICT_SHA256)
        if record.kind == "decision" and taken and recorded and taken != recorded:
            problem = "the decision was taken on another verdict than the coordinator recorded"
            return record.seq + 1, problem
    return None


def _files_problem(workspace: Workspace, run_id: str, report: dict[str, str]) -> str | None:
    """A report file that is not the one written (its hash is kept in the checkpoint)."""
    suffixes = {"markdown": "md", "json": "json", "html": "html"}
    for kind, suffix in suffixes.items():
        expected = report.get(f"{kind}_sha256")
        path = workspace.reports / f"{run_id}.{suffix}"
        if not expected:
            continue
        if not path.is_file():
            return f"the {kind} report {path} is missing"
        if hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            return f"the {kind} report {path} was edited after it was written"
    return None


@faults_as_errors
def verify_run_trace(
    run_id: str, settings: Settings, values: dict[str, Any] | None = None
) -> VerifyResult:
    """Verify the run's trace against its chain, anchor, decisions, checkpoint and reports.

    `values` is the run's checkpointed state (None when the checkpoint cannot be read).
    """
    workspace = _workspace(run_id, settings)
    result = check_trace(workspace, run_id)
    if not result.ok:
        return result
    head = trace_head(workspace.database, run_id)
    if head is not None and result.records > head.records:
        problem = (
            f"records after line {head.records} are not anchored in the database: written by "
            "a process that stopped before anchoring them (resume the run), or added by hand"
        )
        return _failed(result, problem, head.records + 1)
    records = load_records(workspace.trace_file(run_id))
    previous = records[0].attributes.get(attr.TRACE_PREVIOUS)
    if earlier_segments(workspace, run_id) or previous:
        where = (previous or {}).get("path") or "an earlier segment"
        problem = f"{where} was set aside as damaged ({(previous or {}).get('problem')}); "
        return _failed(result, problem + "this segment is intact", 1)
    if (found := _decisions_problem(records)) is not None:
        return _failed(result, found[1], found[0])
    verdicts = [r for r in records if r.kind == "verdict" and r.attributes.get(attr.VERDICT_SHA256)]
    if values and values.get("verdict") and verdicts:
        if verdict_sha256(values["verdict"]) != verdicts[-1].attributes[attr.VERDICT_SHA256]:
            problem = "the verdict in the checkpoint database is not the last one the trace records"
            return _failed(result, problem, verdicts[-1].seq + 1)
    if values and (accepted := state_problem(values, workspace)) is not None:
        return _failed(result, f"the checkpoint database: {accepted}", None)
    reported = reported_last_hash(workspace, run_id)
    if reported is not None and reported != result.last_hash:
        problem = (
            "the last hash differs from the one in the report: records were removed from the "
            "end or the chain was rewritten"
        )
        return _failed(result, problem, result.records)
    files = _files_problem(workspace, run_id, (values or {}).get("report") or {})
    return result if files is None else _failed(result, files, None)


@faults_as_errors
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
