"""The runs of a workspace, one line each."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text

from cli.render.styles import STATUS_STYLE, WIDE
from vocabulary.escaping import terminal_safe

if TYPE_CHECKING:
    from runs.catalogue import RunSummary


def runs_table(runs: list[RunSummary], width: int = WIDE) -> Text:
    """One line per run: id, state, verdict, created, documents (aligned columns; a Rich
    table measures every cell and takes a fifth of a second for 200 runs). Below WIDE columns
    the created column goes (the run id starts with its UTC time) and documents show their file
    names, so a row fits 80 columns; a status is never cut."""
    wide = width >= WIDE
    rows = [
        (
            r.run_id,
            r.state,
            r.verdict or "-",
            (r.created_at or "")[:16].replace("T", " ") if wide else "",
            terminal_safe(", ".join(d if wide else Path(d).name for d in r.documents)),
        )
        for r in runs
    ]
    header = ("run", "state", "verdict", "created" if wide else "", "documents")
    widths = [max(len(row[i]) for row in [header, *rows]) + 2 for i in range(3)]
    widths.append(max(len(row[3]) for row in [header, *rows]) + 2 if wide else 0)
    table = Text()
    heads = "".join(h.ljust(w) for h, w in zip(header, widths, strict=False))
    table.append(f"{heads}{header[-1]}\n", style="bold")
    for row in rows:
        table.append(row[0].ljust(widths[0]))
        table.append(row[1].ljust(widths[1]), style=STATUS_STYLE.get(row[1], ""))
        table.append(row[2].ljust(widths[2]), style=STATUS_STYLE.get(row[2], ""))
        table.append(row[3].ljust(widths[3]))
        # The documents column takes what the line has left; a status is never cut.
        room = max(12, width - sum(widths))
        documents = row[4] if len(row[4]) <= room else row[4][: room - 1] + "…"
        table.append(f"{documents}\n")
    table.rstrip()
    return table
