"""Splitting a document's lines into sections: heading detection, chunking and the section cap."""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, ConfigDict, Field

MAX_SECTIONS = 5000
CHUNK_LINES = 40

_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_NUMBERED = re.compile(r"\s{0,3}(\d{1,3}(?:\.\d{1,3}){0,5})\.?[ \t]+(\S.*)")
_UNDERLINE = re.compile(r"\s*([=\-~^*#+])\1{2,}\s*")
_YAML_KEY = re.compile(r"[\w.-]{1,80}[ \t]*:(?:[ \t]|$)")
_HEADING_MAX = 80

# A heading found while scanning: 0-based line index, level, title. Level 0 is a root (a PDF
# page, ancestor of what follows); STANDALONE starts a part outside the heading tree.
Heading = tuple[int, int, str]
STANDALONE = -1


class Section(BaseModel):
    """A heading-delimited part of a document, anchored to its first and last line."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="Document path as shown to the user")
    heading_path: list[str] = Field(
        default_factory=list, description="Headings above, outermost first"
    )
    line_start: int = Field(description="First line of the section (1-based, inclusive)")
    line_end: int = Field(description="Last line of the section (1-based, inclusive)")
    text: str

    @property
    def anchor(self) -> str:
        """A stable anchor: path, heading path and line range."""
        heading = " > ".join(self.heading_path) or "(top)"
        return f"{self.path}#{heading}:{self.line_start}-{self.line_end}"


def split_sections(
    display: str, lines: list[str], headings: list[Heading], notes: list[str]
) -> list[Section]:
    """Sections from headings (or chunks), merged to at most MAX_SECTIONS with a note."""
    sections = _build_sections(display, lines, headings)
    if len(sections) > MAX_SECTIONS:
        notes.append(f"merged {len(sections)} sections into at most {MAX_SECTIONS}")
        sections = _merge_sections(lines, sections)
    return sections


def markdown_headings(lines: list[str]) -> list[Heading]:
    """ATX and setext headings outside fenced code; YAML front matter is a standalone part."""
    headings: list[Heading] = []
    start = _front_matter_end(lines)
    if start:
        headings += [(0, STANDALONE, "front matter"), (start, STANDALONE, "")]
    fence = ""
    para_start: int | None = None
    other_block = False  # inside a list item or block quote: "---" there is a break
    for index in range(start, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
            continue
        if match := _FENCE.match(line):
            fence, para_start = match.group(1), None
        elif match := _ATX.match(line):
            headings.append((index, len(match.group(1)), _atx_title(line, match.end())))
            para_start = None
        elif para_start is not None and (match := _SETEXT.match(line)):
            title = " ".join(part.strip() for part in lines[para_start:index])
            headings.append((para_start, 1 if match.group(1)[0] == "=" else 2, title))
            para_start = None
        elif not stripped:
            para_start, other_block = None, False
        elif _LIST_ITEM.match(line) or stripped.startswith((">", "|")) or _is_break(line):
            para_start, other_block = None, True
        elif para_start is None and not other_block and not line.startswith("    "):
            para_start = index
    return headings


def _is_break(line: str) -> bool:
    """A thematic break: three or more of the same '-', '*' or '_', spaces allowed."""
    marks = line.replace(" ", "").replace("\t", "")
    return len(marks) >= 3 and len(set(marks)) == 1 and marks[0] in "-*_"


def _front_matter_end(lines: list[str]) -> int:
    """The number of lines of YAML front matter at the top (0 when there is none)."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            # A break, text and another break is not front matter: YAML starts with a key.
            body = [line for line in lines[1:index] if line.strip()]
            return index + 1 if body and _YAML_KEY.match(body[0]) else 0
    return 0


def _atx_title(line: str, start: int) -> str:
    """The title of an ATX heading, without an optional closing run of #."""
    title = line[start:].strip()
    trimmed = title.rstrip("#")
    if not trimmed or trimmed.endswith((" ", "\t")):
        title = trimmed.strip()
    return title


def text_headings(lines: list[str]) -> list[Heading]:
    """Heading-like lines of plain text: numbered, ALL CAPS, or underlined (also reST style)."""
    headings: list[Heading] = []
    styles: list[str] = []
    for index, line in enumerate(lines):
        title = line.strip()
        if not title or len(title) > _HEADING_MAX or _UNDERLINE.fullmatch(line):
            continue
        before = lines[index - 1] if index else ""
        after = lines[index + 1] if index + 1 < len(lines) else ""
        if underline := _UNDERLINE.fullmatch(after):
            over = before.strip() == after.strip()
            style = underline.group(1) + ("/" if over else "")
            if style not in styles:
                styles.append(style)
            headings.append((index - 1 if over else index, styles.index(style) + 1, title))
        elif before.strip():
            continue  # a heading stands after a blank line (or at the top)
        elif match := _NUMBERED.fullmatch(title):
            if _numbered_title(match.group(2)):
                headings.append((index, match.group(1).count(".") + 1, title))
        elif _is_caps(title):
            headings.append((index, 1, title))
    return headings


