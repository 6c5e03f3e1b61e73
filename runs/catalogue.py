"""The run catalogue: each run's latest view, kept beside its checkpoints for fast reading.

`runs` and `show` read views from here without loading LangGraph (over half a second of
imports). A view is saved with the mark of the checkpoint it was built from (the latest
checkpoint id and the number of writes pending on it); a run whose mark has moved since (a
process killed mid-step, a decision being applied, a run saved before the catalogue existed)
is read from its checkpoints instead, and its view saved again. The checkpoints stay the only
truth: the catalogue is a cache of what `build_view` made of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from graphs.settings import Settings
from graphs.workspace import Workspace
from runs.faults import faults_as_errors
from runs.liveness import is_running
from vocabulary.errors import RunNotFoundError
from vocabulary.models import RunState, Strict

if TYPE_CHECKING:  # views are parsed only by `show` and friends, not by `runs`
    from exports.view import RunView

Mark = tuple[str, int]  # latest checkpoint id, writes pending on it

_SCHEMA = """
-- A new layout gets a new table name: an older one is left unread, never misread.
CREATE TABLE IF NOT EXISTS catalogue_v1 (
    run_id TEXT PRIMARY KEY,
    checkpoint_id TEXT NOT NULL,
    writes INTEGER NOT NULL,
    summary TEXT NOT NULL,
    view TEXT NOT NULL
)
"""
# The latest checkpoint of every run (as LangGraph's SqliteSaver orders them) and its writes.
_MARKS = """
SELECT latest.thread_id, latest.checkpoint_id,
       (SELECT COUNT(*) FROM writes
         WHERE writes.thread_id = latest.thread_id AND writes.checkpoint_ns = ''
           AND writes.checkpoint_id = latest.checkpoint_id)
FROM (SELECT thread_id, MAX(checkpoint_id) AS checkpoint_id FROM checkpoints
       WHERE checkpoint_ns = '' {where} GROUP BY thread_id) AS latest
"""


class RunSummary(Strict):
    """One line of `runs`: a run's id, state, verdict, documents and start."""

    run_id: str
    state: RunState
    created_at: str | None = None
    verdict: str | None = Field(default=None, description="The overall verdict, if any")
    documents: list[str] = Field(default_factory=list, description="Reviewed paths")
    project: str | None = Field(default=None, description="Portfolio project, if any")

    @classmethod
    def of(cls, view: RunView) -> RunSummary:
        """The summary of a run's view."""
        return cls(
            run_id=view.run_id,
            state=view.state,
            created_at=view.created_at,
            verdict=view.verdict.overall if view.verdict else None,
            documents=[d.path for d in view.documents],
            project=view.project,
        )


@contextmanager
def _connect(database: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 30000")
        # A cache that is checked against the checkpoints: losing a write to a power cut is
        # harmless, so it need not wait for the disk (the checkpoints' own writes still do).
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(_SCHEMA)
        yield conn
    finally:
        conn.close()


def _marks(conn: sqlite3.Connection, run_id: str | None = None) -> dict[str, Mark]:
    where, args = ("AND thread_id = ?", (run_id,)) if run_id else ("", ())
    try:
        rows = conn.execute(_MARKS.format(where=where), args).fetchall()
    except sqlite3.OperationalError:  # no checkpoint tables yet: no run was ever saved
        return {}
    return {run: (checkpoint, writes) for run, checkpoint, writes in rows}


def latest_mark(database: Path, run_id: str) -> Mark | None:
    """The mark of a run's latest checkpoint, or None when it has none."""
    with _connect(database) as conn:
        return _marks(conn, run_id).get(run_id)


def save_view(database: Path, view: RunView, mark: Mark) -> None:
    """Keep a run's view, built from the checkpoint with this mark."""
    summary = RunSummary.of(view).model_dump_json()
    with _connect(database) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO catalogue_v1 VALUES (?, ?, ?, ?, ?)",
            (view.run_id, mark[0], mark[1], summary, view.model_dump_json()),
        )


def _saved(
    workspace: Workspace, run_ids: list[str] | None, column: str
) -> tuple[dict[str, str], list[str]]:
    """The catalogued `column` (JSON) of each run still at its saved mark, and the runs that
    are not (the order of `run_ids`, or all runs when None)."""
    if not workspace.exists():
        if run_ids:
            raise RunNotFoundError(f"no run {run_ids[0]} in {workspace.home} (no reviews yet)")
        return {}, []
    if workspace.database_url is not None:  # Postgres: no catalogue, every run read directly
        from runs.operations import all_run_ids  # loads LangGraph: only when needed

        return {}, list(run_ids) if run_ids is not None else all_run_ids(workspace)
    with _connect(workspace.database) as conn:
        marks = _marks(conn, run_ids[0] if run_ids and len(run_ids) == 1 else None)
        wanted = list(marks) if run_ids is None else run_ids
        for run_id in wanted:
            if run_id not in marks:
                raise RunNotFoundError(f"no run {run_id} in {workspace.home}")
        query = f"SELECT run_id, checkpoint_id, writes, {column} FROM catalogue_v1"
        if run_ids is not None:
            query += f" WHERE run_id IN ({', '.join('?' * len(run_ids))})"
        rows = conn.execute(query, run_ids or ()).fetchall()
    fresh = {run: text for run, *mark, text in rows if tuple(mark) == marks.get(run)}
    return fresh, [run_id for run_id in wanted if run_id not in fresh]


