"""Wall time of an offline 20-project portfolio at concurrency 1 and 4, side by side (prints).

Usage: python bench/portfolio_batch.py [PROJECTS]
Each setting reviews the same manifest in a fresh workspace through `python main.py
review-batch`, as a user runs it (process start-up included).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_manifest(folder: Path, projects: int) -> Path:
    """A TOML manifest of `projects` projects cycling through the examples."""
    examples = sorted(p for p in (ROOT / "examples").glob("*.md") if p.name != "README.md")
    lines = []
    for i in range(projects):
        doc = examples[i % len(examples)]
        lines += [
            "[[projects]]",
            f'name = "project-{i:02d}"',
            f'owner = "owner {i}"',
            f'documents = ["{doc}"]',
            "",
        ]
    manifest = folder / "portfolio.toml"
    manifest.write_text("\n".join(lines), encoding="utf-8")
    return manifest


def timed_batch(manifest: Path, concurrency: int, home: Path) -> float:
    """Seconds for one review-batch command; it must succeed."""
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "review-batch",
            str(manifest),
            "--json",
            "--max-concurrency",
            str(concurrency),
            "--home",
            str(home),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"review-batch failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def main() -> None:
    """Run the batch at concurrency 1 and 4 and print both times."""
    projects = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as tmp:
        manifest = write_manifest(Path(tmp), projects)
        times = {c: timed_batch(manifest, c, Path(tmp) / f"home-{c}") for c in (1, 4)}
    for concurrency, seconds in times.items():
        print(f"{projects} projects offline, --max-concurrency {concurrency}: {seconds:.2f} s")
    print(f"ratio 1/4: {times[1] / times[4]:.2f}")


if __name__ == "__main__":
    main()
