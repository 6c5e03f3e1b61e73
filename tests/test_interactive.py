"""`review --interactive`: the decision is asked for in the terminal, right after the review."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = str(ROOT / "examples" / "demo-grade-poc.md")


def _read_until(fd: int, marker: str, seen: list[str], limit_s: float = 60) -> None:
    """Read the terminal until `marker` appears (bounded, so a hang fails instead of blocking)."""
    deadline = time.monotonic() + limit_s
    while marker not in "".join(seen):
        assert time.monotonic() < deadline, "".join(seen)[-500:]
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                seen.append(os.read(fd, 4096).decode(errors="replace"))
            except OSError:
                break


def test_interactive_review_takes_the_decision_in_the_terminal(workspace: Path) -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, "GATEREVIEW_HOME": str(workspace), "COLUMNS": "120"}
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "review", DOC, "--interactive"],
        stdin=follower, stdout=follower, stderr=follower, env=env, cwd=ROOT,
    )
    os.close(follower)
    seen: list[str] = []
    try:
        for marker, reply in (("Decision", "reject"), ("Your name", "Ana Ruiz"),
                              ("Comment", "owners are not named")):
            _read_until(leader, marker, seen)
            os.write(leader, f"{reply}\n".encode())
        _read_until(leader, "Report:", seen)
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        os.close(leader)
    reports = list((workspace / "reports").glob("*.json"))
    assert len(reports) == 1
    decision = json.loads(reports[0].read_text())["decisions"][0]
    assert decision["action"] == "reject" and decision["reviewer"] == "Ana Ruiz"
    assert decision["comment"] == "owners are not named"
