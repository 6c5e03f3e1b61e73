"""A PowerPoint deck (python-pptx) as a presenter's audience and notes reader see it.

Each shown slide gives its shapes' text in reading order (top to bottom, then left to right),
each paragraph a line, each table row one line of ' | '-joined cells, and then its speaker
notes. Not evidence: hidden slides (`show="0"`, skipped in a slide show), shapes marked
hidden, shapes placed wholly off the slide, and text under 4 pt; each is kept with the slide it
is on (`path:slide N`), never with a line. Every line records its slide number, so a quote is
found at `path:slide N`. The deck's core properties that hold text are metadata: hidden.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Pt

from tools.ceilings import check_archive
from tools.extracted import Extracted
from vocabulary.errors import DocumentError

if TYPE_CHECKING:
    from pptx.presentation import Presentation

    from tools.ceilings import Deadline

TINY = Pt(4)
LAYOUT_BODY_TOP = 1_600_200  # EMU: where the default layouts put a body placeholder (1.75 in)
METADATA_FIELDS = ("title", "subject", "keywords", "comments", "category", "content_status")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    reason = text[0] if text else type(exc).__name__
    return reason if len(reason) <= 120 else reason[:117] + "..."


def _open(data: bytes, display: str, max_expanded: int) -> Presentation:
    from pptx import Presentation as open_deck

    if not data:
        raise DocumentError(f"{display}: corrupt PPTX (the file is empty)")
    check_archive(data, display, max_expanded, "PPTX")
    try:
        return open_deck(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentError(f"{display}: corrupt PPTX (not a ZIP archive)") from None
    except KeyError as exc:
        problem = f"a ZIP archive but not a PowerPoint deck: {_reason(exc)}"
        raise DocumentError(f"{display}: corrupt PPTX ({problem})") from None
    except Exception as exc:  # python-pptx and lxml raise assorted errors on bad packages
        raise DocumentError(f"{display}: corrupt PPTX ({_reason(exc)})") from None


def _flagged_hidden(shape: Any) -> bool:
    properties = shape._element.find(f".//{qn('p:cNvPr')}")
    return properties is not None and properties.get("hidden") in ("1", "true")


def _box(shape: Any) -> tuple[int, int, int, int] | None:
    """The shape's own position and size (EMU), or None when its layout places it (reading
    the XML directly: python-pptx looks inherited positions up through the layout each time)."""
    for element in shape._element.iter(qn("a:xfrm"), qn("p:xfrm")):
        offset, extent = element.find(qn("a:off")), element.find(qn("a:ext"))
        if offset is None or extent is None:
            return None
        try:
            return (int(offset.get("x", 0)), int(offset.get("y", 0)),
                    int(extent.get("cx", 0)), int(extent.get("cy", 0)))  # fmt: skip
        except ValueError:
            return None
    return None


def _off_slide(shape: Any, width: int, height: int) -> bool:
    box = _box(shape)
    if box is None:
        return False  # placed by its layout: on the slide
    left, top, wide, high = box
    return left >= width or top >= height or left + wide <= 0 or top + high <= 0


def _reading_order(shape: Any) -> tuple[int, int]:
    box = _box(shape)
    if box is not None:
        return box[1], box[0]
    kind = shape._element.find(f".//{qn('p:ph')}")
    title = kind is not None and kind.get("type") in ("title", "ctrTitle")
    return (0 if title else LAYOUT_BODY_TOP), 0


def _shapes(shapes: Any) -> Iterator[Any]:
    """Shapes in reading order, groups opened (a hidden group hides what it holds)."""
    ordered = sorted(shapes, key=_reading_order)
    for shape in ordered:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP and not _flagged_hidden(shape):
            yield from _shapes(shape.shapes)
        else:
            yield shape


def _paragraphs(frame: Any) -> Iterator[tuple[str, str]]:
    """Each paragraph's readable text and its tiny text."""
    for paragraph in frame.paragraphs:
        seen: list[str] = []
        tiny: list[str] = []
        for run in paragraph.runs:
            size = run.font.size
            (tiny if size is not None and size < TINY else seen).append(run.text)
        yield " ".join("".join(seen).split()), " ".join("".join(tiny).split())


