"""A PDF page's text split into what a reader sees and what they cannot see.

What is painted and stays in view is seen. The page's content stream, with every form XObject
it draws inlined (its matrix, its bounding box as a clip, its fonts renamed into the page's
resources), is walked once; each text-showing operator gets how it is drawn (`Appearance`:
size on the page, horizontal scale `Tz`, fill colour, the colour of the last rectangle filled
beneath it) or a reason of PDF's own: a render mode that paints nothing (3: neither filled nor
stroked; 7: clipping only), a fill opacity under 0.1 (`/ca` of its graphics state), a place
outside the page or the current clipping rectangle, or under an opaque rectangle filled after
it. `guard.why_hidden` decides, as for every format.
pypdf then extracts the text of a copy of the stream in which only the wanted operators keep
their strings, so visible text keeps pypdf's own layout. (Over 300 lines: the walker follows
one graphics state, and splitting it would pass that state between modules.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    NameObject,
    TextStringObject,
)

from guard import Appearance, HiddenKind, HiddenText, why_hidden
from tools.pdf_forms import Inlined, inline_forms

INVISIBLE_MODES = (3, 7)
METADATA_KEYS = ("/Title", "/Subject", "/Keywords", "/Author", "/Creator", "/Producer")
_SHOW = (b"Tj", b"TJ", b"'", b'"')
_FILL = (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*")
_PAINT = (*_FILL, b"n", b"S", b"s")
Matrix = tuple[float, float, float, float, float, float]
Rect = tuple[float, float, float, float]  # left, bottom, right, top in page space
Colour = tuple[float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass
class PageText:
    """One page's visible text and its hidden text by why it is hidden."""

    number: int
    visible: str
    hidden: list[tuple[HiddenKind, str]] = field(default_factory=list)


