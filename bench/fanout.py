"""A model-backed review against the model's own pace, in this process.

The model is `bench/model_server.py` in a child process, answering every call after a fixed
delay. The model's critical path is the slowest chain of calls the review must make one after
the other: the gate with the most calls (a quote repair adds one), then the summary; with a
fixed delay it is that many delays. The review wall time is measured around `start_review`
(documents read, graph run, checkpoints and trace written, up to the human decision) after a
warm-up review, so imports and first-call set-up are not counted (`bench/commands.py` counts them).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from model_server import MODEL, ModelProcess

from exports.view import RunView
from graphs.settings import Settings
from runs.operations import start_review
from traces.viewer import load_records
from vocabulary.models import GATES

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "examples" / "middling-claims-triage.md"


@dataclass
class Fanout:
    """One review's wall time against its model chain, and how its gates overlapped."""

    delay_s: float
    concurrency: int
    wall_s: float
    chain: int  # calls in the slowest sequence
    gate_phase_s: float  # first gate started to last gate finished
    slowest_latency_s: float  # the largest latency recorded for a gate's calls
    largest_wait_s: float  # the longest a call waited for a free slot
    cpu_s: float  # this process's CPU time during the review

    @property
    def critical_path_s(self) -> float:
        """The model's critical path: its slowest chain of calls, at the fixed delay."""
        return self.chain * self.delay_s


def _chain(view: RunView) -> int:
    gate_calls = {g: view.gates[g].usage.calls for g in GATES if g in view.gates}
    summary = view.usage.calls - sum(gate_calls.values())
    return max(gate_calls.values(), default=0) + summary


def _gate_phase(trace: Path) -> tuple[float, float]:
    """Seconds from the first gate node's start to the last one's end; the longest queue wait."""
    records = load_records(trace)
    starts = [r.time for r in records if r.kind == "node_start" and r.name.startswith("review_")]
    ends = [r.time for r in records if r.kind == "node_end" and r.name.startswith("review_")]
    waits = [
        r.attributes.get("gatereview.queue_wait_s", 0.0) for r in records if r.kind == "llm_call"
    ]
    return (max(ends) - min(starts)).total_seconds(), max(waits, default=0.0)


async def review_once(
    api_base: str, home: Path, concurrency: int, document: Path = DOCUMENT
) -> tuple[RunView, float]:
    """One review of a document (the benchmark's by default); its view and wall seconds."""
    settings = Settings(
        home=home,
        model=f"openai/{MODEL}",
        api_base=api_base,
        mask=True,  # do the work a hosted model's review does
        max_concurrency=concurrency,
    )
    started = time.perf_counter()
    view = await start_review([str(document)], settings)
    return view, time.perf_counter() - started


def measure(delay_s: float, concurrency: int | None = None, repeats: int = 3) -> Fanout:
    """The median review of `repeats` (after a warm-up) at this delay and concurrency."""
    concurrency = concurrency or Settings().max_concurrency
    os.environ.setdefault("OPENAI_API_KEY", "bench")
    with ModelProcess(delay_s) as model, tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        asyncio.run(review_once(model.api_base, home, concurrency))  # warm-up: caches, imports
        samples = []
        for _ in range(repeats):
            cpu = time.process_time()
            view, wall = asyncio.run(review_once(model.api_base, home, concurrency))
            cpu = time.process_time() - cpu
            phase, wait = _gate_phase(home / "traces" / f"{view.run_id}.jsonl")
            latency = max(
                info.usage.latency_s / max(1, info.usage.calls) for info in view.gates.values()
            )
            samples.append(
                Fanout(delay_s, concurrency, wall, _chain(view), phase, latency, wait, cpu)
            )
    return sorted(samples, key=lambda s: s.wall_s)[len(samples) // 2]
