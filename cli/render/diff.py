"""What changed between two runs: gate statuses and findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cli.render.styles import WIDE, styled
from vocabulary.escaping import terminal_safe

if TYPE_CHECKING:
    from exports.diff import FindingChange, RunDiff


def _head(diff: RunDiff) -> Text:
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
    return head


def _one_path(changed: list[FindingChange]) -> str | None:
    """The document every quoted location is in, when there is only one."""
    paths = {
        loc.split(":", 1)[0] for f in changed for loc in (*f.lines_before, *f.lines_after)
    }
    return next(iter(paths)) if len(paths) == 1 else None


def _lines(f: FindingChange, path: str | None) -> str:
    if f.lines_before == f.lines_after:
        return ""
    def short(locs: list[str]) -> str:
        shown = [loc.removeprefix(f"{path}:") if path else loc for loc in locs]
        return ", ".join(shown) or "-"
    return f"{short(f.lines_before)} -> {short(f.lines_after)}"


MIN_LINES = 16  # narrower than this, a lines column would wrap every location


def _findings(changed: list[FindingChange], width: int) -> list[RenderableType]:
    """The table of findings that changed; their quotes' lines in a column when they fit
    (one document: line numbers only), else under the table (a path cut to fit a column says
    nothing)."""
    path = _one_path(changed)
    words = [
        max(len(f.change) for f in changed),
        max(len(f.criterion) for f in changed),
        *(max(len(str(getattr(f, c) or "-")) for f in changed) for c in ("before", "after")),
    ]
    room = width - sum(max(w, 6) + 3 for w in words) - 4  # what a lines column would get
    inline = room >= MIN_LINES and (path is not None or width >= WIDE)
    where = f" in {terminal_safe(path)}" if path else ""
    title = "Findings that changed" + (f" (lines{where})" if inline and path else "")
    table = Table(title=title, title_justify="left")
    changes = [f.change.replace("_", " ") for f in changed] + ["change"]
    table.add_column("change", no_wrap=True, min_width=max(map(len, changes)))
    table.add_column("criterion", no_wrap=True, min_width=max(len(f.criterion) for f in changed))
    for column in ("before", "after"):
        words = [column, *(str(getattr(f, column) or "-") for f in changed)]
        table.add_column(column, no_wrap=True, min_width=max(map(len, words)))
    if inline:
        table.add_column("lines", overflow="fold", ratio=1)
    below: list[RenderableType] = []
    for f in changed:
        lines = _lines(f, path)
        cells = [f.change.replace("_", " "), f.criterion, styled(f.before or "-"),
                 styled(f.after or "-")]
        table.add_row(*cells, *([lines] if inline else []))
        if lines and not inline:
            below.append(Padding(Text(terminal_safe(f"{f.criterion}: {lines}")), (0, 0, 0, 2)))
    said = Text(f"Their quotes' lines{where}, before -> after:")
    return [table, *([said, *below] if below else [])]


def diff_view(diff: RunDiff, width: int = WIDE) -> RenderableType:
    """Gate status changes and finding changes between two runs."""
    gates = Table(title="Gates that changed", title_justify="left")
    for column in ("gate", "before", "after"):
        gates.add_column(column, no_wrap=True)
    for g in diff.gates:
        gates.add_row(g.gate, styled(g.before or "-"), styled(g.after or "-"))
    # Moved quotes get one line: an inserted paragraph moves every quote after it.
    moved = [f.criterion for f in diff.findings if f.change == "moved_lines"]
    changed = [f for f in diff.findings if f.change != "moved_lines"]
    parts: list[RenderableType] = [_head(diff)]
    parts.append(gates if diff.gates else Text("No gate changed."))
    if changed:
        parts += _findings(changed, width)
    else:
        parts.append(Text("No finding changed status or evidence."))
    if moved:
        parts.append(Text(f"Same status and quotes at other lines: {', '.join(moved)}"))
    return Group(*parts, Text(f"{diff.unchanged} findings unchanged"))
