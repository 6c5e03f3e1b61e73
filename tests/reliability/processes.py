"""Driving `main.py` in other processes: launch, wait on workspace state, SIGKILL, inspect."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BARRIER = Path(__file__).resolve().parent / "at_barrier.py"
WAIT_S = 120.0  # an upper bound for slow machines, never a pace: every wait polls a condition


def launch(*args: str) -> subprocess.Popen[str]:
    """Start `python main.py ARGS` in the test's workspace (GATEREVIEW_HOME is inherited)."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def run_cli(*args: str) -> tuple[int, dict[str, Any] | None, str]:
    """Run `python main.py ARGS --json` to the end: exit status, JSON output, stderr."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args, "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=WAIT_S,
    )  # fmt: skip
    payload = json.loads(done.stdout) if done.returncode == 0 else None
    return done.returncode, payload, done.stderr


def wait_until(condition: Callable[[], Any], what: str, timeout_s: float = WAIT_S) -> Any:
    """Poll until `condition()` is truthy and return it; fail naming `what` after the bound."""
    deadline = time.monotonic() + timeout_s
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
    return value


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL: no handler, no finally block, no flush runs in the victim."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT_S)
    assert process.returncode == -signal.SIGKILL


def only_run(home: Path) -> str | None:
    """The id of the one run in the workspace, once its trace file exists."""
    traces = list((home / "traces").glob("*.jsonl")) if (home / "traces").is_dir() else []
    return traces[0].stem if len(traces) == 1 else None


def checkpointed_gates(home: Path, run_id: str, database_url: str | None = None) -> set[str]:
    """Gates whose review is saved in the checkpoints (as pending writes or a checkpoint), in
    the workspace's SQLite file or, given its URL, in Postgres."""
    if database_url is not None:
        import psycopg

        query = (
            "SELECT DISTINCT task_path FROM checkpoint_writes "
            "WHERE thread_id=%s AND channel='reviews'"
        )
        try:
            with psycopg.connect(database_url) as conn:
                rows = conn.execute(query, (run_id,)).fetchall()
        except psycopg.errors.UndefinedTable:  # the tables do not exist yet
            return set()
    else:
        try:
            with sqlite3.connect(home / "checkpoints.sqlite", timeout=30) as conn:
                rows = conn.execute(
                    "SELECT DISTINCT task_path FROM writes WHERE thread_id=? AND channel='reviews'",
                    (run_id,),
                ).fetchall()
        except sqlite3.OperationalError:  # the tables do not exist yet
            return set()
    # task_path is like "~__pregel_pull, data"
    return {path.rsplit(",", 1)[-1].strip(" ')") for (path,) in rows}


def trace_records(home: Path, run_id: str) -> list[dict[str, Any]]:
    """The run's trace records, as written."""
    lines = (home / "traces" / f"{run_id}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def llm_calls(records: list[dict[str, Any]]) -> Counter[str]:
    """Model calls recorded in the trace, by agent (a gate, or the coordinator)."""
    return Counter(r["attributes"]["gen_ai.agent.name"] for r in records if r["kind"] == "llm_call")


def node_starts(records: list[dict[str, Any]]) -> Counter[str]:
    """How many times each node span was opened."""
    return Counter(r["name"] for r in records if r["kind"] == "node_start")


def together(tmp_path: Path, commands: list[list[str]]) -> list[tuple[int, str, str]]:
    """Run the commands in parallel processes released at one instant: (status, out, err)."""
    barrier = tmp_path / "barrier"
    processes = [
        subprocess.Popen(
            [sys.executable, str(BARRIER), str(barrier), *command],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    try:
        wait_until(
            lambda: (
                len(list(tmp_path.glob("barrier.ready.*"))) == len(commands)
                or any(p.poll() is not None for p in processes)
            ),
            "every process at the barrier",
        )
        barrier.touch()
        outputs = [p.communicate(timeout=WAIT_S) for p in processes]
        return [(p.returncode, out, err) for p, (out, err) in zip(processes, outputs, strict=True)]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
