"""Which runs are being driven right now: a lock file per run, held while a process works on it.

The kernel drops an `flock` when its process dies, so a run whose lock is free but whose graph
has steps left was stopped mid-way (`interrupted`), while a held lock means `running`.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from agents.errors import DecisionError
from graphs.workspace import Workspace


def _lock_path(workspace: Workspace, run_id: str) -> str:
    folder = workspace.home / "locks"
    folder.mkdir(mode=0o700, exist_ok=True)
    return str(folder / f"{run_id}.lock")


@contextmanager
def driving(workspace: Workspace, run_id: str) -> Iterator[None]:
    """Hold the run's lock while this process advances it."""
    fd = os.open(_lock_path(workspace, run_id), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DecisionError(f"run {run_id} is being worked on by another process") from None
        yield
    finally:
        os.close(fd)


def is_running(workspace: Workspace, run_id: str) -> bool:
    """True when another process holds the run's lock."""
    path = workspace.home / "locks" / f"{run_id}.lock"
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False

