"""The plain-text source of a document with text a reader cannot see, as typed lines.

One line a paragraph; `# ` and `## ` lines are headings. A prefix spells a hidden-text attack:
`[hidden] ` (hidden by the format's own means), `[white] `, `[tiny] ` (1 pt), each a paragraph
of its own; `[+hidden] ` appends hidden text to the paragraph before; `[subject] ` puts the
text in the document's metadata. The writers (`make_docx`, `make_html`, `make_pptx`,
`make_odt`) each render these with their format's means.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["heading", "text", "hidden", "white", "tiny", "+hidden", "subject"]
_ATTACKS = ("hidden", "white", "tiny", "+hidden", "subject")


def source_lines(text: str) -> list[tuple[Kind, int, str]]:
    """Each source line as (kind, heading level or 0, text)."""
    parsed: list[tuple[Kind, int, str]] = []
    for line in text.rstrip("\n").split("\n"):
        marker, _, rest = line.partition("] ")
        kind = marker.removeprefix("[") if line.startswith("[") and rest else ""
        if kind in _ATTACKS:
            parsed.append((kind, 0, rest))  # type: ignore[arg-type]
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            parsed.append(("heading", level, line.lstrip("#").strip()))
        else:
            parsed.append(("text", 0, line))
    return parsed
