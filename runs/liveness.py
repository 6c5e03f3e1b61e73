"""Which runs are being driven right now: a lock file per run, held while a process works on it.

The operating system drops a file lock when its process dies, so a run whose lock is free but
whose graph has steps left was stopped mid-way (`interrupted`), while a held lock means
`running`. The locks come from `filelock`, which works on every platform.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from graphs.workspace import Workspace
from vocabulary.errors import DecisionError


def _lock_path(workspace: Workspace, run_id: str) -> Path:
    return workspace.home / "locks" / f"{run_id}.lock"


@contextmanager
def driving(workspace: Workspace, run_id: str) -> Iterator[None]:
    """Hold the run's lock while this process advances it."""
    path = _lock_path(workspace, run_id)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    lock = FileLock(path, mode=0o600, preserve_lock_file=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise DecisionError(f"run {run_id} is being worked on by another process") from None
    try:
        yield
    finally:
        lock.release()


def is_running(workspace: Workspace, run_id: str) -> bool:
    """True when another process holds the run's lock."""
    path = _lock_path(workspace, run_id)
    if not path.exists():
        return False
    lock = FileLock(path, preserve_lock_file=True)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False
