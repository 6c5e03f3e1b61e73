"""How a command prints a run: as JSON or tables, as an export, its progress, and the exit
status --fail-on asks for."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.markup import escape

from cli.boundary import err, out, print_json, program_name
from exports.choices import FAIL_EXIT, ExportFormat, FailOn, fails
from vocabulary.escaping import terminal_safe

if TYPE_CHECKING:
    from exports.view import RunView
    from graphs.settings import Settings


def exit_for(view: RunView, fail_on: FailOn, allow_degraded: bool = False) -> None:
    """Exit 3 (and say why on stderr) when the verdict is at or below the threshold, or, under
    any threshold, when a gate was degraded (its model's answer was not had) and that is not
    allowed."""
    overall = view.verdict.overall if view.verdict else None
    if fails(overall, fail_on):
        err.print(f"verdict {overall} fails --fail-on {fail_on}: exit {FAIL_EXIT}", highlight=False)
        raise typer.Exit(FAIL_EXIT)
    degraded = [gate for gate, info in view.gates.items() if info.degraded]
    if fail_on != "never" and degraded and not allow_degraded:
        err.print(
            f"degraded gate(s) {', '.join(degraded)} fail --fail-on {fail_on} "
            f"(reviewed without the model's answer; --allow-degraded accepts them): "
            f"exit {FAIL_EXIT}",
            highlight=False,
        )
        raise typer.Exit(FAIL_EXIT)


def no_model_answer(view: RunView, model: str) -> None:
    """Exit 2 when a model was asked and no gate got its answer: the review is the offline
    screen's alone, which a CI gate must not take for the model's."""
    if model == "offline" or not view.gates:
        return
    asked = {g: i for g, i in view.gates.items() if i.reused_from is None}
    if asked and all(info.degraded for info in asked.values()):
        first = next(iter(asked.values()))
        err.print(
            f"[red]error:[/red] no gate got an answer from {escape(model)} "
            f"({escape(terminal_safe(first.degraded_reason or 'no reason recorded'))}); "
            f"run {view.run_id} holds only the offline review",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)


def export(
    view: RunView, settings: Settings, fmt: ExportFormat, path: Path | None = None
) -> None:
    """Print or write a run as SARIF, HTML or a PR comment, masked as reports are."""
    from runs.published import (
        render_export,
        run_rubrics,
        run_sources,
        travelling_view,
        write_export,
    )

    sources = run_sources(view.run_id, settings)
    rubrics = run_rubrics(view.run_id, settings)
    text = render_export(travelling_view(view, settings), sources, fmt, rubrics)
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_export(text, path)
    err.print(f"wrote {fmt.upper()} to {path}", highlight=False)


def emit(view: RunView, as_json: bool, *, findings: bool = False) -> None:
    """Print a run as JSON or as tables (warnings on stderr either way)."""
    for warning in view.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(terminal_safe(warning))}", soft_wrap=True)
    if as_json:
        print_json(view.model_dump_json())
        return
    from cli.render.run import (
        conditions_view,
        decisions_view,
        findings_view,
        gate_table,
        next_steps,
        signoff_view,
        verdict_lines,
    )

    out.print(gate_table(view, out.width))
    out.print(verdict_lines(view))
    if findings:
        out.rule("Findings")
        out.print(findings_view(view))
        out.rule("Conditions")
        out.print(conditions_view(view))
        out.rule("Sign-off")
        out.print(signoff_view(view))
        out.rule("Decisions")
        out.print(decisions_view(view))
    out.print(next_steps(view, program_name()), highlight=False)


@contextmanager
def live_progress(quiet: bool, model: str) -> Iterator[Any]:
    """The progress callback of a command that may ask a model: on a terminal, a live line per
    gate (time, calls, tokens, cost so far) on stderr; elsewhere (a CI log, a pipe) the step
    lines of `progress_printer`; nothing with --json."""
    if quiet or model == "offline" or not err.is_terminal:
        yield progress_printer(quiet)
        return
    from rich.live import Live

    from cli.render.live import LiveReview

    board = LiveReview(err)
    with Live(board, console=err, refresh_per_second=4, transient=False):
        yield board.report


def progress_printer(quiet: bool) -> Any:
    """A progress callback that reports each finished step on stderr."""

    def report(node: str, update: dict[str, Any]) -> None:
        if quiet:
            return
        from cli.render.progress import progress_lines

        for line in progress_lines(node, update):
            err.print(line, highlight=False)

    return report
