"""Write a Word document from a plain-text source, with text a reader cannot see.

Run: `python -m evals.make_docx` regenerates each case's `design.docx` in TARGETS. Each source
line is a paragraph; `# ` and `## ` lines are headings. Hidden-text attacks are spelled by a
prefix: `[hidden] ` (a hidden run, `w:vanish`), `[white] ` (white text), `[tiny] ` (1 pt),
each a paragraph of its own; `[+hidden] ` appends a hidden run to the paragraph before; and
`[subject] ` sets the document's subject (metadata).
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.shared import Pt, RGBColor

HERE = Path(__file__).parent
TARGETS = {
    HERE / "sources" / "travel-bot-hidden.txt": (
        HERE / "cases" / "hidden-docx-travel-bot" / "design.docx"
    ),
}


def write_docx(text: str, target: Path) -> None:
    """The Word document the source describes, saved at target."""
    document = docx.Document()
    document.core_properties.comments = ""
    paragraph = None
    for line in text.rstrip("\n").split("\n"):
        marker, _, rest = line.partition("] ")
        kind = marker.removeprefix("[") if line.startswith("[") and rest else ""
        if kind == "subject":
            document.core_properties.subject = rest
        elif kind == "+hidden" and paragraph is not None:
            paragraph.add_run(rest).font.hidden = True
        elif kind in ("hidden", "white", "tiny"):
            run = document.add_paragraph().add_run(rest)
            if kind == "hidden":
                run.font.hidden = True
            elif kind == "white":
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
            else:
                run.font.size = Pt(1)
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            paragraph = document.add_heading(line.lstrip("#").strip(), level)
        else:
            paragraph = document.add_paragraph(line)
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))


def main() -> int:
    """Regenerate the DOCX cases' documents."""
    for source, target in TARGETS.items():
        write_docx(source.read_text(encoding="utf-8"), target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
