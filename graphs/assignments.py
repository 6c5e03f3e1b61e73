"""Owners and due dates of a run's conditions, kept in the workspace database beside the
decision claims (not in the checkpoint: setting an owner must not move a run's pending decision
to another checkpoint), each with who set it and when."""

from __future__ import annotations

import sqlite3
from typing import Any

from graphs.workspace import Workspace, connect

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


class _Placeholders:
    """A Postgres connection taking the `?` placeholders SQLite takes."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.conn.execute(sql.replace("?", "%s"), params)

    def close(self) -> None:
        self.conn.close()


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


def assignments(workspace: Workspace, run_id: str) -> dict[str, dict[str, Any]]:
    """Each condition's owner, due date, and who set them when."""
    if not workspace.database_url and not workspace.database.is_file():
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


def save_assignment(workspace: Workspace, row: tuple[Any, ...]) -> None:
    """Set (run, condition)'s owner, due date, who and when (the last one set wins)."""
    conn = _connect(workspace)
    try:
        conn.execute(_UPSERT, row)
    finally:
        conn.close()
