"""Inputs within --max-bytes (5 MiB) built to exhaust a reviewer: each must review in under
60 s and 1 GB of memory, or be refused with one line.

Usage: python bench/resource_ceilings.py [--quick]
Each case runs in a fresh process (`python main.py review FILE`, offline), timed from outside,
its peak memory taken from the OS; then, in one more process, the document's text is masked
the way a model review masks every section. `--quick` uses smaller bombs (for a laptop).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakes.bombs import docx_of_paragraphs, pdf_with_stream  # noqa: E402

LIMIT_S, LIMIT_MB = 60.0, 1024.0
MIB = 1 << 20
SENTENCE = "The service owner reviews the retrieval quality every week and records the outcome. "


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def cases(folder: Path, quick: bool) -> dict[str, Callable[[], Path]]:
    """Each case's name and how to make its file."""
    size = int(4.9 * MIB)
    bomb = (256 if quick else 1024) * MIB
    lines = "".join(f"Line {i} of the notes says the owner checks it.\n" for i in range(110_000))
    return {
        f"DOCX unzipping to {bomb // MIB} MiB": lambda: docx_of_paragraphs(
            folder / "bomb.docx", "x", bomb
        ),
        "DOCX of 100 MiB of paragraphs": lambda: docx_of_paragraphs(
            folder / "paragraphs.docx", SENTENCE, 100 * MIB
        ),
        "DOCX of 4 MiB of paragraphs (within)": lambda: docx_of_paragraphs(
            folder / "within.docx", SENTENCE, 4 * MIB
        ),
        "PDF stream inflating to 200 MiB": lambda: pdf_with_stream(folder / "bomb.pdf", 200 * MIB),
        "4.9 MiB of sentences on one line": lambda: _text(
            folder / "one-line.md", "# Design\n\n" + SENTENCE * (size // len(SENTENCE)) + "\n"
        ),
        "4.9 MiB of short lines, one heading": lambda: _text(
            folder / "short-lines.md", ("# Design\n\n" + lines)[:size]
        ),
        "4.8 MiB of unterminated PEM headers": lambda: _text(
            folder / "pem.md",
            "# Keys\n\n" + "-----BEGIN RSA PRIVATE KEY-----\n" * int(4.8 * MIB // 32),
        ),
        "4.9 MiB of e-mail addresses": lambda: _text(
            folder / "emails.md", "# Owners\n\n" + "ana.ruiz@example.com " * (size // 21)
        ),
        "4.9 MiB of 'sk-' key prefixes": lambda: _text(
            folder / "sk.md", "# Keys\n\n" + "sk-" * (size // 3) + "\n"
        ),
    }


def _run(command: list[str], home: Path) -> tuple[int, str, float, float]:
    """Exit status, last stderr line, seconds and peak MiB of a child process."""
    env = {**os.environ, "GATEREVIEW_HOME": str(home)}
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    error = (process.stderr.read() if process.stderr else "").strip().splitlines()
    return os.waitstatus_to_exitcode(status), (error or [""])[-1], seconds, usage.ru_maxrss / 1024


MASK_EVERY_SECTION = """
import sys
from tools.documents import load_documents
from tools.excerpts import select_excerpts
from tools.retrieval import SectionIndex
documents = load_documents([sys.argv[1]]).documents
selection = select_excerpts(documents, SectionIndex(documents), [["owner"]], 6000, redact=True)
print(selection.redactions)
"""


def main() -> None:
    """Make each input, review it, mask it, and print one row per case."""
    quick = "--quick" in sys.argv
    header = f"{'case':<40} {'outcome':<9} {'review s':>8} {'MiB':>6} {'mask s':>7} {'MiB':>6}"
    print(header)
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        for name, make in cases(Path(folder), quick).items():
            path = make()
            home = Path(folder) / "home"
            review = [sys.executable, "main.py", "review", str(path), "--json"]
            code, last, seconds, peak = _run(review, home)
            outcome = {0: "reviewed", 2: "refused"}.get(code, f"exit {code}")
            mask = [sys.executable, "-c", MASK_EVERY_SECTION, str(path)]
            mask_s, mask_mb = ("-", "-")
            if code == 0:
                _, _, spent, used = _run(mask, home)
                mask_s, mask_mb = f"{spent:.1f}", f"{used:.0f}"
                seconds, peak = max(seconds, spent), max(peak, used)
            within = seconds < LIMIT_S and peak < LIMIT_MB and code in (0, 2)
            failures += not within
            print(f"{name:<40} {outcome:<9} {seconds:>8.1f} {peak:>6.0f} {mask_s:>7} {mask_mb:>6}")
            if code == 2:
                print(f"    {last[:150]}")
            path.unlink()
    print(json.dumps({"limit_s": LIMIT_S, "limit_mib": LIMIT_MB, "over_the_limits": failures}))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
