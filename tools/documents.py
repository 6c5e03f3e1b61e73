"""Document ingestion: Markdown, text, PDF and DOCX files become sections with line anchors."""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import stat
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from agents.errors import DocumentError

if TYPE_CHECKING:
    from docx.table import Table

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_SECTIONS = 5000
CHUNK_LINES = 40
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ".rst", ""})
SUPPORTED = "supported: .md .markdown .txt .text .rst .pdf .docx, and text without a suffix"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ATX = re.compile(r" {0,3}(#{1,6})(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r" {0,3}(=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_NUMBERED = re.compile(r"\s{0,3}(\d{1,3}(?:\.\d{1,3}){0,5})\.?[ \t]+(\S.*)")
_UNDERLINE = re.compile(r"\s*([=\-~^*#+])\1{2,}\s*")
_YAML_KEY = re.compile(r"[\w.-]{1,80}[ \t]*:(?:[ \t]|$)")
_HEADING_MAX = 80


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


class Document(BaseModel):
    """One ingested document: its text as lines, its sections and its content hash."""

    model_config = ConfigDict(extra="forbid")

    path: str
    kind: str = Field(description="markdown | text | pdf | docx")
    sha256: str
    lines: list[str]
    sections: list[Section]
    notes: list[str] = Field(default_factory=list)

    def line_text(self, start: int, end: int) -> str:
        """The text of lines start..end (1-based, inclusive)."""
        return "\n".join(self.lines[start - 1 : end])


class Ingested(BaseModel):
    """The documents loaded from the user's paths, and notes on what was skipped or decoded."""

    model_config = ConfigDict(extra="forbid")

    documents: list[Document]
    notes: list[str] = Field(default_factory=list)


class _NotTextError(DocumentError):
    """A suffixless file that is binary; skipped with a note when met in a folder."""


# A heading found while scanning: 0-based line index, level, title. Level 0 is a root (a PDF
# page, ancestor of what follows); _STANDALONE starts a part outside the heading tree.
_Heading = tuple[int, int, str]
_STANDALONE = -1


def load_documents(paths: Sequence[str | Path], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Ingested:
    """Load files and folders (recursively, sorted); files over max_bytes (default 5 MiB) fail."""
    documents: list[Document] = []
    notes: list[str] = []
    seen: dict[Path, str] = {}
    for given in paths:
        display = display_path(given)
        path = Path(given)
        if not path.is_dir():
            _check_file(path, display)
            if path.suffix.lower() not in _all_suffixes():
                raise DocumentError(f"{display}: unsupported type {path.suffix} ({SUPPORTED})")
            candidates: list[tuple[Path, str]] = [(path, display)]
        else:
            candidates = list(_walk(path, display, notes))
            if not candidates:
                raise DocumentError(f"{display}: no supported documents in folder ({SUPPORTED})")
        for file, shown in candidates:
            key = file.resolve()
            if key in seen:
                again = "listed more than once" if shown == seen[key] else f"same as {seen[key]}"
                notes.append(f"skipped {shown}: {again}")
                continue
            try:
                doc = load_document(file, shown, max_bytes=max_bytes)
            except _NotTextError as exc:
                if file is path:
                    raise
                notes.append(f"skipped {shown}: {str(exc).removeprefix(shown + ': ')}")
                continue
            seen[key] = shown
            documents.append(doc)
            notes.extend(f"{shown}: {note}" for note in doc.notes)
    return Ingested(documents=documents, notes=notes)


def display_path(given: str | Path) -> str:
    """The path as the user gave it: relative to the current directory when inside it, posix."""
    absolute = Path(os.path.abspath(given))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return Path(os.path.normpath(given)).as_posix()


def _all_suffixes() -> frozenset[str]:
    return MARKDOWN_SUFFIXES | TEXT_SUFFIXES | {".pdf", ".docx"}


def _check_file(path: Path, display: str) -> None:
    """Raise a one-line error unless path is an existing, regular file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise DocumentError(f"{display}: no such file or directory") from None
    except PermissionError:
        raise DocumentError(f"{display}: cannot read (permission denied)") from None
    except OSError as exc:
        raise DocumentError(f"{display}: cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        raise DocumentError(f"{display}: not a regular file")


def _walk(
    folder: Path, shown: str, notes: list[str], visited: set[Path] | None = None
) -> Iterator[tuple[Path, str]]:
    """Supported files under folder, in sorted path order; hidden entries are skipped."""
    visited = set() if visited is None else visited
    real = folder.resolve()
    if real in visited:
        notes.append(f"skipped {shown}: folder already visited (symbolic link loop)")
        return
    visited.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except PermissionError:
        raise DocumentError(f"{shown}: cannot read (permission denied)") from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        child, child_shown = Path(entry.path), (PurePosixPath(shown) / entry.name).as_posix()
        if entry.is_dir():
            yield from _walk(child, child_shown, notes, visited)
        elif not entry.is_file():
            notes.append(f"skipped {child_shown}: not a regular file")
        elif child.suffix.lower() not in _all_suffixes():
            notes.append(f"skipped {child_shown}: unsupported type {child.suffix}")
        else:
            yield child, child_shown


def load_document(path: Path, display: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Load one file as a Document; display is the path shown to the user and in anchors."""
    _check_file(path, display)
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentError(_too_large(display, size, max_bytes))
    try:
        data = path.read_bytes()
    except PermissionError:
        raise DocumentError(f"{display}: cannot read (permission denied)") from None
    except OSError as exc:
        raise DocumentError(f"{display}: cannot read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        raise DocumentError(_too_large(display, len(data), max_bytes))
    suffix = path.suffix.lower()
    notes: list[str] = []
    if suffix == ".pdf":
        kind, lines, headings = "pdf", *_pdf_lines(data, display)
    elif suffix == ".docx":
        kind, lines, headings = "docx", *_docx_lines(data, display)
    else:
        text = _decode(data, display, notes, strict_binary=suffix == "")
        lines = text.split("\n")
        if suffix in MARKDOWN_SUFFIXES:
            kind, headings = "markdown", _markdown_headings(lines)
        else:
            kind, headings = "text", _text_headings(lines)
    if not any(line.strip() for line in lines):
        raise DocumentError(f"{display}: empty document")
    sections = _build_sections(display, lines, headings)
    if len(sections) > MAX_SECTIONS:
        notes.append(f"merged {len(sections)} sections into at most {MAX_SECTIONS}")
        sections = _merge_sections(lines, sections)
    digest = hashlib.sha256(data).hexdigest()
    return Document(
        path=display, kind=kind, sha256=digest, lines=lines, sections=sections, notes=notes
    )


def _too_large(display: str, size: int, limit: int) -> str:
    """The one-line error for a file over the size limit."""
    limit_text = f"the limit is {_size(limit)}, raise it with --max-bytes"
    return f"{display}: too large ({_size(size)}; {limit_text})"


def _size(count: int) -> str:
    """A byte count for people: bytes below 1 MiB, MiB above."""
    return f"{count} bytes" if count < 1048576 else f"{count / 1048576:.1f} MiB ({count} bytes)"


def _decode(data: bytes, display: str, notes: list[str], *, strict_binary: bool) -> str:
    """Decode text bytes (UTF-8, UTF-16 with BOM, Latin text) and normalise line endings to LF."""
    binary = _NotTextError if strict_binary else DocumentError
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise DocumentError(f"{display}: invalid UTF-16 text") from None
    elif b"\x00" in data:
        raise binary(f"{display}: binary file, not a text document")
    else:
        try:
            text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_latin(data, display, notes, binary)
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise binary(f"{display}: binary file, not a text document")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_latin(data: bytes, display: str, notes: list[str], binary: type[DocumentError]) -> str:
    """Decode non-UTF-8 bytes as Windows-1252 or Latin-1 when they look like Latin text."""
    high = len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))
    try:
        if high * 10 > len(data) * 3:  # CJK and binary data are mostly high bytes
            raise UnicodeDecodeError("cp1252", data, 0, 1, "too many non-ASCII bytes")
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise binary(
            f"{display}: not UTF-8 and does not look like Latin text (save it as UTF-8)"
        ) from None
    c1_controls = data.translate(None, bytes(range(0x80))).translate(
        None, bytes(range(0xA0, 0x100))
    )
    # Bytes 0x80-0x9f are printable only in Windows-1252; without them both encodings agree.
    notes.append(
        f"decoded as {'Windows-1252' if c1_controls else 'Latin-1'} (the file is not valid UTF-8)"
    )
    return text


def _markdown_headings(lines: list[str]) -> list[_Heading]:
    """ATX and setext headings outside fenced code; YAML front matter is a standalone part."""
    headings: list[_Heading] = []
    start = _front_matter_end(lines)
    if start:
        headings += [(0, _STANDALONE, "front matter"), (start, _STANDALONE, "")]
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


def _text_headings(lines: list[str]) -> list[_Heading]:
    """Heading-like lines of plain text: numbered, ALL CAPS, or underlined (also reST style)."""
    headings: list[_Heading] = []
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


def _pdf_lines(data: bytes, display: str) -> tuple[list[str], list[_Heading]]:
    """Lines of all pages in order; each page is a heading, split again at heading-like lines."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    if not data:
        raise DocumentError(f"{display}: corrupt PDF (the file is empty)")
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(f"{display}: corrupt PDF (not a PDF file: no %PDF header)")
    encrypted = DocumentError(f"{display}: encrypted PDF (remove the password and try again)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise encrypted
        texts = [page.extract_text() or "" for page in reader.pages]
    except (FileNotDecryptedError, DependencyError):
        raise encrypted from None
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises many exception types on malformed files
        truncated = "" if b"%%EOF" in data[-1024:] else "truncated, no %%EOF marker: "
        raise DocumentError(f"{display}: corrupt PDF ({truncated}{_reason(exc)})") from None
    lines: list[str] = []
    headings: list[_Heading] = []
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
    if not lines:
        raise DocumentError(f"{display}: PDF has no text layer (scanned documents need OCR first)")
    return lines, headings


def _reason(exc: Exception) -> str:
    """A short, one-line reason from a library exception."""
    text = str(exc).strip().strip("\"'").splitlines()
    reason = text[0] if text else type(exc).__name__
    return reason if len(reason) <= 120 else reason[:117] + "..."


def _docx_lines(data: bytes, display: str) -> tuple[list[str], list[_Heading]]:
    """Paragraphs and table rows in body order; Heading N and Title paragraphs are headings."""
    import docx
    from docx.table import Table

    if not data:
        raise DocumentError(f"{display}: corrupt DOCX (the file is empty)")
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = list(document.iter_inner_content())
    except zipfile.BadZipFile:
        raise DocumentError(f"{display}: corrupt DOCX (not a ZIP archive)") from None
    except KeyError as exc:  # a ZIP archive without the parts of a Word document
        problem = f"a ZIP archive but not a Word document: {_reason(exc)}"
        raise DocumentError(f"{display}: corrupt DOCX ({problem})") from None
    except Exception as exc:  # python-docx and lxml raise assorted errors on bad packages
        raise DocumentError(f"{display}: corrupt DOCX ({_reason(exc)})") from None
    lines: list[str] = []
    headings: list[_Heading] = []
    for block in blocks:
        if isinstance(block, Table):
            lines.extend(_table_rows(block))
            continue
        level = _heading_level(block.style.name if block.style is not None else "")
        if level and block.text.strip():
            headings.append((len(lines), level, block.text.strip()))
        lines.extend(block.text.replace("\r", "").split("\n"))
    return lines, headings


def _table_rows(table: Table) -> list[str]:
    """One line per table row: its distinct cells joined with ' | '."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:
            if cell._tc is not last:  # merged cells repeat the same underlying cell
                cells.append(" ".join(cell.text.split()))
            last = cell._tc
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _heading_level(style: str) -> int:
    """Heading level of a DOCX paragraph style name (0 when it is not a heading)."""
    if style == "Title":
        return 1
    if not style.startswith("Heading"):
        return 0
    number = style.removeprefix("Heading").strip()
    return int(number) if number.isdigit() else 1


def _build_sections(display: str, lines: list[str], headings: list[_Heading]) -> list[Section]:
    """Sections from heading starts, nested by level; blank sections are dropped."""
    starts: list[tuple[int, list[str]]] = []
    if not headings:
        starts = [(index, []) for index in _chunk_starts(lines)]
    elif headings[0][0] > 0:
        starts.append((0, []))
    stack: list[tuple[int, str]] = []
    for index, level, title in headings:
        if level == _STANDALONE:
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
