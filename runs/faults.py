"""Workspace faults as one clear line: a read-only or full disk, a damaged database.

Operating-system and SQLite errors raised while a run is read or written become a
WorkspaceError naming the file and the fix. Anything else (a bug) keeps its traceback. A
damaged database is never written to or replaced: the message says how to set it aside.
"""

from __future__ import annotations

import errno
import functools
import inspect
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from graphs.settings import split_credentials
from graphs.workspace import Workspace
from vocabulary.errors import WorkspaceError

P = ParamSpec("P")
R = TypeVar("R")
LOW_SPACE = 1 << 20  # below this, a failed write is taken for a full disk
_READ_ONLY = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def read_only(path: object) -> str:
    """The message for a workspace that cannot be written."""
    return (
        f"{path}: the workspace cannot be written (read-only or permission denied); "
        "use a writable folder with --home or GATEREVIEW_HOME, or fix its permissions"
    )


def full(path: object) -> str:
    """The message for a full disk."""
    return (
        f"{path}: no space left on the device; free some space and run the command again "
        "(what was saved before is kept: an interrupted run resumes with `python main.py "
        "resume RUN`)"
    )


def damaged(path: object, detail: str) -> str:
    """The message for a database SQLite cannot read."""
    return (
        f"{path}: the checkpoint database is damaged ({detail}); it was left untouched. "
        "Restore it from a backup, or move it aside to start a new workspace "
        "(`python main.py doctor` lists what it affects)"
    )


def _nearly_full(workspace: Workspace) -> bool:
    try:
        return shutil.disk_usage(workspace.home).free < LOW_SPACE
    except OSError:
        return False


def _sqlite_message(workspace: Workspace, exc: sqlite3.Error) -> str | None:
    text = str(exc).lower()
    database = workspace.database
    if "not a database" in text or "malformed" in text:
        return damaged(database, str(exc))
    if "disk i/o" in text:  # SQLite's word for a failed write, a full disk's included
        if _nearly_full(workspace):
            return full(database)
        return (
            f"{database}: the disk reported an I/O error; check the disk, then run the "
            "command again (`python main.py doctor` checks the database)"
        )
    if "readonly" in text or "unable to open" in text or "read-only" in text:
        return read_only(database)
    if "full" in text:
        return full(database)
    if "locked" in text:
        return f"{database}: the database stayed locked by another process for 30 s; try again"
    return None


def _server_errors() -> tuple[type[BaseException], ...]:
    """Postgres' connection failures (a stopped server, a wrong password, an unknown host),
    when psycopg has been loaded: only a Postgres workspace loads it."""
    psycopg = sys.modules.get("psycopg")
    return (psycopg.OperationalError,) if psycopg is not None else ()


def server_message(workspace: Workspace, exc: BaseException) -> str:
    """One line for a database server that cannot be used, with no password in it."""
    url = workspace.database_url or ""
    shown, auth = split_credentials(url)
    if auth is not None:
        user = auth.split(":", 1)[0]
        shown = shown.replace("://", f"://{user}:***@" if user else "://***@", 1)
    detail = " ".join(str(exc).split())
    password = auth.split(":", 1)[1] if auth and ":" in auth else ""
    if password:
        detail = detail.replace(password, "***")
    return (
        f"the database {shown} cannot be used ({detail[:300]}); check --database-url "
        "(or GATEREVIEW_DATABASE_URL), the password and that the server is running"
    )


@contextmanager
def workspace_faults(workspace: Workspace) -> Iterator[None]:
    """Turn the environment's failures on the workspace into one-line WorkspaceErrors."""
    try:
        yield
    except _server_errors() as exc:
        raise WorkspaceError(server_message(workspace, exc)) from None
    except sqlite3.Error as exc:
        message = _sqlite_message(workspace, exc)
        if message is None:
            raise
        raise WorkspaceError(message) from None
    except OSError as exc:
        where = exc.filename or workspace.home
        if exc.errno in _READ_ONLY:
            raise WorkspaceError(read_only(where)) from None
        if exc.errno in _FULL:
            raise WorkspaceError(full(where)) from None
        if exc.errno == errno.ELOOP:
            raise WorkspaceError(
                f"{where}: is a symbolic link, and workspace files are never written through "
                "one; remove it"
            ) from None
        raise


def faults_as_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Run a run operation (sync or async, taking `settings`) under `workspace_faults`."""
    signature = inspect.signature(function)

    def workspace(args: tuple, kwargs: dict) -> Workspace:
        settings = signature.bind(*args, **kwargs).arguments["settings"]
        return Workspace(settings.home, settings.database_url)

    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
            with workspace_faults(workspace(args, kwargs)):
                return await function(*args, **kwargs)  # type: ignore[misc]

        return run_async  # type: ignore[return-value]

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with workspace_faults(workspace(args, kwargs)):
            return function(*args, **kwargs)

    return run
