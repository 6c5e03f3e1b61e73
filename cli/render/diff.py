"""What changed between two runs: gate statuses and findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cli.render.styles import styled
from vocabulary.escaping import terminal_safe

if TYPE_CHECKING:
    from exports.diff import RunDiff


def diff_view(diff: RunDiff) -> RenderableType:
    """Gate status changes and finding changes between two runs."""
    head = Text(f"{diff.before} -> {diff.after}")
    if diff.project:
        head.append(f"  project: {terminal_safe(diff.project)}")
    if diff.sources_before or diff.sources_after:
        before = ", ".join(diff.sources_before) or "files"
        after = ", ".join(diff.sources_after) or "files"
        head.append(f"\nRead: {terminal_safe(before)} -> {terminal_safe(after)}")
    head.append("\nVerdict: ")
    head.append_text(styled(diff.overall_before or "?"))
    head.append(" -> ")
    head.append_text(styled(diff.overall_after or "?"))
    gates = Table(title="Gates that changed", title_justify="left")
    for column in ("gate", "before", "after"):
        gates.add_column(column)
    for g in diff.gates:
        gates.add_row(g.gate, styled(g.before or "-"), styled(g.after or "-"))
    findings = Table(title="Findings that changed", title_justify="left")
    for column in ("change", "criterion", "before", "after", "lines"):
        findings.add_column(column)
    moved = [f.criterion for f in diff.findings if f.change == "moved_lines"]
    for f in diff.findings:
        if f.change == "moved_lines":
            continue  # one line below: an inserted paragraph moves every quote after it
        lines = ""
        if f.lines_before != f.lines_after:
            lines = f"{', '.join(f.lines_before) or '-'} -> {', '.join(f.lines_after) or '-'}"
        findings.add_row(
            f.change.replace("_", " "), f.criterion, styled(f.before or "-"),
            styled(f.after or "-"), lines,
        )
    parts: list[RenderableType] = [head]
    parts.append(gates if diff.gates else Text("No gate changed."))
    changed = len(diff.findings) - len(moved)
    parts.append(findings if changed else Text("No finding changed status or evidence."))
    if moved:
        parts.append(Text(f"Same status and quotes at other lines: {', '.join(moved)}"))
    return Group(*parts, Text(f"{diff.unchanged} findings unchanged"))