def _times(m: Matrix, n: Matrix) -> Matrix:
    """The matrix product m x n in PDF's row-vector convention."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)  # fmt: skip


def _scale(m: Matrix) -> float:
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))


def _numbers(operands: list[Any]) -> list[float]:
    try:
        return [float(x) for x in operands]
    except (TypeError, ValueError):
        return []


def _rgb(values: list[float]) -> Colour | None:
    """A fill colour from its gray, RGB or CMYK components (None: a pattern, or unknown)."""
    if len(values) == 1:
        return (values[0],) * 3  # type: ignore[return-value]
    if len(values) == 3:
        return values[0], values[1], values[2]
    if len(values) == 4:
        c, m, y, k = values
        return 1 - min(1.0, c + k), 1 - min(1.0, m + k), 1 - min(1.0, y + k)
    return None


def _inside(x: float, y: float, rect: Rect) -> bool:
    return rect[0] - 1 <= x <= rect[2] + 1 and rect[1] - 1 <= y <= rect[3] + 1


@dataclass
class _State:
    """The graphics and text state that decides whether text shows."""

    ctm: Matrix = _IDENTITY
    mode: int = 0
    fill: Colour | None = None
    size: float = 12.0
    leading: float = 0.0
    hscale: float = 1.0
    clip: Rect | None = None
    alpha: float = 1.0  # fill opacity, from the graphics state (`gs`, its /ca)


@dataclass
class _Shown:
    """A text-showing operator: where it starts on the page and how it is drawn."""

    index: int
    x: float
    y: float
    look: Appearance


class _Walker:
    """Follows a content stream's state; records where text is shown and what is painted."""

    def __init__(self, box: Rect, opacity: dict[str, float] | None = None) -> None:
        self.box = box
        self.opacity = opacity or {}
        self.state = _State()
        self.stack: list[_State] = []
        self.tm: Matrix = _IDENTITY
        self.line: Matrix = _IDENTITY
        self.path: list[Rect] = []
        self.curved = False  # the path holds more than rectangles
        self.clipping = False  # W or W* seen: the next painting operator sets the clip
        self.painted: list[tuple[int, Rect, Colour | None]] = []
        self.shown: list[_Shown] = []

    def step(self, index: int, operator: bytes, operands: list[Any]) -> None:
        """Update the state for one operator; record text shown and rectangles filled."""
        state, values = self.state, _numbers(operands)
        if operator == b"q":
            self.stack.append(replace(state))
        elif operator == b"Q" and self.stack:
            self.state = self.stack.pop()
        elif operator == b"cm" and len(values) == 6:
            state.ctm = _times(tuple(values), state.ctm)  # type: ignore[arg-type]
        elif operator == b"Tr" and values:
            state.mode = int(values[0])
        elif operator == b"Tz" and values:
            state.hscale = values[0] / 100
        elif operator == b"Tf" and len(operands) >= 2 and _numbers(operands[1:2]):
            state.size = _numbers(operands[1:2])[0]
        elif operator in (b"g", b"rg", b"k", b"sc", b"scn"):
            state.fill = _rgb(values)
        elif operator == b"cs":
            state.fill = None
        elif operator == b"TL" and values:
            state.leading = values[0]
        elif operator == b"gs" and operands:
            state.alpha = self.opacity.get(str(operands[0]), state.alpha)
        else:
            self._text_or_path(index, operator, values)

    def _text_or_path(self, index: int, operator: bytes, values: list[float]) -> None:
        if operator == b"BT":
            self.tm = self.line = _IDENTITY
        elif operator == b"Tm" and len(values) == 6:
            self.tm = self.line = tuple(values)  # type: ignore[assignment]
        elif operator in (b"Td", b"TD") and len(values) == 2:
            if operator == b"TD":
                self.state.leading = -values[1]
            self._move(values[0], values[1])
        elif operator == b"T*":
            self._move(0.0, -self.state.leading)
        elif operator == b"re" and len(values) == 4:
            self.path.append(self._device_rect(tuple(values)))  # type: ignore[arg-type]
        elif operator in (b"m", b"l", b"c", b"v", b"y", b"h"):
            self.curved = True
        elif operator in (b"W", b"W*"):
            self.clipping = True
        elif operator in _PAINT:
            self._paint(index, operator)
        elif operator in _SHOW:
            if operator in (b"'", b'"'):
                self._move(0.0, -self.state.leading)
            self._show(index)

    def _paint(self, index: int, operator: bytes) -> None:
        if operator in _FILL and not self.curved and self.state.alpha >= 0.5:
            self.painted.extend((index, rect, self.state.fill) for rect in self.path)
        if self.clipping and self.path and not self.curved:
            left = min(r[0] for r in self.path)
            bottom = min(r[1] for r in self.path)
            right = max(r[2] for r in self.path)
            top = max(r[3] for r in self.path)
            old = self.state.clip or self.box
            self.state.clip = (max(left, old[0]), max(bottom, old[1]),
                               min(right, old[2]), min(top, old[3]))  # fmt: skip
        self.path, self.curved, self.clipping = [], False, False

    def _move(self, tx: float, ty: float) -> None:
        self.line = _times((1.0, 0.0, 0.0, 1.0, tx, ty), self.line)
        self.tm = self.line

    def _device_rect(self, rect: tuple[float, float, float, float]) -> Rect:
        x, y, w, h = rect
        a, b, c, d, e, f = self.state.ctm
        corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
        xs = [a * px + c * py + e for px, py in corners]
        ys = [b * px + d * py + f for px, py in corners]
        return min(xs), min(ys), max(xs), max(ys)

    def _show(self, index: int) -> None:
        state = self.state
        where = _times(self.tm, state.ctm)
        x, y = where[4], where[5]
        reason: HiddenKind | None = None
        if state.mode in INVISIBLE_MODES or (state.alpha < 0.1 and state.mode in (0, 4)):
            reason = "invisible text"
        elif not _inside(x, y, self.box):
            reason = "off-page text"
        elif state.clip is not None and not _inside(x, y, state.clip):
            reason = "clipped text"
        colour = state.fill if state.mode in (0, 2, 4, 6) else None
        look = Appearance(points=state.size * _scale(where), width_scale=state.hscale,
                          colour=colour, hidden_by_format=reason)  # fmt: skip
        self.shown.append(_Shown(index, x, y, look))

    def reasons(self, count: int) -> list[HiddenKind | None]:
        """Per operator of the stream: why the text it shows is hidden, None otherwise."""
        reasons: list[HiddenKind | None] = [None] * count
        for shown in self.shown:
            # A point inside the first glyph: its origin, lifted by a third of its height.
            lift = (shown.look.points or 0) / 3
            under = [(i, colour) for i, rect, colour in self.painted
                     if _inside(shown.x, shown.y + lift, rect)]  # fmt: skip
            look = shown.look
            if any(i > shown.index for i, _ in under) and look.hidden_by_format is None:
                look = replace(look, hidden_by_format="covered text")
            beneath = [colour for i, colour in under if i < shown.index]
            if beneath and beneath[-1] is not None:
                look = replace(look, background=beneath[-1])
            reasons[shown.index] = why_hidden(look)
        return reasons