def _shape_text(shape: Any) -> Iterator[tuple[str, str]]:
    """A shape's lines (visible, tiny): paragraphs of a text frame, rows of a table."""
    if shape.has_text_frame:
        yield from _paragraphs(shape.text_frame)
    elif getattr(shape, "has_table", False) and shape.has_table:
        for row in shape.table.rows:
            cells = [list(_paragraphs(cell.text_frame)) for cell in row.cells]
            visible = " | ".join(" ".join(p for p, _ in cell if p) for cell in cells)
            tiny = " ".join(t for cell in cells for _, t in cell if t)
            yield (visible if visible.strip(" |") else ""), tiny


class _Deck:
    """Collects the deck's lines slide by slide."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.out = Extracted()

    def line(self, text: str, slide: int) -> None:
        self.out.lines.append(text)
        self.out.units.append(slide)

    def hidden_slide(self, slide: Any, number: int) -> None:
        texts = [t for shape in _shapes(slide.shapes) for pair in _shape_text(shape) for t in pair]
        texts += [_notes(slide)]
        self.out.hide(" ".join(texts), "hidden slide", line=0, detail=f"slide {number}")

    def slide(self, slide: Any, number: int) -> None:
        first = len(self.out.lines)
        title = slide.shapes.title
        heading = f"slide {number}"
        if title is not None and title.has_text_frame and title.text_frame.text.strip():
            heading += ": " + " ".join(title.text_frame.text.split())
        for shape in _shapes(slide.shapes):
            if _flagged_hidden(shape) or _off_slide(shape, self.width, self.height):
                why = "hidden shape" if _flagged_hidden(shape) else "off-page text"
                text = " ".join(t for pair in _shape_text(shape) for t in pair)
                self.out.hide(text, why, line=0, detail=f"slide {number}")
                continue
            for visible, tiny in _shape_text(shape):
                if tiny:
                    self.out.hide(tiny, "tiny text", line=0, detail=f"slide {number}")
                if visible:
                    self.line(visible, number)
        if len(self.out.lines) > first:
            self.out.headings.append((first, 1, heading))
        notes = [line for line in _notes(slide).split("\n") if line.strip()]
        if notes:
            self.out.headings.append((len(self.out.lines), 2, "speaker notes"))
            for line in notes:
                self.line(" ".join(line.split()), number)


def _notes(slide: Any) -> str:
    if not slide.has_notes_slide:
        return ""
    frame = slide.notes_slide.notes_text_frame
    return frame.text.replace("\r", "\n").replace("\v", "\n") if frame is not None else ""


def slide_text(
    data: bytes, display: str, max_expanded: int, deadline: Deadline | None = None
) -> Extracted:
    """The deck's shown slides and notes as lines (units: slide numbers) and hidden text."""
    deck = _open(data, display, max_expanded)
    reader = _Deck(deck.slide_width or 0, deck.slide_height or 0)
    try:
        for number, slide in enumerate(deck.slides, start=1):
            if deadline is not None:
                deadline.check("reading the PPTX")
            if slide._element.get("show") in ("0", "false"):
                reader.hidden_slide(slide, number)
            else:
                reader.slide(slide, number)
        properties = deck.core_properties
        for name in METADATA_FIELDS:
            value = getattr(properties, name, None)
            if isinstance(value, str) and value.strip():
                reader.out.hide(value, "metadata", line=0, detail=name.replace("_", " "))
    except DocumentError:
        raise
    except Exception as exc:  # a part python-pptx cannot read: the deck is damaged
        raise DocumentError(f"{display}: corrupt PPTX ({_reason(exc)})") from None
    return reader.out.finish()
