"""What a reader of an HTML page, slide deck or OpenDocument file sees: lines and hidden text.

Each of those readers (`tools.html_text`, `tools.slides`, `tools.odf`) returns an `Extracted`:
the visible text as lines, the headings among them, a unit per line (a slide, a paragraph)
where the format has one, and the text nobody reading the rendered file sees, kept apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guard import HiddenKind, HiddenText
from tools.sections import Heading


@dataclass
class Extracted:
    """The visible lines of a document, its headings, units per line and hidden text."""

    lines: list[str] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    units: list[int] = field(default_factory=list)
    hidden: list[HiddenText] = field(default_factory=list)
    mergeable: bool = False  # the last hidden piece was text that the next may continue

    def hide(
        self, text: str, why: HiddenKind, line: int | None = None, detail: str = "",
        *, merge: bool = False,
    ) -> None:
        """Keep text nobody sees, at `line` (default: the last visible line so far, the one it
        follows); with `merge`, a piece continuing the previous one (same kind, same line) is
        joined to it."""
        flat = " ".join(text.split())
        if not flat:
            return
        at = max(len(self.lines), 1) if line is None else line
        last = self.hidden[-1] if self.hidden else None
        joins = merge and self.mergeable and last is not None
        if joins and last is not None and last.line_start == at and last.why == why:
            last.text = f"{last.text} {flat}"
            return
        self.mergeable = merge
        self.hidden.append(
            HiddenText(line_start=at, line_end=at, text=flat, why=why, detail=detail)
        )

    def finish(self) -> Extracted:
        """Anchor hidden text past the last line to the last line (0 stays: no line)."""
        last = len(self.lines)
        for piece in self.hidden:
            if piece.line_start > last:
                piece.line_start = piece.line_end = last
        return self
