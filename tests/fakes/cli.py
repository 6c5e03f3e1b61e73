"""The command line as a user runs it: in process (Typer's runner) or as its own process.

Both use the test's workspace: GATEREVIEW_HOME is set in the environment by the shared fixture.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from main import app

ROOT = Path(__file__).resolve().parents[2]


def cli_json(*args: str) -> dict[str, Any]:
    """Run `gatereview ARGS --json` in process; it must succeed. Its JSON output."""
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def main_command(*args: str) -> list[str]:
    """The command line that runs `python main.py ARGS` in a process of its own."""
    return [sys.executable, str(ROOT / "main.py"), *args]


def run_main(*args: str, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python main.py ARGS` to the end in its own process (the bound is for hangs only)."""
    return subprocess.run(
        main_command(*args), capture_output=True, text=True, cwd=ROOT, timeout=timeout_s
    )
