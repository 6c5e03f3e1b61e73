"""An OpenDocument text (odfpy) as a reader of the rendered document sees it.

Paragraphs and headings in body order (lists, sections and text boxes opened), each table row
one line of ' | '-joined cells. Not evidence: hidden paragraphs (`text:hidden-paragraph`),
hidden text fields (`text:hidden-text`), sections with `text:display="none"`, and text whose
style (its own, then its paragraph's, each with the styles they derive from, then the default
style) is hidden (`text:display="none"`), under 4 pt, or white on no background. The
document's title, subject, description and keywords are metadata. Each line records its
paragraph number (paragraphs with visible text; a table row counts as one): `path:¶n`.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from odf.namespaces import DCNS, METANS, OFFICENS, STYLENS, TABLENS, TEXTNS
from odf.opendocument import load

from guard import HiddenKind
from tools.ceilings import check_archive
from tools.extracted import Extracted
from vocabulary.errors import DocumentError

if TYPE_CHECKING:
    from tools.ceilings import Deadline

TINY_PT = 4.0
_TEXT_MIME = "application/vnd.oasis.opendocument.text"
_MAX_STYLE_DEPTH = 20
_SIZE = re.compile(r"\s*(\d*\.?\d+)\s*(pt|px|cm|mm|in)\s*$")
_POINTS = {"pt": 1.0, "px": 0.75, "cm": 72 / 2.54, "mm": 72 / 25.4, "in": 72.0}
_SKIPPED = {(TEXTNS, name) for name in (
    "tracked-changes", "sequence-decls", "variable-decls", "user-field-decls", "note-body",
    "bookmark", "bookmark-start", "bookmark-end", "soft-page-break", "changed-region",
)} | {(OFFICENS, "annotation")}  # fmt: skip
_PARAGRAPHS = {(TEXTNS, "p"), (TEXTNS, "h")}


def _attr(element: Any, ns: str, name: str) -> str | None:
    value = element.attributes.get((ns, name))
    return str(value) if value is not None else None


@dataclass
class _Style:
    parent: str | None
    properties: dict[str, str] = field(default_factory=dict)


def _styles(document: Any) -> tuple[dict[str, _Style], dict[str, str]]:
    """Named paragraph and text styles, and the default style's text properties."""
    styles: dict[str, _Style] = {}
    defaults: dict[str, str] = {}
    for container in (document.styles, document.automaticstyles):
        for element in container.childNodes:
            if element.qname not in ((STYLENS, "style"), (STYLENS, "default-style")):
                continue
            properties: dict[str, str] = {}
            for child in element.childNodes:
                if child.qname == (STYLENS, "text-properties"):
                    properties = {name: str(v) for (_, name), v in child.attributes.items()}
            if element.qname == (STYLENS, "default-style"):
                if _attr(element, STYLENS, "family") == "paragraph":
                    defaults = properties
            elif name := _attr(element, STYLENS, "name"):
                styles[name] = _Style(_attr(element, STYLENS, "parent-style-name"), properties)
    return styles, defaults


def _points(value: str | None, parent: float) -> float | None:
    if not value:
        return None
    if value.strip().endswith("%"):
        try:
            return parent * float(value.strip()[:-1]) / 100
        except ValueError:
            return None
    match = _SIZE.match(value)
    return float(match.group(1)) * _POINTS[match.group(2)] if match else None


def _white(colour: str | None) -> bool:
    if not colour or not re.fullmatch(r"#[0-9a-fA-F]{6}", colour):
        return False
    return min(int(colour[i : i + 2], 16) for i in (1, 3, 5)) >= 243


