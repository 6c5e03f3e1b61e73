"""Decision claims: the guard that lets exactly one process decide a pending review.

LangGraph accepts any number of resumes for the same interrupt, so before resuming a
process inserts a row keyed by (run, checkpoint); the primary key makes the first insert
win, and everyone else learns who decided, and when.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agents.errors import DecisionError
from agents.models import Decision
from graphs.workspace import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS decision_claims (
    run_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    action TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    at TEXT NOT NULL,
    decision TEXT NOT NULL,
    PRIMARY KEY (run_id, checkpoint_id)
)
"""


def _connect(database: Path) -> sqlite3.Connection:
    return connect(database, _SCHEMA)


def claim_decision(database: Path, run_id: str, checkpoint_id: str, decision: Decision) -> None:
    """Claim the right to decide this pending checkpoint, or say who already did."""
    conn = _connect(database)
    try:
        conn.execute(
            "INSERT INTO decision_claims VALUES (?, ?, ?, ?, ?, ?)",
            (
                run_id,
                checkpoint_id,
                decision.action,
                decision.reviewer,
                decision.at,
                decision.model_dump_json(),
            ),
        )
    except sqlite3.IntegrityError:
        row = conn.execute(
            "SELECT action, reviewer, at FROM decision_claims WHERE run_id=? AND checkpoint_id=?",
            (run_id, checkpoint_id),
        ).fetchone()
        raise DecisionError(
            f"run {run_id} was already decided ({row[0]}) by {row[1]} at {row[2]}"
        ) from None
    finally:
        conn.close()


def last_claim(database: Path, run_id: str) -> tuple[str, str, str] | None:
    """The latest (action, reviewer, at) claimed on a run, if any."""
    if not database.is_file():
        return None
    conn = _connect(database)
    try:
        return conn.execute(
            "SELECT action, reviewer, at FROM decision_claims WHERE run_id=? "
            "ORDER BY at DESC, rowid DESC LIMIT 1",
            (run_id,),
        ).fetchone()
    finally:
        conn.close()


def claimed_decision(database: Path, run_id: str, checkpoint_id: str) -> Decision | None:
    """The decision claimed on this checkpoint, if one was (it may not have been applied)."""
    if not database.is_file():
        return None
    conn = _connect(database)
    try:
        row = conn.execute(
            "SELECT decision FROM decision_claims WHERE run_id=? AND checkpoint_id=?",
            (run_id, checkpoint_id),
        ).fetchone()
    finally:
        conn.close()
    return None if row is None else Decision.model_validate_json(row[0])


def release_claim(database: Path, run_id: str, checkpoint_id: str) -> None:
    """Withdraw a claim whose decision was not applied, so the run can be decided again."""
    conn = _connect(database)
    try:
        conn.execute(
            "DELETE FROM decision_claims WHERE run_id=? AND checkpoint_id=?",
            (run_id, checkpoint_id),
        )
    finally:
        conn.close()
