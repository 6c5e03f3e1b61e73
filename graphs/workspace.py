"""The workspace folder: where checkpoints, traces and reports of every run live."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


def connect(database: Path, schema: str) -> sqlite3.Connection:
    """A connection to the workspace database that waits on a busy file, with `schema` ensured."""
    conn = sqlite3.connect(database, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute(schema)
    return conn


@dataclass(frozen=True)
class Workspace:
    """Paths inside the workspace; created owner-only on first use."""

    home: Path

    @property
    def database(self) -> Path:
        """The SQLite file holding LangGraph checkpoints and decision claims."""
        return self.home / "checkpoints.sqlite"

    @property
    def traces(self) -> Path:
        """Folder of per-run trace files."""
        return self.home / "traces"

    @property
    def reports(self) -> Path:
        """Folder of per-run reports."""
        return self.home / "reports"

    def trace_file(self, run_id: str) -> Path:
        """The trace file of one run."""
        return self.traces / f"{run_id}.jsonl"

    def exists(self) -> bool:
        """True once a review has created the workspace."""
        return self.database.is_file()

    def ensure(self) -> Workspace:
        """Create the folders (mode 0700) if missing."""
        old = os.umask(0o077)
        try:
            for folder in (self.home, self.traces, self.reports):
                folder.mkdir(parents=True, exist_ok=True)
            if not self.database.exists():
                os.close(os.open(self.database, os.O_WRONLY | os.O_CREAT, 0o600))
        finally:
            os.umask(old)
        return self