def _blanked(operands: list[Any], operator: bytes) -> list[Any]:
    """The operands of a text-showing operator with its strings emptied (spacing kept)."""
    if operator == b"TJ" and operands and isinstance(operands[0], ArrayObject):
        kept = [x if not isinstance(x, (str, bytes)) else TextStringObject("") for x in operands[0]]
        return [ArrayObject(kept), *operands[1:]]
    return [*operands[:-1], TextStringObject("")] if operands else operands


def _extract(
    reader: PdfReader, page: PageObject, operations: list[Any], resources: DictionaryObject
) -> str:
    """The text pypdf extracts from the page with these content operations and resources."""
    stream = ContentStream(None, reader)
    stream.operations = operations
    copy = PageObject(pdf=reader)
    copy.update(page)
    copy[NameObject("/Contents")] = stream
    copy[NameObject("/Resources")] = resources
    return copy.extract_text() or ""


def page_text(reader: PdfReader, page: PageObject, number: int) -> PageText:
    """The page's visible text and, by reason, its hidden text."""
    contents = page.get_contents()
    if contents is None:
        return PageText(number, page.extract_text() or "")
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else DictionaryObject()
    inlined = Inlined()
    inline_forms(reader, list(contents.operations), resources, inlined)
    operations = inlined.operations
    box = page.mediabox
    walker = _Walker(
        (float(box.left), float(box.bottom), float(box.right), float(box.top)), inlined.opacity
    )
    for index, (operands, operator) in enumerate(operations):
        walker.step(index, operator, list(operands))
    reasons = walker.reasons(len(operations))
    if not any(reasons) and not inlined.forms:
        return PageText(number, page.extract_text() or "")
    merged = DictionaryObject({k: v for k, v in resources.items() if k != "/Font"})
    merged[NameObject("/Font")] = inlined.fonts
    merged[NameObject("/ExtGState")] = inlined.states

    def keeping(wanted: HiddenKind | None) -> list[Any]:
        return [
            (ops if reason == wanted or op not in _SHOW else _blanked(list(ops), op), op)
            for (ops, op), reason in zip(operations, reasons, strict=True)
        ]

    hidden = [
        (why, text)
        for why in dict.fromkeys(r for r in reasons if r is not None)
        if (text := _extract(reader, page, keeping(why), merged).strip())
    ]
    return PageText(number, _extract(reader, page, keeping(None), merged), hidden)


def metadata(reader: PdfReader) -> list[tuple[str, str]]:
    """The document information fields that hold text (title, subject, keywords, ...)."""
    info = reader.metadata or {}
    found = []
    for key in METADATA_KEYS:
        value = info.get(key)
        if isinstance(value, str) and value.strip():
            found.append((key.lstrip("/").lower(), value.strip()))
    return found


def pdf_hidden(
    pages: list[PageText], info: list[tuple[str, str]], units: list[int]
) -> list[HiddenText]:
    """The hidden text of each page and the metadata, anchored to the page's first line."""
    first = {}
    for index, page in enumerate(units, start=1):
        first.setdefault(page, index)
    hidden = [
        HiddenText(line_start=first.get(page.number, 0), line_end=first.get(page.number, 0),
                   text=text, why=why, detail=f"page {page.number}")
        for page in pages
        for why, text in page.hidden
    ]  # fmt: skip
    hidden += [
        HiddenText(line_start=0, line_end=0, text=value, why="metadata", detail=key)
        for key, value in info
    ]
    return hidden
