"""A Markdown file's text as a reader of its rendered page sees it, mapped back to its lines.

The file is parsed by markdown-it-py (CommonMark with GFM tables, the parser behind many
renderers), and what it renders decides what is shown, not patterns over the source:
- a line no rendered block covers (a link reference definition, `[//]: # (...)` among them)
  is not shown;
- a link's or an image's title is a tooltip, not text on the page; so is prose in an HTML
  tag's attributes (a title, alt text, a data attribute);
- raw HTML (blocks and inline tags, as the parser found them: never inside code) is followed
  element by element: an HTML comment, and an element whose look `guard.html` judges hidden
  (`<template>`, `hidden`, `display: none`, white on white, a 1 px clip, ...) with everything
  inside it, Markdown paragraphs included, are not shown. An element opened inline ends with
  its block, as a browser ends it with the paragraph.
The visible lines keep the file's line count: a hidden part of a line is blanked, so
`path:line` still matches an editor; the hidden parts are returned as `HiddenText`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from guard.html import VOID, element_look
from guard.visibility import Appearance, HiddenKind, HiddenText, why_hidden

_TAG = re.compile(
    r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.DOTALL
)
_ATTR = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_CONTAINER = re.compile(r"^(?:\s*(?:>|[-+*]|\d{1,9}[.)])(?=\s|$))*\s*")
_PROSE = re.compile(r"\w+\W+\w+\W+\w+")  # three words or more: an attribute that holds text
_NOT_PROSE = frozenset({"style", "class", "id", "href", "src", "srcset", "width", "height",
                        "type", "name", "rel", "target", "lang", "dir", "align"})  # fmt: skip
_COMMENT_LINK = re.compile(r"\s*\[[^\]\n]*\]:\s*(?:#|<>)")
_COVERING = frozenset({"inline", "fence", "code_block", "html_block", "hr", "heading_open",
                       "table_open"})  # fmt: skip
Span = tuple[int, int, HiddenKind]
# What a hidden passage needs: a tag, comment or autolink (`<` then a letter, `!`, `/` or `?`),
# or a bracket (link definitions and titles). Text with neither renders as it reads.
_MAY_HIDE = re.compile(r"<[A-Za-z!/?]|\]")


@cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


@dataclass
class _Elements:
    """Open HTML elements, and the spans hidden by them, followed through the document."""

    text: str
    stack: list[tuple[str, Appearance, bool]] = field(default_factory=list)  # tag, look, inline
    spans: list[Span] = field(default_factory=list)
    region: tuple[int, HiddenKind] | None = None  # where the current hidden element began

    def look(self) -> Appearance:
        return self.stack[-1][1] if self.stack else Appearance()

    def feed(self, start: int, end: int, inline: bool) -> None:
        """The raw HTML between start and end, tag by tag."""
        for match in _TAG.finditer(self.text, start, end):
            if match.group().startswith("<!--"):
                if self.region is None:
                    self.spans.append((match.start(), match.end(), "html comment"))
            elif match.group(1):
                self._close(match.group(2).lower(), match.end())
            else:
                self._open(match, inline)

    def _open(self, match: re.Match[str], inline: bool) -> None:
        tag = match.group(2).lower()
        attrs = {
            name.lower(): value.strip("\"'") if value else ""
            for name, value in _ATTR.findall(match.group(3))
        }
        prose = [v for name, v in attrs.items() if name not in _NOT_PROSE and _PROSE.search(v)]
        if self.region is None and prose:
            # A tag is markup: prose in its attributes (a title, alt text, data-*) is not on
            # the page, though it stands in the file's line.
            self.spans.append((match.start(), match.end(), "html attribute"))
        if tag in VOID or match.group(3).rstrip().endswith("/"):
            return
        look = element_look(tag, attrs, self.look())
        why = why_hidden(look)
        if why is not None and self.region is None:
            self.region = (match.start(), why)
        self.stack.append((tag, look, inline))

    def _close(self, tag: str, at: int) -> None:
        names = [name for name, _, _ in self.stack]
        if tag not in names:
            return
        del self.stack[len(names) - 1 - names[::-1].index(tag) :]
        self._settle(at)

    def _settle(self, at: int) -> None:
        if self.region is not None and why_hidden(self.look()) is None:
            self.spans.append((self.region[0], at, self.region[1]))
            self.region = None

    def end_block(self, at: int) -> None:
        """Elements opened inline end with their block."""
        while self.stack and self.stack[-1][2]:
            self.stack.pop()
        self._settle(at)


def _line_offsets(lines: list[str]) -> list[int]:
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    return offsets


def _unrendered(lines: list[str], tokens: list[Any], offsets: list[int]) -> list[Span]:
    """Lines that hold text no rendered block covers: link reference definitions."""
    covered = [False] * len(lines)
    for token in tokens:
        if token.type in _COVERING and token.map:
            for index in range(token.map[0], min(token.map[1], len(lines))):
                covered[index] = True
    spans: list[Span] = []
    for index, line in enumerate(lines):
        if covered[index] or not _CONTAINER.sub("", line, count=1).strip():
            continue
        why: HiddenKind = "comment link" if _COMMENT_LINK.match(line) else "link definition"
        spans.append((offsets[index], offsets[index] + len(line), why))
    return spans


def _inline(token: Any, text: str, block: tuple[int, int], cursor: int, html: _Elements) -> int:
    """Walk an inline token's children in the source: raw HTML is fed to the elements, link
    and image titles become spans; returns where in the text the walk ended."""
    start, end = block
    cursor = max(cursor, start)
    titles: list[str] = []
    for child in token.children or []:
        content = child.content
        if child.type in ("link_open", "image") and child.attrs.get("title"):
            titles.append(str(child.attrs["title"]))
        if child.type == "html_inline":
            at = text.find(content, cursor, end)
            if at >= 0:
                html.feed(at, at + len(content), inline=True)
                cursor = at + len(content)
        elif child.type in ("text", "code_inline") and content:
            at = text.find(content, cursor, end)
            cursor = at + len(content) if at >= 0 else cursor
        if child.type in ("link_close", "image") and titles:
            title = titles.pop()
            at = text.find(title, cursor, end)
            if at >= 0 and (html.region is None):
                html.spans.append((at, at + len(title), "link title"))
                cursor = at + len(title)
    return cursor


def _spans(lines: list[str], text: str) -> list[Span]:
    """Every hidden stretch of the text, in order, none overlapping."""
    tokens = _parser().parse(text)
    offsets = _line_offsets(lines)
    html = _Elements(text)
    cursor = 0
    for token in tokens:
        if not token.map:
            continue
        start, stop = offsets[token.map[0]], offsets[min(token.map[1], len(lines))] - 1
        if html.region is not None and token.type not in ("html_block", "inline"):
            continue  # inside a hidden element: the region covers it
        if token.type == "html_block":
            html.feed(start, stop, inline=False)
            cursor = stop
        elif token.type == "inline":
            cursor = _inline(token, text, (start, stop), cursor, html)
            html.end_block(stop)
        elif token.type in ("fence", "code_block"):
            cursor = stop
    if html.region is not None:
        html.spans.append((html.region[0], len(text), html.region[1]))
    merged: list[Span] = []
    for span in sorted([*html.spans, *_unrendered(lines, tokens, offsets)]):
        if merged and span[0] < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(span[1], merged[-1][1]), merged[-1][2])
        else:
            merged.append(span)
    return merged


def markdown_visible(lines: list[str]) -> tuple[list[str], list[HiddenText]]:
    """The lines as a reader of the rendered Markdown sees them, and what was hidden."""
    text = "\n".join(lines)
    if _MAY_HIDE.search(text) is None:
        return lines, []
    spans = _spans(lines, text)
    if not spans:
        return lines, []
    visible: list[str] = []
    hidden: list[HiddenText] = []
    done = 0
    offsets = _line_offsets(lines)
    for start, end, why in spans:
        visible.append(text[done:start])
        # Line breaks inside a hidden span stay, so every later line keeps its number.
        visible.append("\n" * text.count("\n", start, end))
        first = bisect_right(offsets, start)
        hidden.append(HiddenText(line_start=first, line_end=first + text.count("\n", start, end),
                                 text=text[start:end], why=why))  # fmt: skip
        done = end
    visible.append(text[done:])
    shown = "".join(visible).split("\n")
    return [line.rstrip() if line != lines[n] else line for n, line in enumerate(shown)], hidden
