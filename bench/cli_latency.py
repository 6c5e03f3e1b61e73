"""Wall time of the read commands a user or a CI job runs most, with 200 runs in the workspace.

Run from the repository root: `python bench/cli_latency.py [--runs 200] [--repeat 5] [--home DIR]`.
Each figure is the median of fresh processes (`python main.py ...`, as the README runs it),
measured side by side in one run against its goal: `--help` 0.3 s, `runs` 0.5 s, `show` 0.5 s.
A figure over its goal is followed by the imports that bound it (`python -X importtime`).
The workspace is filled once by offline reviews and reused when --home already holds the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOC = ROOT / "examples" / "strong-contract-search.md"
GOALS = {"--help": 0.3, "runs": 0.5, "show": 0.5}


def fill(home: Path, count: int) -> str:
    """Review until the workspace holds `count` runs; the id of the newest."""
    from graphs.settings import Settings
    from runs.operations import load_runs, start_review

    settings = Settings(home=home)
    existing = load_runs(settings) if (home / "checkpoints.sqlite").is_file() else []
    for number in range(len(existing), count):
        asyncio.run(start_review([str(DOC)], settings))
        if number % 20 == 0:
            print(f"  filled {number + 1}/{count} runs", file=sys.stderr)
    return load_runs(settings)[0].run_id


# The floor under any command, measured beside it: the interpreter, and the three libraries
# every command's module imports to parse its options and print.
FLOORS = {
    "python": ["-c", "pass"],
    "libraries": ["-c", "import typer, pydantic, rich.console"],
}


def timed(args: list[str], home: Path, repeat: int, script: str | None = "main.py") -> float:
    """Median wall time of `python main.py ARGS` (or `python ARGS`) in fresh processes."""
    env = {**os.environ, "GATEREVIEW_HOME": str(home), "COLUMNS": "80"}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, *([script] if script else []), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"main.py {' '.join(args)} failed: {done.stderr.decode()[-500:]}")
    return statistics.median(times)


def profile(args: list[str], home: Path, top: int = 8) -> list[str]:
    """The slowest top-level imports of one command (cumulative microseconds)."""
    env = {**os.environ, "GATEREVIEW_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "main.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(2)) <= 1:  # top-level imports only
            rows.append((int(match.group(1)), match.group(3)))
    return [f"{us / 1e6:6.3f} s  {name}" for us, name in sorted(rows, reverse=True)[:top]]


def main() -> None:
    """Fill the workspace, time each command, and print each figure beside its goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--home", type=Path, default=None)
    opts = parser.parse_args()
    home = opts.home or Path(tempfile.mkdtemp(prefix="gatereview-bench-"))
    print(f"workspace {home}: filling to {opts.runs} runs", file=sys.stderr)
    run_id = fill(home, opts.runs)
    commands = {"--help": ["--help"], "runs": ["runs"], "show": ["show", run_id]}
    print(
        f"{'command':<9} {'median':>8} {'goal':>6}  ({opts.repeat} fresh processes each, "
        f"{opts.runs} runs)"
    )
    for name, args in FLOORS.items():
        took = timed(args, home, opts.repeat, script=None)
        print(f"{name:<9} {took:>7.3f}s {'':>6}  floor (`python {' '.join(args)}`)")
    over = []
    for name, args in commands.items():
        took = timed(args, home, opts.repeat)
        verdict = "ok" if took <= GOALS[name] else "OVER"
        print(f"{name:<9} {took:>7.3f}s {GOALS[name]:>5.1f}s  {verdict}")
        if verdict == "OVER":
            over.append((name, args))
    for name, args in over:
        print(f"\nwhat bounds `{name}` (slowest top-level imports):")
        for row in profile(args, home):
            print(f"  {row}")


if __name__ == "__main__":
    main()
