"""The trace file on disk: owner-only, appended under an exclusive lock, hash-chained."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from traces.schema import GENESIS_HASH, TraceError, canonical_json, record_hash, strict_json

FILE_MODE = 0o600
DIR_MODE = 0o700
# Set on the first record appended after an incomplete last line was cut: how many bytes.
TORN_TAIL_ATTRIBUTE = "gatereview.trace.torn_tail_bytes"


def ensure_private_dir(directory: Path) -> None:
    """Create the trace directory owner-only if it does not exist yet."""
    if not directory.exists():
        directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        directory.chmod(DIR_MODE)  # mkdir's mode is filtered by the umask


def drop_torn_tail(fd: int) -> int:
    """Cut an incomplete last line (a writer killed mid-write); returns the bytes dropped.

    Call with the file's flock held: writers hold it for the whole write, so a tail without
    its newline under the lock can only be left by a process that died writing it. Those
    bytes never formed a record, so no record is lost; the next record notes the repair.
    """
    size = os.fstat(fd).st_size
    end = size
    while end > 0:
        start = max(0, end - 4096)
        cut = os.pread(fd, end - start, start).rfind(b"\n")
        if cut >= 0:
            end = start + cut + 1
            break
        end = start
    if end < size:
        os.ftruncate(fd, end)
    return size - end


def read_tail(fd: int, path: Path) -> tuple[int, str]:
    """The next seq and prev_hash, continued from the open file's last record."""
    size = os.fstat(fd).st_size
    if size == 0:
        return 0, GENESIS_HASH
    chunk = 4096
    while True:
        start = max(0, size - chunk)
        data = os.pread(fd, size - start, start)
        if not data.endswith(b"\n"):
            raise TraceError(f"{path} ends with an incomplete record; check it with trace --verify")
        body = data[:-1]
        cut = body.rfind(b"\n")
        if cut >= 0 or start == 0:
            last = body[cut + 1 :]
            break
        chunk *= 4
    try:
        record = strict_json(last)
        return int(record["seq"]) + 1, str(record["hash"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TraceError(f"{path}: the last line is not a trace record ({exc})") from exc


def _write_all(fd: int, payload: bytes) -> None:
    """os.write until every byte is out (a regular file rarely needs a second call)."""
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view) :]


def append_chained(
    path: Path, pending: list[dict[str, Any]], key: bytes | None = None
) -> tuple[int, str]:
    """Chain pending records onto the file's tail and append them (an HMAC chain under `key`).

    Returns the file's new head: how many records it holds and the last one's hash.
    """
    ensure_private_dir(path.parent)
    # O_NOFOLLOW: a link planted in the trace's place is an error, never written through.
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the tail must not move between reading and writing
        if os.fstat(fd).st_mode & 0o077:
            os.fchmod(fd, FILE_MODE)
        torn = drop_torn_tail(fd)
        if torn:
            first = pending[0]
            pending = [
                {**first, "attributes": {**first["attributes"], TORN_TAIL_ATTRIBUTE: torn}},
                *pending[1:],
            ]
        seq, prev = read_tail(fd, path)
        lines = []
        for record in pending:
            data = {**record, "seq": seq, "prev_hash": prev}
            data["hash"] = prev = record_hash(data, key)
            lines.append(canonical_json(data) + "\n")
            seq += 1
        size = os.fstat(fd).st_size
        try:
            _write_all(fd, "".join(lines).encode("utf-8"))
        except OSError:
            os.ftruncate(fd, size)  # a full disk leaves no partial record behind
            raise
    finally:
        os.close(fd)  # closing the descriptor releases the flock
    return seq, prev
