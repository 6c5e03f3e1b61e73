"""Write a slide deck from a plain-text source with hidden text (python-pptx).

Run: `python -m evals.make_pptx` regenerates each case's `design.pptx` in TARGETS. The source
is read by `evals.hidden_source`: a `# ` heading is the title slide, each `## ` heading starts
a slide whose body holds the lines below it; `[hidden] ` lines go on a hidden slide of their
own, `[white] ` ones in a text box placed off the slide, `[tiny] ` ones in 1 pt, `[+hidden] `
text in a shape marked hidden, and `[subject] ` text in the deck's subject.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pptx import Presentation
from pptx.util import Inches, Pt

from evals.hidden_source import source_lines

HERE = Path(__file__).parent
TARGETS = {
    HERE / "sources" / "travel-bot-hidden.txt": (
        HERE / "cases" / "hidden-pptx-travel-bot" / "design.pptx"
    ),
}


class _Deck:
    def __init__(self) -> None:
        self.deck = Presentation()
        self.body: Any = None
        self.slide: Any = None

    def titled(self, title: str, layout: int) -> Any:
        slide = self.deck.slides.add_slide(self.deck.slide_layouts[layout])
        slide.shapes.title.text = title
        return slide

    def add(self, text: str, size: Pt | None = None) -> None:
        if self.body is None:
            self.slide = self.titled("Notes", 1)
            self.body = self.slide.placeholders[1].text_frame
            self.body.text = ""
        paragraph = self.body.paragraphs[0] if not self.body.text else self.body.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        if size is not None:
            run.font.size = size

    def box(self, text: str, left: float, hidden: bool) -> None:
        shape = self.slide.shapes.add_textbox(Inches(left), Inches(6.8), Inches(3), Inches(0.5))
        shape.text_frame.text = text
        if hidden:
            shape._element.nvSpPr.cNvPr.set("hidden", "1")


def write_pptx(text: str, target: Path) -> None:
    """Save the deck the source describes at target."""
    deck = _Deck()
    for kind, level, rest in source_lines(text):
        if kind == "subject":
            deck.deck.core_properties.subject = rest
        elif kind == "heading" and level == 1:
            deck.slide, deck.body = deck.titled(rest, 0), None
        elif kind == "heading":
            deck.slide = deck.titled(rest, 1)
            deck.body = deck.slide.placeholders[1].text_frame
            deck.body.text = ""
        elif kind == "hidden":
            hidden = deck.titled("Appendix", 1)
            hidden.placeholders[1].text_frame.text = rest
            hidden._element.set("show", "0")
        elif kind == "white":
            deck.box(rest, 12.0, hidden=False)  # right of a 10-inch slide: off it
        elif kind == "+hidden":
            deck.box(rest, 1.0, hidden=True)
        elif kind == "tiny":
            deck.add(rest, Pt(1))
        elif rest.strip():
            deck.add(rest)
    deck.deck.core_properties.title = ""
    target.parent.mkdir(parents=True, exist_ok=True)
    deck.deck.save(str(target))


def main() -> int:
    """Regenerate the PPTX cases' documents."""
    for source, target in TARGETS.items():
        write_pptx(source.read_text(encoding="utf-8"), target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
