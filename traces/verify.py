"""Tamper evidence: re-walk a trace's hash chain and its span tree."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ValidationError

from traces.schema import (
    CHAIN_ATTRIBUTE,
    END_KINDS,
    GENESIS_HASH,
    TRACE_KEY_VARIABLE,
    TraceError,
    TraceRecord,
    record_hash,
    strict_json,
)

TORN_TAIL = (
    "the last record is incomplete: its writer was killed mid-write "
    "(resuming the run cuts it and notes the repair in the next record)"
)


class VerifyResult(BaseModel):
    """The outcome of verifying one trace file."""

    ok: bool
    records: int  # how many records were read before the first problem (all, when ok)
    first_bad_line: int | None = None  # 1-based line number in the file
    problem: str | None = None
    last_hash: str | None = None  # hash of the last good record
    chain: str = "sha256"  # how the records are chained: sha256 or hmac-sha256
    torn_tail: bool = False  # only the last line is incomplete: the next append repairs it


def _check_line(
    number: int, raw: bytes, prev_hash: str, key: bytes | None
) -> tuple[TraceRecord | None, str | None]:
    """Check one line against its predecessor; returns the record or what is wrong."""
    try:
        data = strict_json(raw)
    except ValueError as exc:
        return None, f"not valid JSON ({getattr(exc, 'msg', exc)})"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    try:
        record = TraceRecord.model_validate(data)
    except ValidationError as exc:
        return None, f"not a trace record ({exc.error_count()} invalid fields)"
    expected_seq = number - 1
    if record.seq != expected_seq:
        return None, (
            f"seq is {record.seq} where {expected_seq} was expected: a record was inserted, "
            "removed or reordered"
        )
    if record.prev_hash != prev_hash:
        return None, "prev_hash does not match the previous record: the chain is broken here"
    if record_hash(data, key) != record.hash:
        return None, "hash does not match the content: the record was edited"
    return record, None


def _check_tree(records: list[TraceRecord]) -> tuple[int, str] | None:
    """Find the first record whose place in the span tree is wrong: (0-based index, problem)."""
    seen: set[str] = set()
    root: str | None = None
    for index, record in enumerate(records):
        if record.trace_id != records[0].trace_id:
            return index, f"trace_id {record.trace_id!r} differs from the run's"
        if record.kind == "run_start":
            if root is not None or record.parent_span_id is not None:
                return index, "a second workflow root (run_start)"
            root = record.span_id
        elif root is None:
            return index, f"{record.kind} before run_start"
        elif record.kind in END_KINDS:
            if record.span_id not in seen:
                return index, f"{record.kind} closes span {record.span_id}, which was never opened"
        elif record.parent_span_id not in seen:
            return index, f"parent span {record.parent_span_id} does not exist"
        seen.add(record.span_id)
    return None


def _chain(first: bytes, key: bytes | None) -> tuple[str, bytes | None, str | None]:
    """The chain the trace was started with, the key to check it with, or why it cannot be."""
    try:
        data = strict_json(first)
        chain = str(data["attributes"].get(CHAIN_ATTRIBUTE) or "sha256")
    except (ValueError, KeyError, TypeError, AttributeError):
        return "sha256", None, None  # the first line itself is reported as damaged
    if chain != "hmac-sha256":
        return chain, None, None
    if key is None:
        return chain, None, f"the trace is HMAC-chained: set {TRACE_KEY_VARIABLE} to verify it"
    return chain, key, None


def verify_records(
    lines: list[bytes], expected_last_hash: str | None = None, key: bytes | None = None
) -> VerifyResult:
    """Verify the lines of a trace file (see verify_trace)."""
    records: list[TraceRecord] = []
    prev_hash = GENESIS_HASH
    chain, key, problem = _chain(lines[0], key) if lines else ("sha256", None, None)
    if problem is not None:
        return VerifyResult(ok=False, records=0, first_bad_line=1, problem=problem, chain=chain)
    for number, raw in enumerate(lines, start=1):
        record, problem = _check_line(number, raw, prev_hash, key)
        if record is None:
            last = prev_hash if records else None
            return VerifyResult(
                ok=False,
                records=len(records),
                first_bad_line=number,
                problem=problem,
                last_hash=last,
                chain=chain,
            )
        records.append(record)
        prev_hash = record.hash
    if not records:
        return VerifyResult(ok=False, records=0, problem="the trace is empty")
    tree = _check_tree(records)
    if tree is not None:
        index, problem = tree
        return VerifyResult(
            ok=False,
            records=len(records),
            first_bad_line=index + 1,
            problem=problem,
            last_hash=prev_hash,
            chain=chain,
        )
    if expected_last_hash is not None and expected_last_hash != prev_hash:
        return VerifyResult(
            ok=False,
            records=len(records),
            first_bad_line=len(records),
            last_hash=prev_hash,
            problem="the last hash differs from the one in the report: records were removed "
            "from the end or the chain was rewritten",
            chain=chain,
        )
    return VerifyResult(ok=True, records=len(records), last_hash=prev_hash, chain=chain)


def verify_trace(
    path: Path, expected_last_hash: str | None = None, key: bytes | None = None
) -> VerifyResult:
    """Check every line's seq, prev_hash and hash, then the span tree; name the first bad line.

    `key` is needed for a trace started under GATEREVIEW_TRACE_KEY (an HMAC chain).
    """
    path = Path(path)
    if not path.is_file():
        raise TraceError(f"no trace file at {path}")
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last record
    elif lines:
        result = verify_records(lines[:-1], expected_last_hash, key)
        if not result.ok:
            return result
        # A last line without its newline is a write cut short by a killed process.
        return result.model_copy(
            update={
                "ok": False,
                "first_bad_line": len(lines),
                "problem": TORN_TAIL,
                "torn_tail": True,
            }
        )
    return verify_records(lines, expected_last_hash, key)


def last_hash(path: Path) -> str | None:
    """The hash of the file's last record (what the final report carries), None if empty."""
    path = Path(path)
    if not path.is_file():
        raise TraceError(f"no trace file at {path}")
    for raw in reversed(path.read_bytes().splitlines()):
        if raw.strip():
            try:
                return str(strict_json(raw)["hash"])
            except (ValueError, KeyError, TypeError) as exc:
                raise TraceError(f"{path}: the last line is not a trace record") from exc
    return None
