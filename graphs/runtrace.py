"""A run's trace as the graph writes it: anchored in the database, checked before it is
continued, and continued in a new segment when it was damaged, so no decision is blocked.

The damaged file is kept beside the new one (`traces/RUN.segment-N.jsonl`) and the new
segment's first record says what was wrong with it; `trace --verify` keeps reporting it.
"""

from __future__ import annotations

import os
from pathlib import Path

from graphs.anchors import TraceHead, anchor_head, trace_head
from graphs.workspace import Workspace
from traces import attributes as attr
from traces.recorder import TraceRecorder
from traces.schema import TRACE_KEY_VARIABLE, TraceError, strict_json, trace_key
from traces.verify import VerifyResult, verify_trace
from traces.viewer import load_records


def segment_file(workspace: Workspace, run_id: str, segment: int) -> Path:
    """Where an earlier, damaged segment of a run's trace is kept."""
    return workspace.traces / f"{run_id}.segment-{segment}.jsonl"


def earlier_segments(workspace: Workspace, run_id: str) -> list[Path]:
    """The damaged segments kept for a run, oldest first."""
    return sorted(
        workspace.traces.glob(f"{run_id}.segment-*.jsonl"),
        key=lambda p: int(p.stem.rsplit("-", 1)[-1]),
    )


def _segment_of(first: dict) -> int:
    return int((first.get("attributes") or {}).get(attr.TRACE_SEGMENT) or 1)


def _bad(result: VerifyResult, problem: str, line: int | None = None) -> VerifyResult:
    return result.model_copy(update={"ok": False, "problem": problem, "first_bad_line": line})


def check_trace(workspace: Workspace, run_id: str) -> VerifyResult:
    """The current segment verified as a chain, and against its run and its anchored head."""
    path = workspace.trace_file(run_id)
    if not path.is_file():
        return VerifyResult(ok=False, records=0, problem=f"the trace file {path} is missing")
    result = verify_trace(path, key=trace_key())
    if not result.ok and not result.torn_tail:
        return result
    lines = path.read_bytes().split(b"\n")[: result.records]
    first = strict_json(lines[0])
    if first["trace_id"] != run_id:
        return _bad(result, f"the trace is run {first['trace_id']}'s, not {run_id}'s", 1)
    head = trace_head(workspace.database, run_id)
    if head is None:
        return result
    segment = _segment_of(first)
    if segment != head.segment:
        where = f"segment {head.segment} is anchored in the database, the file is segment"
        return _bad(result, f"{where} {segment}: the file was replaced", 1)
    if result.records < head.records:
        return _bad(
            result,
            f"the trace ends after {result.records} records where the database anchored "
            f"{head.records}: records were cut from the end or the file was replaced",
            result.records + 1,
        )
    if strict_json(lines[head.records - 1])["hash"] != head.last_hash:
        problem = "record differs from the one anchored in the database: the file was rewritten"
        return _bad(result, problem, head.records)
    return result


def traced_verdict(workspace: Workspace, run_id: str) -> str | None:
    """The hash of the verdict the trace last recorded, when the trace is intact enough to
    trust (a decision must be taken on that verdict)."""
    check = check_trace(workspace, run_id)
    if not (check.ok or check.torn_tail):
        return None
    records = load_records(workspace.trace_file(run_id), limit=check.records)
    hashes = [r.attributes.get(attr.VERDICT_SHA256) for r in records if r.kind == "verdict"]
    return next((h for h in reversed(hashes) if h), None)


def anchor_trace(workspace: Workspace, recorder: TraceRecorder) -> None:
    """Record the head this process's recorder left in the database (after each invocation:
    a write from inside the graph would wait on the checkpointer's own transaction)."""
    recorder.flush()
    if recorder.records is None or recorder.last_hash is None:
        return
    first = strict_json(recorder.path.read_bytes().split(b"\n", 1)[0])
    head = TraceHead(_segment_of(first), recorder.records, recorder.last_hash)
    anchor_head(workspace.database, recorder.run_id, head)


def new_trace(workspace: Workspace, run_id: str) -> TraceRecorder:
    """The recorder of a new run's trace (segment 1)."""
    return TraceRecorder(workspace.trace_file(run_id), run_id, key=trace_key())


def continue_trace(
    workspace: Workspace, run_id: str, start: dict | None = None
) -> tuple[TraceRecorder, str | None]:
    """The recorder that continues a run's trace, and a warning when a new segment was needed.

    A healthy trace (records after the anchored head included, and a torn last line, which
    the next append cuts) is continued; a missing, damaged, cut or swapped one is kept aside
    and a new segment opens with `start` attributes and what was wrong with the old one.
    """
    path = workspace.trace_file(run_id)
    check = check_trace(workspace, run_id)
    if check.ok or check.torn_tail:
        return TraceRecorder(path, run_id, key=trace_key()), None
    if check.chain == "hmac-sha256" and trace_key() is None:  # not damaged: keyed
        raise TraceError(f"{path} is HMAC-chained: set {TRACE_KEY_VARIABLE} to continue it")
    head = trace_head(workspace.database, run_id)
    segment = head.segment if head else 1
    kept = None
    if path.exists():
        kept = segment_file(workspace, run_id, segment)
        os.replace(path, kept)
    where = f"line {check.first_bad_line}: " if check.first_bad_line else ""
    problem = f"{where}{check.problem}"
    recorder = TraceRecorder(path, run_id, key=trace_key())
    previous = {"path": kept.name if kept else None, "problem": problem}
    opening = {**(start or {}), attr.TRACE_SEGMENT: segment + 1, attr.TRACE_PREVIOUS: previous}
    recorder.start_span("run_start", "review", attributes=opening)
    anchor_trace(workspace, recorder)
    kept_as = f"kept as {kept}" if kept else "not found"
    return recorder, (
        f"the trace of run {run_id} was damaged ({problem}); it is {kept_as} and a new "
        f"segment, {path}, records what follows"
    )
