"""Live progress on a terminal: a line per gate and the summary with time, calls, tokens and
cost while the model works; plain step lines (or nothing) where stderr is not a terminal."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

from fakes.openai_server import FakeModel
from rich.console import Console
from rich.live import Live
from typer.testing import CliRunner

from cli.render.live import LiveReview
from graphs.settings import resolve_settings
from main import app
from runs.operations import start_review

ROOT = Path(__file__).resolve().parent.parent
STRONG = str(ROOT / "examples" / "strong-contract-search.md")


def _terminal() -> tuple[Console, io.StringIO]:
    sink = io.StringIO()
    return Console(file=sink, force_terminal=True, width=100, color_system=None), sink


def test_a_model_review_shows_each_gate_with_calls_tokens_and_cost(fake: FakeModel) -> None:
    console, sink = _terminal()
    board = LiveReview(console)
    settings = resolve_settings({"model": "openai/gpt-4.1-mini"})
    with Live(board, console=console, refresh_per_second=20):
        view = asyncio.run(start_review([STRONG], settings, board.report))
    assert set(board.rows) == {*view.gates, "summary"}
    for gate, info in view.gates.items():
        row = board.rows[gate]
        assert (row.calls, row.tokens_in, row.tokens_out) == (
            info.usage.calls, info.usage.input_tokens, info.usage.output_tokens)
        assert row.ended is not None and row.said.startswith("done")
    assert "asking the model" in sink.getvalue()  # drawn while the calls were in flight
    summary = board.rows["summary"]  # timed from the last gate's end, not from the start
    assert summary.began is not None and summary.began >= max(
        board.rows[g].ended or 0 for g in view.gates)
    plain = Console(file=io.StringIO(), width=100, color_system=None)
    plain.print(board)
    final = plain.file.getvalue()  # type: ignore[attr-defined]
    for gate in view.gates:
        assert re.search(rf"^{gate}\s+\d+\.\ds\s+1 calls\s+\d+/\d+ tok\s+\$\d", final, re.M)
    assert re.search(r"^summary\s+\d+\.\ds\s+1 calls .* written", final, re.M)


def test_a_degraded_gate_is_shown_degraded(fake: FakeModel) -> None:
    from fakes.openai_server import api_error

    fake.script("risk", "review", api_error(500, "The server had an error"), repeat=True)
    console, _ = _terminal()
    board = LiveReview(console)
    settings = resolve_settings({"model": "openai/gpt-4.1-mini"}).model_copy(
        update={"timeout_s": 5})
    asyncio.run(start_review([STRONG], settings, board.report))
    assert board.rows["risk"].said.startswith("degraded")
    assert board.rows["risk"].calls == 1 and board.rows["data"].said.startswith("done")


def test_without_a_terminal_progress_is_plain_lines(fake: FakeModel) -> None:
    result = CliRunner().invoke(app, ["review", STRONG, "--model", "openai/gpt-4.1-mini"])
    assert result.exit_code == 0, result.output
    assert "  done data" in result.stderr and "calls" not in result.stderr
    assert "\x1b[" not in result.stderr  # no cursor movement in a log
