"""A portfolio of projects reviewed by review-batch, one row each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cli.render.styles import WIDE, safe, styled

if TYPE_CHECKING:
    from portfolio.batch import Portfolio, ProjectResult


def _gates(p: ProjectResult) -> Text:
    short = [Text.assemble(f"{g} ", styled(s)) for g, s in p.gates.items() if s != "ready"]
    return Text(", ").join(short) if short else styled("all ready")


def portfolio_table(portfolio: Portfolio, width: int = WIDE) -> RenderableType:
    """One row per project: verdict, gate statuses, conditions, cost, run. Verdicts, costs
    and run ids are never cut; below 100 columns (a CI log) the owner and the gates that are
    not ready move to a line under the table, with a failed project's reason."""
    wide = width >= WIDE
    table = Table(
        title=f"Portfolio ({len(portfolio.projects)} projects)", title_justify="left", expand=True
    )
    table.add_column("project", overflow="fold", ratio=1)
    if wide:
        table.add_column("owner", overflow="fold", ratio=1)
    verdicts = [p.verdict or p.state for p in portfolio.projects] + ["verdict", "failed"]
    table.add_column("verdict", no_wrap=True, min_width=max(map(len, verdicts)))
    if wide:
        table.add_column("gates", overflow="fold", ratio=2, min_width=12)
    table.add_column("cond." if not wide else "conditions", no_wrap=True, justify="right")
    table.add_column("cost", no_wrap=True, justify="right")
    runs = [p.run_id or "" for p in portfolio.projects]
    table.add_column("run", no_wrap=True, min_width=max([3, *map(len, runs)]))
    below: list[RenderableType] = []
    for p in portfolio.projects:
        cost = "-" if p.cost_usd is None else f"${p.cost_usd:.4f}"
        if p.error is not None:
            verdict, gates, conditions, cost = styled("failed"), safe(p.error), "", ""
        else:
            verdict = styled(p.verdict or p.state, "screened" if p.screened else None)
            gates, conditions = _gates(p), str(p.conditions)
        cells: list[str | Text] = [safe(p.project)]
        cells += [safe(p.owner or ""), verdict, gates] if wide else [verdict]
        table.add_row(*cells, conditions, cost, p.run_id or "")
        if not wide:
            owner = f" ({p.owner})" if p.owner else ""
            line = Text.assemble(safe(f"{p.project}{owner}: "), gates)
            below.append(Padding(line, (0, 0, 0, 2)))
    return Group(table, *below) if below else table
