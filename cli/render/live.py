"""Live progress of a model-backed review on a terminal: one line per gate (and the summary)
with its time so far, model calls, tokens and cost, redrawn as calls end and the clock runs."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from cli.render.progress import progress_lines
from cli.render.styles import cost_text


def _finished(gate: str, update: dict[str, Any]) -> str:
    """What a finished gate says: its findings' counts, and whether it was degraded."""
    review = update.get("reviews", {}).get(gate, {})
    line = " ".join(str(t) for t in progress_lines(gate, update)).split(gate, 1)[-1].strip()
    return f"degraded: {line}" if review.get("degraded") else f"done: {line}"


@dataclass
class Row:
    """What one gate (or the summary) has done so far."""

    began: float | None = None  # None: waiting for the documents to be ingested
    ended: float | None = None
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: float | None = 0.0
    said: str = "waiting"


@dataclass
class LiveReview:
    """The live table; `report` is the progress callback (step ends and model calls)."""

    console: Console
    rows: dict[str, Row] = field(default_factory=dict)
    since: float = field(default_factory=time.monotonic)

    def report(self, node: str, update: dict[str, Any]) -> None:
        """Take one progress event: a model call's end, or a step's."""
        now = time.monotonic()
        if node == "model_call":
            self._called(update["purpose"], update["usage"], now)
            return
        if node == "load_documents":
            self.rows.update({gate: Row() for gate in update.get("gates", [])})
        if node == "ingest":
            for row in self.rows.values():
                row.began, row.said = now, "asking the model"
        if node in self.rows:
            row = self.rows[node]
            row.ended, row.said = now, _finished(node, update)
            if all(r.ended for r in self.rows.values()):  # the coordinator's summary is next
                self.rows["summary"] = Row(began=now, said="asking the model")
        else:
            for line in progress_lines(node, update):
                self.console.print(line, highlight=False)
        self.since = now  # the next steps' calls start from here
        if node == "coordinator" and "summary" in self.rows:
            summary = self.rows["summary"]
            summary.ended, summary.said = now, "written" if summary.calls else "not asked"

    def _called(self, purpose: str, usage: dict[str, Any], now: float) -> None:
        name = purpose.split()[-1] if purpose.startswith(("review ", "repair ")) else purpose
        row = self.rows.setdefault(name, Row(began=self.since, said="asking the model"))
        row.began = self.since if row.began is None else row.began
        row.calls += 1
        row.tokens_in += usage.get("input_tokens", 0)
        row.tokens_out += usage.get("output_tokens", 0)
        cost = usage.get("cost_usd")
        row.cost = None if cost is None or row.cost is None else row.cost + cost

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = Table(box=None, pad_edge=False, show_header=False)
        for justify in ("left", "right", "right", "right", "right", "left"):
            table.add_column(justify=justify, no_wrap=justify == "right")
        now = time.monotonic()
        for name, row in self.rows.items():
            took = (row.ended or now) - (row.began or now)
            table.add_row(
                name, f"{took:5.1f}s", f"{row.calls} calls",
                f"{row.tokens_in}/{row.tokens_out} tok", cost_text(row.cost),
                Text(row.said, style="green" if row.ended else "cyan"),
            )
        yield table
