"""Incremental re-review: model calls and tokens of a review after a one-section edit, against
the first review of the same ~10k-word document.

Run from the repository root: `python -m bench.incremental_review`. The model is the scripted
OpenAI-compatible server the eval recordings are made with (evals.make_recordings), on
loopback; every request is really sent and counted. The first review is a full one; the second
edits one sentence in one section and reviews with `since=` the first run.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from evals.cases import Case, Expected
from evals.make_recordings import MODEL, ScriptedModel
from evals.replay_server import LocalServer
from exports.view import RunView
from graphs.settings import Settings
from runs.operations import start_review

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "evals" / "cases" / "very-long-rail-planning" / "design.md"
# Two one-section edits of section 7 (which most gates retrieve): a sentence added to its last
# paragraph, and a new opening paragraph (it changes what every gate retrieves from section 7).
EDITS = {
    "a sentence at the end of section 7": (
        "target of 90 %.\n",
        "target of 90 %. A new sentence.\n",
    ),
    "a new first paragraph in section 7": (
        "## 7. Product and adoption\n",
        "## 7. Product and adoption\n\nA weekly review of planner feedback is chaired by the "
        "product owner.\n",
    ),
}


def _row(name: str, view: RunView) -> str:
    reused = [g for g, i in view.gates.items() if i.reused_from]
    u = view.usage
    return (
        f"{name:<14} {u.calls:>5} {u.input_tokens:>8} {u.output_tokens:>7}  "
        f"reused: {', '.join(reused) or '-'}"
    )


async def measure(folder: Path, edit: str) -> list[str]:
    """The two reviews, one line each."""
    (folder / "case").mkdir()
    doc = folder / "case" / "design.md"
    text = DOCUMENT.read_text(encoding="utf-8")
    doc.write_text(text, encoding="utf-8")
    scripted = ScriptedModel()
    case = Case(name="bench", folder=doc.parent, expected=Expected(description="bench", gates={}))
    with LocalServer(scripted.answer) as server:
        settings = Settings(home=folder / "home", model=MODEL, api_base=server.api_base)
        scripted.use(case)
        first = await start_review([str(doc)], settings)
        old, new = EDITS[edit]
        doc.write_text(text.replace(old, new, 1), encoding="utf-8")
        scripted.use(case)
        second = await start_review([str(doc)], settings, since=first.run_id)
    words = len(text.split())
    ratio = second.usage.input_tokens / max(1, first.usage.input_tokens)
    return [
        f"document: {DOCUMENT.relative_to(ROOT)} ({words} words); edit: {edit}",
        f"{'review':<14} {'calls':>5} {'input':>8} {'output':>7}",
        _row("first (full)", first),
        _row("after edit", second),
        f"input tokens, second / first: {ratio:.2f}",
    ]


def main() -> int:
    """Print the measurement."""
    os.environ.setdefault("OPENAI_API_KEY", "scripted")  # sent to the loopback server only
    for edit in EDITS:
        with tempfile.TemporaryDirectory() as tmp:
            for line in asyncio.run(measure(Path(tmp), edit)):
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
