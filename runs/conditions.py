"""Owners and due dates of a run's conditions: set by a named person, from any process, on a
run awaiting its decision or already decided (conditions are followed up after approval).

They are kept in the workspace database beside the decision claims (not in the checkpoint:
setting an owner must not move a run's pending decision to another checkpoint), each with who
set it and when, and traced in the run's trace.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from exports.view import RunView
from graphs.settings import Settings
from graphs.workspace import Workspace, connect
from runs.faults import faults_as_errors
from traces import attributes as attr
from vocabulary.errors import GateReviewError, RunNotFoundError
from vocabulary.models import ReviewerName, utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS condition_assignments (
    run_id TEXT NOT NULL,
    condition_id TEXT NOT NULL,
    owner TEXT,
    due TEXT,
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (run_id, condition_id)
)
"""
_UPSERT = (
    "INSERT INTO condition_assignments VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (run_id, condition_id) DO UPDATE SET "
    "owner=excluded.owner, due=excluded.due, by=excluded.by, at=excluded.at"
)


def _connect(workspace: Workspace) -> Any:
    if workspace.database_url:
        import psycopg

        from graphs.storage import setup_lock, setup_unlock

        conn = psycopg.connect(workspace.database_url, autocommit=True)
        setup_lock(conn)
        try:
            conn.execute(_SCHEMA)
        finally:
            setup_unlock(conn)
        return _Placeholders(conn)
    return connect(workspace.ensure().database, _SCHEMA)


class _Placeholders:
    """A Postgres connection taking the `?` placeholders SQLite takes."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.conn.execute(sql.replace("?", "%s"), params)

    def close(self) -> None:
        self.conn.close()


def assignments(workspace: Workspace, run_id: str) -> dict[str, dict[str, Any]]:
    """Each condition's owner, due date, and who set them when."""
    if not workspace.database_url and not Path(workspace.database).is_file():
        return {}
    conn = _connect(workspace)
    try:
        rows = conn.execute(
            "SELECT condition_id, owner, due, by, at FROM condition_assignments WHERE run_id=?",
            (run_id,),
        ).fetchall()
    except sqlite3.OperationalError:
        return {}
    finally:
        conn.close()
    return {r[0]: {"owner": r[1], "due": r[2], "by": r[3], "at": r[4]} for r in rows}


def with_assignments(view: RunView, settings: Settings) -> RunView:
    """The view with its conditions' owners and due dates as set so far."""
    given = assignments(Workspace(settings.home, settings.database_url), view.run_id)
    if not given:
        return view
    conditions = [
        c.model_copy(
            update={
                "owner": given[c.id]["owner"],
                "due": given[c.id]["due"],
                "assigned_by": given[c.id]["by"],
                "assigned_at": given[c.id]["at"],
            }
        )
        if c.id in given
        else c
        for c in view.conditions
    ]
    return view.model_copy(update={"conditions": conditions})


def _due(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise GateReviewError(f"--due {value!r}: a date as YYYY-MM-DD") from None


@faults_as_errors
def assign_condition(
    view: RunView,
    condition_id: str,
    settings: Settings,
    *,
    by: ReviewerName,
    owner: str | None = None,
    due: str | None = None,
) -> RunView:
    """Set a condition's owner and/or due date (what is not given is kept); traced."""
    found = next((c for c in view.conditions if c.id == condition_id), None)
    if found is None:
        known = ", ".join(c.id for c in view.conditions) or "none"
        raise RunNotFoundError(
            f"no condition {condition_id} in run {view.run_id} (conditions: {known})"
        )
    if owner is None and due is None:
        raise GateReviewError("give --owner, --due or both")
    from pydantic import TypeAdapter, ValidationError

    try:
        by = TypeAdapter(ReviewerName).validate_python(by)
        owner = None if owner is None else TypeAdapter(ReviewerName).validate_python(owner)
    except ValidationError as exc:
        raise GateReviewError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
    workspace = Workspace(settings.home, settings.database_url)
    row = (
        view.run_id, condition_id, owner if owner is not None else found.owner,
        _due(due) if due is not None else found.due, by, utc_now(),
    )  # fmt: skip
    conn = _connect(workspace)
    try:
        conn.execute(_UPSERT, row)
    finally:
        conn.close()
    _trace(workspace, view.run_id, row)
    return with_assignments(view, settings)


def _trace(workspace: Workspace, run_id: str, row: tuple[Any, ...]) -> None:
    from graphs.runtrace import anchor_trace, continue_trace

    recorder, _ = continue_trace(workspace, run_id)
    with recorder:
        recorder.record(
            "tool_call",
            "assign_condition",
            None,
            {
                attr.TOOL_NAME: "assign_condition",
                "gatereview.condition.id": row[1],
                "gatereview.condition.owner": row[2],
                "gatereview.condition.due": row[3],
                "gatereview.condition.by": row[4],
                "gatereview.condition.at": row[5],
            },
        )
    anchor_trace(workspace, recorder)
