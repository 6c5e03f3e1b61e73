"""Progress lines: what to say on stderr when a step of the graph has finished."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from cli.render.styles import safe
from vocabulary.models import FINDING_STATUSES


def progress_lines(node: str, update: dict[str, Any]) -> list[Text]:
    """What to say when a step of the graph has finished."""
    done = Text("  done ", style="green")
    if node in update.get("reviews", {}):
        findings = update["reviews"][node]["findings"]
        counts = {
            s: sum(1 for f in findings if f["status"] == s)
            for s in FINDING_STATUSES
        }
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        return [Text.assemble(done, f"{node:<9} {summary}")]
    if node == "load_documents":
        lines = [Text.assemble(done, f"read      {len(update['documents'])} document(s)")]
        return lines + [safe(f"  note: {note}") for note in update["notes"]]
    if node == "ingest":
        found = len(update.get("instructions", []))
        hidden = len(update.get("hidden_concerns", []))
        said = [f"{found} passage(s) aimed at reviewers withheld"] if found else []
        said += [f"{hidden} hidden passage(s) reported"] if hidden else []
        return [Text.assemble(done, f"ingest    {'; '.join(said)}".rstrip())]
    if node in ("coordinator", "finalise"):
        return [Text.assemble(done, node)]
    return []
