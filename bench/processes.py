"""Commands run as a user runs them: `python main.py ...` in a process of its own, timed, with
the peak memory the kernel reports for that process."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    """One command's wall seconds, CPU seconds and peak resident memory."""

    wall_s: float
    cpu_s: float
    peak_mib: float
    returncode: int


def run_main(*args: str, env: dict[str, str] | None = None) -> Run:
    """`python main.py ARGS` to the end; its wall time, CPU time and peak memory."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode)


def median_run(*args: str, repeats: int = 3, env: dict[str, str] | None = None) -> Run:
    """The run of median wall time among `repeats` (each must succeed)."""
    runs = sorted((run_main(*args, env=env) for _ in range(repeats)), key=lambda r: r.wall_s)
    failed = [r for r in runs if r.returncode != 0]
    if failed:
        raise RuntimeError(f"main.py {' '.join(args)} exited {failed[0].returncode}")
    return runs[len(runs) // 2]


def median(values: list[float]) -> float:
    """The median of some figures."""
    return statistics.median(values)