def _numbered_title(rest: str) -> bool:
    """Whether the text after a section number reads like a title, not a list sentence."""
    return rest[0].isupper() and not rest.endswith((".", ",", ";", ":")) and len(rest) <= 70


def _is_caps(title: str) -> bool:
    """A short ALL CAPS line with at least three letters and no final period."""
    letters = sum(char.isalpha() for char in title)
    return letters >= 3 and title.upper() == title and len(title) <= 60 and title[-1] != "."


def _is_title_case(title: str) -> bool:
    """A short Title Case line without a final period (PDF headings)."""
    words = title.split()
    if not 1 <= len(words) <= 10 or len(title) > 70 or title[-1] in ".,;:":
        return False
    long_words = [word for word in words if len(word) > 3 and word[0].isalpha()]
    return words[0][0].isupper() and all(word[0].isupper() for word in long_words)


def pdf_page_lines(texts: list[str]) -> tuple[list[str], list[Heading], list[int]]:
    """Lines of all pages in order, each page a heading split again at heading-like lines; and
    each line's page number."""
    lines: list[str] = []
    headings: list[Heading] = []
    pages: list[int] = []
    for number, text in enumerate(texts, start=1):
        if not text.strip():
            continue
        page = f"page {number}"
        headings.append((len(lines), 0, page))
        for line in text.rstrip().replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            title = line.strip()
            numbered = _NUMBERED.fullmatch(title) if len(title) <= _HEADING_MAX else None
            if title and (_is_title_case(title) or (numbered and _numbered_title(numbered[2]))):
                headings.append((len(lines), 1, title))
            lines.append(line.rstrip())
            pages.append(number)
    return lines, headings, pages


def _build_sections(display: str, lines: list[str], headings: list[Heading]) -> list[Section]:
    """Sections from heading starts, nested by level; blank sections are dropped."""
    starts: list[tuple[int, list[str]]] = []
    if not headings:
        starts = [(index, []) for index in _chunk_starts(lines)]
    elif headings[0][0] > 0:
        starts.append((0, []))
    stack: list[tuple[int, str]] = []
    for index, level, title in headings:
        if level == STANDALONE:
            stack = []
            starts.append((index, [title] if title else []))
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        starts.append((index, [name for _, name in stack]))
    sections: list[Section] = []
    for position, (first, heading_path) in enumerate(starts):
        last = starts[position + 1][0] - 1 if position + 1 < len(starts) else len(lines) - 1
        while last >= first and not lines[last].strip():
            last -= 1  # trailing blank lines are not part of the quoted text
        if last >= first:
            text = "\n".join(lines[first : last + 1])
            sections.append(
                Section(
                    path=display,
                    heading_path=heading_path,
                    line_start=first + 1,
                    line_end=last + 1,
                    text=text,
                )
            )
    return sections


def _chunk_starts(lines: list[str]) -> list[int]:
    """Starts of chunks of about CHUNK_LINES lines, cut at blank lines (hard cut at twice that)."""
    starts = [0]
    for index in range(1, len(lines)):
        length = index - starts[-1]
        at_paragraph = not lines[index - 1].strip() and bool(lines[index].strip())
        if (length >= CHUNK_LINES and at_paragraph) or length >= 2 * CHUNK_LINES:
            starts.append(index)
    return starts


def _merge_sections(lines: list[str], sections: list[Section]) -> list[Section]:
    """Merge small adjacent sections so that at most MAX_SECTIONS remain."""
    total = sum(section.line_end - section.line_start + 1 for section in sections)
    target = math.ceil(total / (MAX_SECTIONS - 1))
    merged: list[Section] = []
    group: list[Section] = []
    size = 0
    for section in [*sections, None]:
        if group and (section is None or size >= target):
            start, end = group[0].line_start, group[-1].line_end
            text = "\n".join(lines[start - 1 : end])
            merged.append(group[0].model_copy(update={"line_end": end, "text": text}))
            group, size = [], 0
        if section is not None:
            group.append(section)
            size += section.line_end - section.line_start + 1
    return merged