def _checkpointed(workspace: Workspace, run_ids: list[str]) -> list[RunView]:
    if not run_ids:
        return []
    from runs.operations import views_from_checkpoints  # loads LangGraph: only when needed

    return views_from_checkpoints(workspace, run_ids)


def _live(workspace: Workspace, run_id: str, state: RunState) -> RunState:
    """An interrupted run whose lock another process holds is running."""
    return "running" if state == "interrupted" and is_running(workspace, run_id) else state


@faults_as_errors
def load_runs(settings: Settings, run_ids: list[str] | None = None) -> list[RunView]:
    """Views of the given runs (all runs when None), newest first."""
    from pydantic import ValidationError

    from exports.view import RunView

    workspace = Workspace(settings.home, settings.database_url)
    fresh, stale = _saved(workspace, run_ids, "view")
    views = []
    for run_id, text in fresh.items():
        try:
            views.append(RunView.model_validate_json(text))
        except ValidationError:  # saved by another version of the view: read it afresh
            stale.append(run_id)
    views += _checkpointed(workspace, stale)
    views = [v.model_copy(update={"state": _live(workspace, v.run_id, v.state)}) for v in views]
    return sorted(views, key=lambda v: v.created_at or "", reverse=True)


def load_run(run_id: str, settings: Settings) -> RunView:
    """The view of one run, with its conditions' owners and due dates."""
    from runs.conditions import with_assignments

    return with_assignments(load_runs(settings, [run_id])[0], settings)


@faults_as_errors
def list_runs(settings: Settings) -> list[RunSummary]:
    """A summary of every run, newest first (what `runs` shows)."""
    workspace = Workspace(settings.home, settings.database_url)
    fresh, stale = _saved(workspace, None, "summary")
    summaries = [RunSummary.model_validate_json(text) for text in fresh.values()]
    summaries += [RunSummary.of(view) for view in _checkpointed(workspace, stale)]
    summaries = [
        s.model_copy(update={"state": _live(workspace, s.run_id, s.state)}) for s in summaries
    ]
    return sorted(summaries, key=lambda s: s.created_at or "", reverse=True)


LATEST = "latest"


@faults_as_errors
def resolve_run(settings: Settings, name: str) -> str:
    """The run a user named: its id, `latest` (the newest run), or a prefix only one run's id
    starts with. An unknown name is returned as it is, for the caller's own error."""
    refuse_path(name)
    workspace = Workspace(settings.home, settings.database_url)
    if not workspace.exists():
        return name
    if name == LATEST:
        return _newest(workspace, list_runs(settings))
    run_ids = _all_ids(workspace)
    if name in run_ids or not name:
        return name
    matches = sorted(run_id for run_id in run_ids if run_id.startswith(name))
    if len(matches) > 1:
        shown = ", ".join(matches[:5]) + (", ..." if len(matches) > 5 else "")
        raise RunNotFoundError(f"{name} is the start of {len(matches)} runs ({shown}): give more")
    return matches[0] if matches else name


def _newest(workspace: Workspace, summaries: list[RunSummary]) -> str:
    """The run started last: by its start time (to the second), then, for runs started in
    the same second, by its first checkpoint (LangGraph's ids are ordered by time)."""
    if not summaries:
        raise RunNotFoundError(f"no runs in {workspace.home} yet: `latest` names none")
    tied = [s.run_id for s in summaries if s.created_at == summaries[0].created_at]
    if len(tied) == 1 or workspace.database_url is not None:
        return tied[0]
    marks = ", ".join("?" * len(tied))
    query = (
        "SELECT thread_id FROM checkpoints WHERE checkpoint_ns = '' "
        f"AND thread_id IN ({marks}) GROUP BY thread_id ORDER BY MIN(checkpoint_id) DESC LIMIT 1"
    )
    with _connect(workspace.database) as conn:
        row = conn.execute(query, tied).fetchone()
    return str(row[0]) if row else tied[0]


def refuse_path(name: str) -> None:
    """Refuse a run id that would name a file outside the workspace's folders (a run id is
    one file name: its trace and reports are named after it)."""
    if name in ("", ".", "..") or any(c in name for c in "/\\\0") or name != name.strip():
        raise RunNotFoundError(f"{name!r} is not a run id (run ids name no folder)")


def _all_ids(workspace: Workspace) -> list[str]:
    if workspace.database_url is not None:
        from runs.operations import all_run_ids  # loads LangGraph: only when needed

        return all_run_ids(workspace)
    with _connect(workspace.database) as conn:
        return list(_marks(conn))
