"""The viewer draws the run as a tree with costs, degradations and decisions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from traces.schema import TraceError
from traces.viewer import load_records, render_trace


def _text(renderable: object) -> str:
    """Render to plain text the way a 120-column terminal would show it."""
    console = Console(record=True, width=120, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_tree_shows_nodes_calls_costs_and_totals(full_run: Callable[[], Path]) -> None:
    text = _text(render_trace(load_records(full_run())))
    assert "review" in text
    assert "review_gate:data (data gate)" in text
    assert "llm gpt-4.1-mini-2025-04-14" in text
    assert "1,200→300 tokens" in text
    assert "$0.0021" in text
    assert "tool retrieve_sections" in text
    assert "verify data.owners: verified exact" in text
    assert "per gate" in text
    assert "$0.0042" in text  # the root's total over both gates


def test_degradations_and_decisions_stand_out(full_run: Callable[[], Path]) -> None:
    renderable = render_trace(load_records(full_run()))
    text = _text(renderable)
    assert "DEGRADED risk: model timed out; offline reviewer" in text
    assert "decision: approve by alice — fine for the pilot" in text
    assert "verdict: ready_with_conditions" in text
    styled = Console(record=True, width=120, force_terminal=True)
    styled.print(renderable)
    html = styled.export_html()
    assert "DEGRADED" in html and "#800000" in html  # red


def test_llm_calls_sit_under_their_gate(full_run: Callable[[], Path]) -> None:
    lines = _text(render_trace(load_records(full_run()))).splitlines()
    gate = next(i for i, line in enumerate(lines) if "review_gate:data" in line)
    call = next(i for i, line in enumerate(lines) if "llm " in line)
    assert call > gate
    assert lines[call].index("llm") > lines[gate].index("review_gate")


def test_an_unfinished_run_shows_open_spans(trace_path: Path) -> None:
    from synthetic_run import RUN_ID, review_until_interrupt

    from traces.recorder import TraceRecorder

    review_until_interrupt(TraceRecorder(trace_path, RUN_ID))
    text = _text(render_trace(load_records(trace_path)))
    assert "open" in text
    assert "interrupted" in text


def test_empty_records_render() -> None:
    assert "empty trace" in _text(render_trace([]))


def test_load_records_names_a_damaged_line(full_run: Callable[[], Path]) -> None:
    path = full_run()
    lines = path.read_text().splitlines(keepends=True)
    lines[1] = "{not json\n"
    path.write_text("".join(lines))
    with pytest.raises(TraceError, match="line 2"):
        load_records(path)
