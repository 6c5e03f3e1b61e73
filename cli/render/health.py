"""The workspace's health as doctor reports it, one row per check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

from cli.render.styles import safe, styled

if TYPE_CHECKING:
    from runs.health import Health


def health_table(health: Health) -> Table:
    """One row per check of a workspace: what, status, detail and the fix."""
    verdict = "healthy" if health.healthy else "problems found"
    table = Table(title=f"Workspace {health.home}: {verdict}", title_justify="left")
    for column in ("checked", "status", "found", "fix"):
        table.add_column(column, overflow="fold")
    for check in health.checks:
        table.add_row(safe(check.subject), styled(check.status), safe(check.detail), check.fix)
    return table
