"""A portfolio of projects reviewed by review-batch, one row each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from cli.render.styles import styled

if TYPE_CHECKING:
    from portfolio.batch import Portfolio


def portfolio_table(portfolio: Portfolio) -> Table:
    """One row per project: verdict, gate statuses, conditions, cost, run."""
    table = Table(title=f"Portfolio ({len(portfolio.projects)} projects)")
    for column in ("project", "owner", "verdict", "gates", "conditions", "cost", "run"):
        table.add_column(column)
    for p in portfolio.projects:
        if p.error is not None:
            table.add_row(p.project, p.owner or "", styled("failed"), Text(p.error), "", "", "")
            continue
        short = [Text.assemble(f"{g} ", styled(s)) for g, s in p.gates.items() if s != "ready"]
        gates = Text(", ").join(short) if short else styled("all ready")
        cost = "-" if p.cost_usd is None else f"${p.cost_usd:.4f}"
        table.add_row(
            p.project,
            p.owner or "",
            styled(p.verdict or p.state, "screened" if p.screened else None),
            gates,
            str(p.conditions),
            cost,
            p.run_id or "",
        )
    return table
