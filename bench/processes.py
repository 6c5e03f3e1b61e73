"""Commands run as a user runs them: `python main.py ...` in a process of its own, timed, with
the peak memory the kernel reports for that process."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
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


# A small launcher forks the command and reports its resource use: measured from this (large)
# process instead, a forked child's peak memory would start at this process's size.
_LAUNCH = """
import json, os, sys, time
started = time.perf_counter()
child = os.fork()
if child == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
_, status, usage = os.wait4(child, 0)
wall = time.perf_counter() - started
print(json.dumps([wall, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime,
                  usage.ru_maxrss / 1024]))
"""


def run_main(*args: str, env: dict[str, str] | None = None) -> Run:
    """`python main.py ARGS` to the end; its wall time, CPU time and peak memory."""
    return _launch(str(ROOT / "main.py"), *args, env=env)


def median_code_run(code: str, repeats: int = 3) -> Run:
    """The median of `repeats` processes `python -c CODE` (in the repository root)."""
    return _median([_launch("-c", code) for _ in range(repeats)], f"python -c {code!r}")


def _launch(*argv: str, env: dict[str, str] | None = None) -> Run:
    """`python ARGV` run by the launcher: wall time, CPU time and peak memory of that process."""
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCH, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    wall, code, cpu, peak = json.loads(done.stdout)
    return Run(wall, cpu, peak, code)


def median_run(*args: str, repeats: int = 3, env: dict[str, str] | None = None) -> Run:
    """The run of median wall time among `repeats` (each must succeed)."""
    runs = [run_main(*args, env=env) for _ in range(repeats)]
    return _median(runs, f"main.py {' '.join(args)}")


def _median(runs: list[Run], command: str) -> Run:
    """The run of median wall time; an error if any of them failed (its figure would be wrong)."""
    failed = [r for r in runs if r.returncode != 0]
    if failed:
        raise RuntimeError(f"{command} exited {failed[0].returncode}")
    return sorted(runs, key=lambda r: r.wall_s)[len(runs) // 2]


def median(values: list[float]) -> float:
    """The median of some figures."""
    return statistics.median(values)
