"""An HTML page (a Confluence, Notion or Google Docs export, or a Confluence page's storage
format) as a reader of the rendered page sees it: lines of text, headings, tables as rows.

Parsed with beautifulsoup4 (Python's own HTML parser underneath: it keeps the CDATA of a
Confluence code macro). Not document text: the head (its title and description are kept as
metadata), scripts, styles, comments, `<template>` and `<noscript>`, elements hidden by the
`hidden` attribute or `aria-hidden="true"`, and text that CSS puts out of sight (see
`tools.html_styles`); in Confluence's storage format also editor-only placeholders and macros
set `hidden` (an excerpt), while an HTML macro's markup is read by these same rules. What a
reader does not see is kept apart as `HiddenText`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bs4 import BeautifulSoup, CData, Comment, NavigableString, Tag
from bs4.element import Declaration, Doctype, ProcessingInstruction

from tools.extracted import Extracted
from tools.html_styles import Declarations, Inherited, apply, element_css, sheet_rules, text_hidden
from vocabulary.errors import DocumentError

if TYPE_CHECKING:
    from tools.ceilings import Deadline

MAX_DEPTH = 150  # elements nested deeper than this are not a document (exports nest ~30)
_SKIPPED = frozenset({"script", "style", "head", "meta", "link", "iframe", "object", "svg",
                      "canvas", "video", "audio", "img", "input", "select", "button"})  # fmt: skip
_UNSEEN = frozenset({"template", "noscript", "ac:placeholder"})
_HEADING = re.compile(r"h([1-6])")
_BLOCKS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "nav", "aside", "address",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
    "caption", "figure", "figcaption", "details", "summary", "hr", "form", "fieldset", "body",
    "ac:structured-macro", "ac:rich-text-body", "ac:task-list", "ac:task", "ac:layout",
    "ac:layout-section", "ac:layout-cell",
})  # fmt: skip
_NOT_TEXT = frozenset({
    "ac:parameter", "ac:task-id", "ac:task-uuid", "ac:task-status", "ac:emoticon", "ac:image",
    "ri:attachment", "ri:page", "ri:url",
})  # fmt: skip
_LITERAL = frozenset({"pre", "ac:plain-text-body"})


def _flat(text: str) -> str:
    return " ".join(text.split())


class _Reader:
    """Walks the parsed page, collecting visible lines and hidden text."""

    def __init__(self, sheets: dict[int, Declarations], deadline: Deadline | None) -> None:
        self.sheets = sheets
        self.deadline = deadline
        self.out = Extracted()
        self.buffer: list[str] = []
        self.literal = 0  # inside pre: line breaks are kept
        self.cell = 0  # inside a table cell: blocks are joined by spaces
        self.visited = 0

    def flush(self, level: int = 0) -> None:
        """End the current line (several when inside pre), as a heading when level > 0."""
        text, self.buffer = "".join(self.buffer), []
        pieces = text.split("\n") if self.literal else [_flat(text)]
        for piece in pieces:
            piece = piece.rstrip() if self.literal else piece
            if not piece.strip():
                continue
            if level:
                self.out.headings.append((len(self.out.lines), level, piece.strip()))
            self.out.lines.append(piece)

    def walk(self, node: Tag, state: Inherited, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise DocumentError(f"elements nested more than {MAX_DEPTH} deep")
        for child in node.children:
            if isinstance(child, Comment):
                self.out.hide(str(child), "html comment", self.here())
            elif isinstance(child, (Doctype, Declaration, ProcessingInstruction)):
                continue
            elif isinstance(child, NavigableString):
                self.text(str(child), state, isinstance(child, CData))
            elif isinstance(child, Tag):
                self.element(child, state, depth)

    def here(self) -> int:
        """The line hidden text met now belongs to: the one being read, or the one before."""
        lines = len(self.out.lines)
        return lines + 1 if "".join(self.buffer).strip() else max(lines, 1)

    def text(self, text: str, state: Inherited, cdata: bool) -> None:
        why = text_hidden(state)
        if why is not None:
            self.out.hide(text, why, self.here(), merge=True)
        elif self.literal or cdata:
            self.buffer.append(text)
        else:
            self.buffer.append(re.sub(r"\s+", " ", text))

    def element(self, tag: Tag, state: Inherited, depth: int) -> None:
        self.visited += 1
        if self.deadline is not None and self.visited % 2000 == 0:
            self.deadline.check("reading the HTML")
        name = tag.name.lower()
        if name in _SKIPPED or name in _NOT_TEXT:
            if name == "ac:parameter" and tag.get("ac:name") == "title":
                self.block(tag, state, depth)  # an expand or panel macro shows its title
            return
        gone, inner = apply(element_css(tag, self.sheets), state)
        if name in _UNSEEN or tag.has_attr("hidden") or _aria_hidden(tag) or _hidden_macro(tag):
            gone = "hidden html"
        if gone is not None:
            self.out.hide(" ".join(tag.find_all(string=True)), gone, self.here())
            return
        if name == "ac:structured-macro" and tag.get("ac:name") == "html":
            self.markup_macro(tag, inner, depth)
        elif name == "br":
            self.buffer.append("\n" if self.literal else " ")
            if not self.literal and not self.cell:
                self.flush()
        elif name == "tr" and not self.cell:
            self.row(tag, inner, depth)
        elif heading := _HEADING.fullmatch(name):
            self.flush()
            self.walk(tag, inner, depth + 1)
            self.flush(0 if self.cell else int(heading.group(1)))
        elif name in _LITERAL:
            self.flush()
            self.literal += 1
            self.walk(tag, inner, depth + 1)
            self.flush()
            self.literal -= 1
        elif name in _BLOCKS or name in ("td", "th"):
            self.block(tag, inner, depth)
        else:
            self.walk(tag, inner, depth + 1)

    def markup_macro(self, tag: Tag, state: Inherited, depth: int) -> None:
        """Confluence's HTML macro: its body is markup the page renders, read by these rules
        (taken as text, a hidden element in it would become evidence)."""
        body = tag.find("ac:plain-text-body")
        page = BeautifulSoup(body.get_text() if isinstance(body, Tag) else "", "html.parser")
        self.sheets.update(sheet_rules(page, self.deadline))
        self.block(page, state, depth)

    def block(self, tag: Tag, state: Inherited, depth: int) -> None:
        if self.cell:
            self.buffer.append(" ")
            self.walk(tag, state, depth + 1)
            self.buffer.append(" ")
            return
        self.flush()
        self.walk(tag, state, depth + 1)
        self.flush()

    def row(self, tag: Tag, state: Inherited, depth: int) -> None:
        """One line per table row: its cells' visible text joined with ' | '."""
        self.flush()
        cells: list[str] = []
        self.cell += 1
        for cell in tag.find_all(["td", "th"], recursive=False):
            gone, inner = apply(element_css(cell, self.sheets), state)
            if gone is not None or cell.has_attr("hidden") or _aria_hidden(cell):
                line = len(self.out.lines) + 1  # the row's own line
                self.out.hide(" ".join(cell.find_all(string=True)), gone or "hidden html", line)
                continue
            self.walk(cell, inner, depth + 1)
            cells.append(_flat("".join(self.buffer)))
            self.buffer = []
        self.cell -= 1
        if any(cells):
            self.out.lines.append(" | ".join(cells))


