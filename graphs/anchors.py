"""Trace heads anchored in the checkpoint database: how far each run's trace had got.

A trace file can lose its last records, or be swapped for another run's, and still be a valid
hash chain on its own. Every append also records the file's head here (segment, record count,
last hash), in the same lock, so verification compares the file with the head it should have.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from graphs.workspace import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS trace_heads (
    run_id TEXT PRIMARY KEY,
    segment INTEGER NOT NULL,
    records INTEGER NOT NULL,
    last_hash TEXT NOT NULL
)
"""


class TraceHead(NamedTuple):
    """Where a run's trace had got: its segment, how many records, the last one's hash."""

    segment: int
    records: int
    last_hash: str


def anchor_head(database: Path, run_id: str, head: TraceHead) -> None:
    """Record a trace head; a head behind the one recorded (an older writer) is ignored."""
    conn = connect(database, _SCHEMA)
    try:
        conn.execute(
            "INSERT INTO trace_heads VALUES (?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET "
            "segment=excluded.segment, records=excluded.records, last_hash=excluded.last_hash "
            "WHERE excluded.segment > trace_heads.segment OR (excluded.segment = "
            "trace_heads.segment AND excluded.records > trace_heads.records)",
            (run_id, *head),
        )
    finally:
        conn.close()


def trace_head(database: Path, run_id: str) -> TraceHead | None:
    """The head recorded for a run's trace, if any."""
    if not database.is_file():
        return None
    conn = connect(database, _SCHEMA)
    try:
        row = conn.execute(
            "SELECT segment, records, last_hash FROM trace_heads WHERE run_id=?", (run_id,)
        ).fetchone()
    finally:
        conn.close()
    return None if row is None else TraceHead(*row)


def forget_head(database: Path, run_id: str) -> None:
    """Drop a run's recorded head (its run and trace were discarded)."""
    if not database.is_file():
        return
    conn = connect(database, _SCHEMA)
    try:
        conn.execute("DELETE FROM trace_heads WHERE run_id=?", (run_id,))
    finally:
        conn.close()
