"""Write an OpenDocument text from a plain-text source with hidden text (odfpy).

Run: `python -m evals.make_odt` regenerates each case's `design.odt` in TARGETS. The source is
read by `evals.hidden_source`: `[hidden] ` lines are hidden paragraphs (`text:hidden-paragraph`),
`[white] ` ones white, `[tiny] ` ones 1 pt, `[+hidden] ` text a span whose style hides it
(`text:display="none"`) in the paragraph before, and `[subject] ` text the document's subject.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from odf import dc
from odf.opendocument import OpenDocumentText
from odf.style import Style, TextProperties
from odf.text import H, HiddenParagraph, P, Span

from evals.hidden_source import source_lines

HERE = Path(__file__).parent
TARGETS = {
    HERE / "sources" / "travel-bot-hidden.txt": (
        HERE / "cases" / "hidden-odt-travel-bot" / "design.odt"
    ),
}


def _style(document: Any, name: str, family: str, **properties: str) -> Style:
    style = Style(name=name, family=family)
    style.addElement(TextProperties(**properties))
    document.automaticstyles.addElement(style)
    return style


def write_odt(text: str, target: Path) -> None:
    """Save the document the source describes at target."""
    document = OpenDocumentText()
    white = _style(document, "P1", "paragraph", color="#ffffff")
    tiny = _style(document, "P2", "paragraph", fontsize="1pt")
    gone = _style(document, "T1", "text", display="none")
    last = None
    for kind, level, rest in source_lines(text):
        if kind == "subject":
            document.meta.addElement(dc.Subject(text=rest))
        elif kind == "heading":
            last = H(outlinelevel=level, text=rest)
            document.text.addElement(last)
        elif kind == "+hidden" and last is not None:
            last.addElement(Span(stylename=gone, text=rest))
        elif kind == "hidden":
            paragraph = P(text=rest)
            paragraph.addElement(HiddenParagraph(condition="ooow:TRUE", ishidden="true"))
            document.text.addElement(paragraph)
        elif kind in ("white", "tiny"):
            document.text.addElement(P(stylename=white if kind == "white" else tiny, text=rest))
        elif rest.strip():
            last = P(text=rest)
            document.text.addElement(last)
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))


def main() -> int:
    """Regenerate the ODT cases' documents."""
    for source, target in TARGETS.items():
        write_odt(source.read_text(encoding="utf-8"), target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
