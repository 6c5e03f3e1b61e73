"""An eval run's tables (cases, totals) and what export-case wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cli.render.styles import cost_text, safe
from evals.results import CaseResult, SuiteResult
from evals.scorers import QUALITY_METRICS, Tally

if TYPE_CHECKING:
    from evals.export import ExportedCase


STYLE = {"scored": "", "stale": "bold red", "unrecorded": "red", "invalid": "red", "error": "red"}


def _tally(tally: Tally) -> str:
    return "-" if tally.value is None else f"{tally.hits}/{tally.total}"


def _tokens(count: int) -> str:
    return str(count) if count < 10_000 else f"{count / 1000:.0f}k"


def _notes(result: CaseResult) -> str:
    if result.scores is None:
        return "; ".join(result.problems)
    notes = [f"{g} {change}" for g, change in result.scores.wrong_gates.items()]
    if result.scores.missed:
        notes.append("missed " + ", ".join(result.scores.missed))
    if result.scores.false_flags:
        notes.append("wrongly flagged " + ", ".join(result.scores.false_flags))
    notes += [f"{g} degraded" for g in result.degraded]
    return "; ".join(notes)


def cases_table(result: SuiteResult) -> RenderableType:
    """One row per case (each score as hits/total, usage), then what went wrong in each."""
    table = Table(
        title=f"eval {result.suite} ({result.model})",
        title_justify="left",
        box=None,
        padding=(0, 1, 0, 0),
        pad_edge=False,
    )
    table.add_column("case", no_wrap=True, overflow="ellipsis")
    for name, width in (("gates", 5), ("prec", 5), ("recall", 6), ("ground", 7), ("resist", 6)):
        table.add_column(name, no_wrap=True, min_width=width)
    for name, width in (("tokens", 6), ("cost", 7), ("s", 4)):
        table.add_column(name, justify="right", no_wrap=True, min_width=width)
    notes = Text()
    for case in result.cases:
        s = case.scores
        if _notes(case):
            notes.append(f"{case.name}: {_notes(case)}\n", style=STYLE[case.status])
        if s is None:
            table.add_row(case.name, Text(case.status.upper(), style=STYLE[case.status]))
            continue
        table.add_row(
            case.name,
            *(_tally(getattr(s, k)) for k in QUALITY_METRICS),
            _tokens(s.tokens),
            cost_text(s.cost_usd) if s.calls else "-",
            f"{s.latency_s:.1f}",
        )
    return Group(table, notes) if notes else table


def totals_view(result: SuiteResult) -> RenderableType:
    """The totals, each metric against its tally, and the verdict of the run."""
    totals = result.totals
    table = Table(title="totals", title_justify="left")
    for name in ("metric", "value", "count"):
        table.add_column(name)
    for name in QUALITY_METRICS:
        value = result.metrics[name]
        shown = "unscored" if value is None else f"{value:.3f}"
        table.add_row(name, shown, _tally(totals.tallies[name]))
    table.add_row("cost_usd", cost_text(totals.cost_usd), f"{totals.calls} calls")
    table.add_row("tokens", str(totals.tokens), "")
    latency = result.metrics["latency_s"]
    table.add_row("latency_s", "-" if latency is None else f"{latency:.2f} mean", "")
    scored = Text(f"{totals.scored} of {totals.cases} cases scored in {result.duration_s:.1f} s")
    if result.passed:
        return Group(table, scored, Text("PASS", style="bold green"))
    failures = Text("\n".join(f"FAIL {f}" for f in result.failures), style="red")
    return Group(table, scored, failures)


def exported_case(exported: ExportedCase, prog: str = "gatereview") -> RenderableType:
    """What export-case wrote and how to run it (as the user ran the tool), and whether the
    case gives the statuses."""
    lines = [
        Text.assemble(("Case written: ", "bold"), safe(exported.folder)),
        Text(f"from run {exported.run_id}; documents: ")
        + safe(", ".join(exported.documents)),
        Text(
            f"{len(exported.expected.gates)} gate statuses, {len(exported.expected.must_flag)} "
            f"criteria expected unmet, {len(exported.expected.must_not_flag)} expected met; "
            f"{exported.decisions} reviewer decision(s) replayed; "
            f"{exported.exchanges} model exchange(s) recorded"
        ),
    ]
    if exported.reproduced:
        lines.append(Text("Reviewing the case gives the reviewers' statuses.", style="green"))
    else:
        lines.append(Text("Reviewing the case does not give the reviewers' statuses:", style="red"))
        lines += [safe(f"  {problem}") for problem in exported.problems]
    model = "replay" if exported.mode == "replay" else "offline"
    lines.append(Text(f"Run it with: {prog} eval {exported.folder} --model {model}"))
    return Group(*lines)
