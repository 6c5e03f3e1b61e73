"""Wall time and peak memory of offline reviews through the whole graph (prints figures).

Usage: python bench/review_speed.py [REPEATS]
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphs.runs import start_review  # noqa: E402
from graphs.settings import Settings  # noqa: E402


def main() -> None:
    """Review every example a few times in a fresh workspace and print the figures."""
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    examples = sorted((ROOT / "examples").glob("*.md"))
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home))
        for doc in examples:
            if doc.name == "README.md":
                continue
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                asyncio.run(start_review([str(doc)], settings))
                times.append(time.perf_counter() - started)
            size = doc.stat().st_size / 1024
            print(
                f"{doc.name:<34} {size:6.1f} KiB  median {statistics.median(times):.3f} s"
                f"  min {min(times):.3f} s  ({repeats} runs)"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
