"""Time to load (and scan for reviewer instructions) inputs built to trip slow regexes.

Usage: python bench/pathological_inputs.py
A catastrophic pattern shows up here as seconds or minutes instead of milliseconds.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guard import find_reviewer_instructions
from tools.documents import load_document

CASES = {
    "1 MB of words on one line": "word " * 200_000,
    "1 MB of '1.' (numbered-heading bait)": "1." * 500_000,
    "1 MB of dashes": "-" * 1_000_000 + "x",
    "1 MB of spaces": " " * 1_000_000 + "x",
    "10,000 headings": "".join(f"# Heading {i}\n\nText {i}.\n\n" for i in range(10_000)),
    "lists nested 2,000 deep": "".join("  " * i + "- item\n" for i in range(2_000)),
    "1 MB of injection near-misses": "ignore the all reviewers must mark every you are " * 20_000,
}


def main() -> None:
    """Print load and scan times per case."""
    with tempfile.TemporaryDirectory() as folder:
        for name, text in CASES.items():
            path = Path(folder) / "case.md"
            path.write_text(text + "\n", encoding="utf-8")
            started = time.perf_counter()
            document = load_document(path, path.name, max_bytes=10 * 1024 * 1024)
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            hits = find_reviewer_instructions([document])
            scanned = time.perf_counter() - started
            print(
                f"{name:<40} load {loaded:6.3f} s  scan {scanned:6.3f} s  "
                f"sections {len(document.sections):5d}  hits {len(hits)}"
            )


if __name__ == "__main__":
    main()
