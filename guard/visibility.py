"""What a reader sees: one rule for every format, applied to how each piece of text is drawn.

Text is evidence only if a reader of the rendered document sees it. Every format's reader
(Markdown in `guard.markdown`, DOCX in `tools.word`, PDF in `tools.pdf_layers`, and any new
one) says how each piece of its text is drawn (`Appearance`: size, horizontal scale, colour
and background, or a reason of the format itself such as Word's `vanish`, a PDF render mode
that paints nothing, a covering rectangle or a clip), and `why_hidden` decides, the same way
for all of them:
- glyphs under MIN_POINTS high, or squeezed under MIN_POINTS wide (a 12 pt run at 1 % width);
- text whose colour stands out from its background by a contrast ratio under MIN_CONTRAST
  (WCAG's ratio: white on white is 1, black on white 21), the page white unless it is painted;
- whatever the format itself hides.

A new format builds its lines with `visible_lines`: blocks (one per line or paragraph) of
pieces, each with its appearance; the visible text comes back as lines and the rest as
`HiddenText`, at the line it sits in. The hidden text is never evidence and never sent to a
model; it is still scanned for reviewer-aimed text and reported when it reads as a commitment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HiddenKind = Literal[
    "html comment",
    "hidden html",
    "comment link",
    "link definition",
    "link title",
    "html attribute",
    "hidden run",
    "white text",
    "faint text",
    "tiny text",
    "squeezed text",
    "invisible text",
    "covered text",
    "clipped text",
    "off-page text",
    "metadata",
    "hidden slide",
    "hidden shape",
    "hidden paragraph",
]

MIN_POINTS = 4.5  # glyphs smaller than this, high or wide, are not read
MIN_CONTRAST = 1.5  # a colour this close to its background does not stand out from it
WHITE: tuple[float, float, float] = (1.0, 1.0, 1.0)
Colour = tuple[float, float, float]  # red, green, blue, each 0..1


class HiddenText(BaseModel):
    """A passage of a file that a reader does not see: never evidence, never sent to a model."""

    model_config = ConfigDict(extra="forbid")

    line_start: int = Field(description="Line of the visible text it sits in (0: outside them)")
    line_end: int
    text: str = Field(description="The hidden text, verbatim")
    why: HiddenKind
    detail: str = Field(default="", description="A PDF page, or the metadata field it is in")
    location: str = Field(default="", description="Where a person opening the file finds it")


@dataclass(frozen=True)
class Appearance:
    """How a piece of text is drawn, as its format's reader found it."""

    points: float | None = None  # glyph height on the page; None: the format's default
    width_scale: float = 1.0  # horizontal scale: Word's w:w, PDF's Tz, CSS scaleX (1 = normal)
    colour: Colour | None = None  # None: the default text colour (dark)
    background: Colour | None = None  # None: the white page
    hidden_by_format: HiddenKind | None = None  # vanish, render mode 3, display:none, a clip...


def luminance(colour: Colour) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(min(max(v, 0.0), 1.0)) for v in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: Colour, second: Colour) -> float:
    """WCAG contrast ratio of two colours: 1 (the same) to 21 (black on white)."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def why_hidden(look: Appearance) -> HiddenKind | None:
    """Why text drawn this way is not seen by a reader, or None when it is."""
    if look.hidden_by_format is not None:
        return look.hidden_by_format
    if look.points is not None:
        if look.points < MIN_POINTS:
            return "tiny text"
        if look.points * look.width_scale < MIN_POINTS:
            return "squeezed text"
    elif look.width_scale * 12 < MIN_POINTS:  # the usual 12 pt, squeezed
        return "squeezed text"
    if look.colour is not None:
        background = look.background or WHITE
        if contrast(look.colour, background) < MIN_CONTRAST:
            return "white text" if luminance(look.colour) > 0.8 else "faint text"
    return None


@dataclass(frozen=True)
class Piece:
    """A piece of a block's text and how it is drawn."""

    text: str
    look: Appearance = Appearance()


def visible_lines(blocks: Sequence[Sequence[Piece]]) -> tuple[list[str], list[HiddenText]]:
    """Blocks of pieces as the visible lines (a block's line breaks kept) and the hidden
    pieces, each at the line it sits in (runs hidden for the same reason joined)."""
    lines: list[str] = []
    hidden: list[HiddenText] = []
    for block in blocks:
        first = len(lines) + 1
        shown: list[str] = []
        last: tuple[int, HiddenKind] | None = None
        for piece in block:
            why = why_hidden(piece.look)
            if why is None:
                shown.append(piece.text)
                last = None
                continue
            line = first + "".join(shown).count("\n")
            if last == (line, why):
                hidden[-1] = hidden[-1].model_copy(update={"text": hidden[-1].text + piece.text})
            else:
                hidden.append(HiddenText(line_start=line, line_end=line, text=piece.text, why=why))
            last = (line, why)
        lines.extend("".join(shown).split("\n"))
    return lines, hidden