def _hidden_macro(tag: Tag) -> bool:
    """A Confluence macro told not to show its body (an excerpt with `hidden` set)."""
    if tag.name != "ac:structured-macro":
        return False
    return any(
        parameter.get("ac:name") == "hidden" and parameter.get_text().strip().lower() == "true"
        for parameter in tag.find_all("ac:parameter", recursive=False)
    )


def _aria_hidden(tag: Tag) -> bool:
    return str(tag.get("aria-hidden", "")).strip().lower() == "true"


def _metadata(soup: BeautifulSoup, out: Extracted) -> None:
    """The page's title and description: shown in a browser's tab or a search result only."""
    title = soup.find("title")
    if isinstance(title, Tag) and _flat(title.get_text()):
        out.hide(title.get_text(), "metadata", line=0, detail="title")
    for meta in soup.find_all("meta"):
        key = str(meta.get("name") or meta.get("property") or "").lower()
        content = meta.get("content")
        if key in ("description", "keywords", "og:description") and isinstance(content, str):
            out.hide(content, "metadata", line=0, detail=key)


def html_text(markup: str, display: str, deadline: Deadline | None = None) -> Extracted:
    """The page's visible lines, headings and hidden text; one-line errors for what is not
    a readable page."""
    soup = BeautifulSoup(markup, "html.parser")
    reader = _Reader(sheet_rules(soup, deadline), deadline)
    try:
        reader.walk(soup, Inherited())
    except DocumentError as exc:
        raise DocumentError(f"{display}: {exc}") from None
    except RecursionError:  # a style sheet's selector matched over a tree too deep
        raise DocumentError(f"{display}: elements nested more than {MAX_DEPTH} deep") from None
    reader.flush()
    _metadata(soup, reader.out)
    return reader.out.finish()
