"""Decision claims: the guard that lets exactly one process decide a pending review.

LangGraph accepts any number of resumes for the same interrupt, so before resuming a
process inserts a row keyed by (run, checkpoint); the primary key makes the first insert
win, and everyone else learns who decided, and when.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from graphs.storage import setup_lock, setup_unlock
from graphs.workspace import connect
from vocabulary.errors import DecisionError
from vocabulary.models import Decision

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


class _Postgres:
    """The few calls claims make, on a Postgres connection (`?` placeholders become `%s`)."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        setup_lock(self.conn)
        try:
            self.conn.execute(_SCHEMA)
        finally:
            setup_unlock(self.conn)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.conn.execute(sql.replace("?", "%s").replace(", rowid DESC", ""), params)

    def close(self) -> None:
        self.conn.close()


def _connect(database: Path | str) -> Any:
    if isinstance(database, str):
        return _Postgres(database)
    return connect(database, _SCHEMA)


def _exists(database: Path | str) -> bool:
    return isinstance(database, str) or database.is_file()


def _is_duplicate(exc: Exception) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    from psycopg.errors import UniqueViolation

    return isinstance(exc, UniqueViolation)


def _untimed(decision: Decision) -> Decision:
    """The decision without its times: a claim is the same decision whenever it is made."""
    amendment = decision.amendment
    if amendment is not None:
        amendment = amendment.model_copy(update={"at": ""})
    return decision.model_copy(update={"at": "", "amendment": amendment})


def claim_decision(
    database: Path | str, run_id: str, checkpoint_id: str, decision: Decision
) -> Decision:
    """Claim the right to decide this pending checkpoint, or say who already did; returns the
    decision as claimed (its time is the first claim's).

    Claiming again with the same decision (at any time) succeeds: the graph's human-review node
    claims what it applies, also when the caller claimed it first or a resumed process applies
    it again.
    """
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
    except Exception as exc:
        if not _is_duplicate(exc):
            raise
        row = conn.execute(
            "SELECT action, reviewer, at, decision FROM decision_claims "
            "WHERE run_id=? AND checkpoint_id=?",
            (run_id, checkpoint_id),
        ).fetchone()
        claimed = Decision.model_validate_json(row[3])
        if claimed.verdict_sha256 is None:  # claimed without the hash: the applier's counts
            claimed = claimed.model_copy(update={"verdict_sha256": decision.verdict_sha256})
        if _untimed(claimed) == _untimed(decision):
            return claimed  # this decision's own claim, made before (the CLI's, or a killed one)
        raise DecisionError(
            f"run {run_id} was already decided ({row[0]}) by {row[1]} at {row[2]}"
        ) from None
    finally:
        conn.close()
    return decision


def last_claim(database: Path | str, run_id: str) -> tuple[str, str, str] | None:
    """The latest (action, reviewer, at) claimed on a run, if any."""
    if not _exists(database):
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


def claimed_decision(database: Path | str, run_id: str, checkpoint_id: str) -> Decision | None:
    """The decision claimed on this checkpoint, if one was (it may not have been applied)."""
    if not _exists(database):
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


def release_claim(database: Path | str, run_id: str, checkpoint_id: str) -> None:
    """Withdraw a claim whose decision was not applied, so the run can be decided again."""
    conn = _connect(database)
    try:
        conn.execute(
            "DELETE FROM decision_claims WHERE run_id=? AND checkpoint_id=?",
            (run_id, checkpoint_id),
        )
    finally:
        conn.close()


def claimed_decisions(database: Path | str, run_id: str) -> list[Decision]:
    """Every decision claimed on a run (applied or not), by time."""
    if not _exists(database):
        return []
    conn = _connect(database)
    try:
        rows = conn.execute(
            "SELECT decision FROM decision_claims WHERE run_id=? ORDER BY at",
            (run_id,),
        ).fetchall()
    finally:
        conn.close()
    return [Decision.model_validate_json(row[0]) for row in rows]
