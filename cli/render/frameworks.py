"""A run's findings per framework clause, and the clauses with no evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cli.render.styles import styled

if TYPE_CHECKING:
    from exports.view import RunView


def frameworks_view(view: RunView) -> RenderableType:
    """Per framework, each clause the rubrics map to: the findings evidencing it, and those not."""
    parts: list[RenderableType] = []
    for coverage in view.frameworks:
        table = Table(title=coverage.name, title_justify="left")
        for column in ("clause", "evidence", "findings", "no evidence from"):
            table.add_column(column)
        for clause in coverage.clauses:
            found = Text(", ").join(
                Text.assemble(f"{f.id} ", styled(f.status)) for f in clause.findings if f.evidenced
            )
            table.add_row(
                clause.clause,
                styled("evidenced") if clause.evidenced else Text("none", style="red"),
                found,
                ", ".join(clause.unevidenced),
            )
        parts.append(table)
        evidenced = sum(1 for c in coverage.clauses if c.evidenced)
        parts.append(
            Text(
                f"{evidenced} of {len(coverage.clauses)} mapped clauses evidenced; "
                f"{len(coverage.unmapped)} clauses no criterion maps to\n"
            )
        )
    return Group(*parts)