class _Reader:
    """Walks the body, collecting lines, paragraph numbers and hidden text."""

    def __init__(self, document: Any, deadline: Deadline | None) -> None:
        self.styles, self.defaults = _styles(document)
        self.deadline = deadline
        self.out = Extracted()
        self.paragraphs = 0
        self.visited = 0

    def _chain(self, name: str | None) -> list[dict[str, str]]:
        found = []
        for _ in range(_MAX_STYLE_DEPTH):
            style = self.styles.get(name) if name else None
            if style is None:
                break
            found.append(style.properties)
            name = style.parent
        return found

    def why_hidden(self, span: str | None, paragraph: str | None) -> HiddenKind | None:
        """Why text in a span style inside a paragraph style is not seen, or None."""
        layers = [*self._chain(span), *self._chain(paragraph), self.defaults]

        def first(name: str) -> str | None:
            return next((layer[name] for layer in layers if name in layer), None)

        if first("display") == "none":
            return "hidden run"
        size = _points(first("font-size"), 12.0)
        if size is not None and size < TINY_PT:
            return "tiny text"
        if _white(first("color")) and first("background-color") in (None, "transparent"):
            return "white text"
        return None

    def inline(self, node: Any, paragraph: str | None, span: str | None,
               seen: list[str], hidden: list[tuple[HiddenKind, str]]) -> bool:
        """Collect a paragraph's text; True when a hidden-paragraph field hides it all."""
        whole = False
        for child in node.childNodes:
            if child.nodeType == child.TEXT_NODE:
                why = self.why_hidden(span, paragraph)
                (seen.append(child.data) if why is None else hidden.append((why, child.data)))
                continue
            if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIPPED:
                continue
            ns, name = child.qname
            if ns != TEXTNS:
                continue  # frames, drawings: their text boxes are not in the line
            if name == "s":
                seen.append(" " * int(_attr(child, TEXTNS, "c") or 1))
            elif name in ("tab", "line-break"):
                seen.append("\t" if name == "tab" else "\n")
            elif name == "hidden-paragraph":
                whole = whole or _attr(child, TEXTNS, "is-hidden") != "false"
            elif name == "hidden-text":
                if _attr(child, TEXTNS, "is-hidden") != "false":
                    hidden.append(("hidden run", _attr(child, TEXTNS, "string-value") or ""))
            else:
                inner = _attr(child, TEXTNS, "style-name") if name == "span" else span
                whole = self.inline(child, paragraph, inner, seen, hidden) or whole
        return whole

    def paragraph(self, element: Any) -> None:
        style = _attr(element, TEXTNS, "style-name")
        seen: list[str] = []
        hidden: list[tuple[HiddenKind, str]] = []
        if self.inline(element, style, None, seen, hidden):
            self.out.hide("".join(seen) + " " + " ".join(t for _, t in hidden), "hidden paragraph")
            return
        text = "".join(seen)
        own = len(self.out.lines) + 1 if text.strip() else None  # else: the line before
        for why, secret in hidden:
            self.out.hide(secret, why, own)
        if not text.strip():
            return
        self.paragraphs += 1
        if element.qname == (TEXTNS, "h"):
            level = int(_attr(element, TEXTNS, "outline-level") or 1)
            self.out.headings.append((len(self.out.lines), level, " ".join(text.split())))
        for piece in text.split("\n"):
            self.out.lines.append(" ".join(piece.replace("\t", " ").split()))
            self.out.units.append(self.paragraphs)

    def row(self, element: Any) -> None:
        """One line per table row: its cells' visible paragraphs joined with ' | '."""
        cells: list[str] = []
        outer, counted = self.out, self.paragraphs
        for cell in element.childNodes:
            if cell.qname != (TABLENS, "table-cell"):
                continue
            self.out = Extracted()
            self.block(cell)
            line = len(outer.lines) + 1
            outer.hidden.extend(
                h.model_copy(update={"line_start": line, "line_end": line})
                for h in self.out.hidden
            )
            cells.append(" ".join(self.out.lines))
        self.out, self.paragraphs = outer, counted
        if any(cells):
            self.paragraphs += 1
            self.out.lines.append(" | ".join(cells))
            self.out.units.append(self.paragraphs)

    def block(self, node: Any) -> None:
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE or child.qname in _SKIPPED:
                continue
            self.visited += 1
            if self.deadline is not None and self.visited % 1000 == 0:
                self.deadline.check("reading the ODT")
            if child.qname in _PARAGRAPHS:
                self.paragraph(child)
            elif child.qname == (TABLENS, "table-row"):
                self.row(child)
            elif child.qname == (TEXTNS, "section") and _attr(child, TEXTNS, "display") == "none":
                text = " ".join(str(t) for t in _texts(child))
                self.out.hide(text, "hidden paragraph")
            else:
                self.block(child)


def _texts(node: Any) -> list[str]:
    found: list[str] = []
    for child in node.childNodes:
        if child.nodeType == child.TEXT_NODE:
            found.append(child.data)
        elif child.nodeType == child.ELEMENT_NODE:
            found.extend(_texts(child))
    return found


def _metadata(document: Any, out: Extracted) -> None:
    for element in document.meta.childNodes:
        if element.qname in ((DCNS, "title"), (DCNS, "subject"), (DCNS, "description"),
                             (METANS, "keyword")):  # fmt: skip
            out.hide(" ".join(_texts(element)), "metadata", line=0, detail=element.qname[1])


def _open(data: bytes, display: str, max_expanded: int) -> Any:
    if not data:
        raise DocumentError(f"{display}: corrupt ODT (the file is empty)")
    check_archive(data, display, max_expanded, "ODT")
    try:
        document = load(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentError(f"{display}: corrupt ODT (not a ZIP archive)") from None
    except KeyError as exc:
        raise DocumentError(f"{display}: corrupt ODT (a ZIP archive without {exc})") from None
    except Exception as exc:  # odfpy and xml.sax raise assorted errors on bad packages
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise DocumentError(f"{display}: corrupt ODT ({reason})") from None
    if document.mimetype != _TEXT_MIME:
        raise DocumentError(
            f"{display}: not an OpenDocument text ({document.mimetype or 'no mimetype'})"
        )
    return document


def odf_text(
    data: bytes, display: str, max_expanded: int, deadline: Deadline | None = None
) -> Extracted:
    """The document's visible lines (units: paragraph numbers), headings and hidden text."""
    document = _open(data, display, max_expanded)
    reader = _Reader(document, deadline)
    try:
        reader.block(document.text)
    except RecursionError:
        raise DocumentError(f"{display}: elements nested too deeply to be a document") from None
    _metadata(document, reader.out)
    return reader.out.finish()
