"""A PDF page's text split into what a reader sees and what they cannot see.

Text is hidden when it is drawn with an invisible render mode (3: neither filled nor stroked;
7: clipping only), in a size under MIN_POINTS, in white where no coloured rectangle was
painted beneath it, or outside the page. The page's content stream is walked once to classify
every text-showing operator; pypdf then extracts the text of a copy of the stream in which only
the wanted operators keep their strings, so visible text keeps pypdf's own layout. Text inside
form XObjects is extracted as pypdf gives it (not classified).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, ContentStream, NameObject, TextStringObject

from guard import HiddenKind, HiddenText

MIN_POINTS = 1.5  # text smaller than this on the page is not read by anyone
WHITE = 0.95  # a fill this light (0 = black, 1 = white) does not show on a white page
INVISIBLE_MODES = (3, 7)
METADATA_KEYS = ("/Title", "/Subject", "/Keywords", "/Author", "/Creator", "/Producer")
_SHOW = (b"Tj", b"TJ", b"'", b'"')
_FILL = (b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*")
Matrix = tuple[float, float, float, float, float, float]
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


def _lightness(values: list[float]) -> float:
    """How light a fill colour is, from its gray, RGB or CMYK components (0 dark, 1 light)."""
    if len(values) == 1:
        return values[0]
    if len(values) == 3:
        return min(values)
    if len(values) == 4:
        return 1.0 - max(values)
    return 0.0


@dataclass
class _State:
    """The graphics and text state that decides whether text shows."""

    ctm: Matrix = _IDENTITY
    mode: int = 0
    fill: float = 0.0
    size: float = 12.0
    leading: float = 0.0


class _Walker:
    """Classifies each text-showing operator of a content stream: None (shown) or a reason."""

    def __init__(self, box: tuple[float, float, float, float]) -> None:
        self.box = box
        self.state = _State()
        self.stack: list[_State] = []
        self.tm: Matrix = _IDENTITY
        self.line: Matrix = _IDENTITY
        self.path: list[tuple[float, float, float, float]] = []
        self.painted: list[tuple[float, float, float, float]] = []

    def step(self, operator: bytes, operands: list[Any]) -> HiddenKind | None:
        """Update the state for one operator; for text shown by it, why it is hidden if it is."""
        state, values = self.state, _numbers(operands)
        if operator == b"q":
            self.stack.append(_State(**vars(state)))
        elif operator == b"Q" and self.stack:
            self.state = self.stack.pop()
        elif operator == b"cm" and len(values) == 6:
            state.ctm = _times(tuple(values), state.ctm)  # type: ignore[arg-type]
        elif operator == b"Tr" and values:
            state.mode = int(values[0])
        elif operator == b"Tf" and len(operands) >= 2 and _numbers(operands[1:2]):
            state.size = _numbers(operands[1:2])[0]
        elif operator in (b"g", b"rg", b"k", b"sc", b"scn"):
            state.fill = _lightness(values)
        elif operator == b"cs":
            state.fill = 0.0
        elif operator == b"TL" and values:
            state.leading = values[0]
        else:
            return self._text_or_path(operator, operands, values)
        return None

    def _text_or_path(
        self, operator: bytes, operands: list[Any], values: list[float]
    ) -> HiddenKind | None:
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
            self.path.append(tuple(values))  # type: ignore[arg-type]
        elif operator in _FILL or operator in (b"n", b"S", b"s"):
            if operator in _FILL and self.state.fill < WHITE:
                self.painted.extend(self._device_rect(r) for r in self.path)
            self.path = []
        elif operator in _SHOW:
            if operator in (b"'", b'"'):
                self._move(0.0, -self.state.leading)
            return self._why_hidden()
        return None

    def _move(self, tx: float, ty: float) -> None:
        self.line = _times((1.0, 0.0, 0.0, 1.0, tx, ty), self.line)
        self.tm = self.line

    def _device_rect(self, rect: tuple[float, float, float, float]) -> tuple[float, ...]:
        x, y, w, h = rect
        a, b, c, d, e, f = self.state.ctm
        corners = [(x, y), (x + w, y), (x, y + h), (x + w, y + h)]
        xs = [a * px + c * py + e for px, py in corners]
        ys = [b * px + d * py + f for px, py in corners]
        return min(xs), min(ys), max(xs), max(ys)

    def _why_hidden(self) -> HiddenKind | None:
        state = self.state
        if state.mode in INVISIBLE_MODES:
            return "invisible text"
        where = _times(self.tm, state.ctm)
        if state.size * _scale(where) < MIN_POINTS:
            return "tiny text"
        x, y = where[4], where[5]
        left, bottom, right, top = self.box
        if not (left - 1 <= x <= right + 1 and bottom - 1 <= y <= top + 1):
            return "off-page text"
        on_colour = any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in self.painted)
        if state.mode in (0, 2, 4, 6) and state.fill >= WHITE and not on_colour:
            return "white text"
        return None


def _blanked(operands: list[Any], operator: bytes) -> list[Any]:
    """The operands of a text-showing operator with its strings emptied (spacing kept)."""
    if operator == b"TJ" and operands and isinstance(operands[0], ArrayObject):
        kept = [x if not isinstance(x, (str, bytes)) else TextStringObject("") for x in operands[0]]
        return [ArrayObject(kept), *operands[1:]]
    return [*operands[:-1], TextStringObject("")] if operands else operands


def _extract(reader: PdfReader, page: PageObject, operations: list[Any]) -> str:
    """The text pypdf extracts from the page with these content operations."""
    stream = ContentStream(None, reader)
    stream.operations = operations
    copy = PageObject(pdf=reader)
    copy.update(page)
    copy[NameObject("/Contents")] = stream
    return copy.extract_text() or ""


def page_text(reader: PdfReader, page: PageObject, number: int) -> PageText:
    """The page's visible text and, by reason, its hidden text."""
    contents = page.get_contents()
    if contents is None:
        return PageText(number, page.extract_text() or "")
    operations = list(contents.operations)
    box = page.mediabox
    walker = _Walker((float(box.left), float(box.bottom), float(box.right), float(box.top)))
    reasons = [walker.step(operator, list(operands)) for operands, operator in operations]
    if not any(reasons):
        return PageText(number, page.extract_text() or "")

    def keeping(wanted: HiddenKind | None) -> list[Any]:
        return [
            (ops if reason == wanted or op not in _SHOW else _blanked(list(ops), op), op)
            for (ops, op), reason in zip(operations, reasons, strict=True)
        ]

    hidden = [
        (why, text)
        for why in dict.fromkeys(r for r in reasons if r is not None)
        if (text := _extract(reader, page, keeping(why)).strip())
    ]
    return PageText(number, _extract(reader, page, keeping(None)), hidden)


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
