"""Document ingestion: Markdown, text, PDF, DOCX, HTML, PPTX and ODT files become sections
with line anchors.

Reading and decoding files lives in tools.formats, splitting lines into sections in
tools.sections; this module holds the models and loads files and folders (a symbolic link out
of a reviewed folder is skipped, never read). (Just over 300 lines: loading a file and walking a
folder share their notes and checks.)
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

from guard import HiddenText, markdown_visible
from tools.ceilings import DEFAULT_SECONDS, EXPANSION, Deadline, check_text
from tools.formats import (
    DEFAULT_MAX_BYTES,
    MARKDOWN_SUFFIXES,
    SUPPORTED,
    TEXT_SUFFIXES,
    NotTextError,
    all_suffixes,
    check_file,
    clean_lines,
    clean_text,
    decode,
    docx_lines,
    pdf_texts,
    read_bytes,
)
from tools.locations import reader_location, split_lines
from tools.origins import Origin
from tools.readers import KINDS, extract
from tools.sections import (
    CHUNK_LINES,
    MAX_SECTIONS,
    Section,
    markdown_headings,
    pdf_page_lines,
    split_sections,
    text_headings,
)
from vocabulary.errors import DocumentError

__all__ = [
    "CHUNK_LINES",
    "DEFAULT_MAX_BYTES",
    "MARKDOWN_SUFFIXES",
    "MAX_SECTIONS",
    "SUPPORTED",
    "TEXT_SUFFIXES",
    "Document",
    "Ingested",
    "Section",
    "display_path",
    "load_document",
    "load_documents",
    "printable",
]


# Characters that would break a one-line message, drive a terminal, reorder displayed text, or
# (lone surrogates from file names that are not UTF-8) fail to encode at all.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


class Document(BaseModel):
    """One ingested document: its text as lines, its sections and its content hash."""

    model_config = ConfigDict(extra="forbid")

    path: str
    kind: str = Field(description="markdown | text | pdf | docx | html | pptx | odt")
    sha256: str
    lines: list[str] = Field(description="The visible text, one entry per line of the file")
    sections: list[Section]
    notes: list[str] = Field(default_factory=list)
    hidden: list[HiddenText] = Field(
        default_factory=list, description="Text in the file that a reader does not see"
    )
    units: list[int] = Field(
        default_factory=list,
        description="Per line: its PDF page, DOCX or ODT paragraph number, or PPTX slide",
    )
    origin: Origin | None = Field(
        default=None, description="The commit or wiki page it was read from, if not a file"
    )

    def line_text(self, start: int, end: int) -> str:
        """The text of lines start..end (1-based, inclusive)."""
        return "\n".join(self.lines[start - 1 : end])

    def location(self, start: int, end: int | None = None) -> str:
        """Where a reader finds lines start..end: path:line, path:page:line or path:¶n."""
        return reader_location(self, start, start if end is None else end)


class Ingested(BaseModel):
    """The documents loaded from the user's paths, and notes on what was skipped or decoded."""

    model_config = ConfigDict(extra="forbid")

    documents: list[Document]
    notes: list[str] = Field(default_factory=list)


def load_documents(
    paths: Sequence[str | Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_SECONDS,
) -> Ingested:
    """Load files and folders (recursively, sorted); files over max_bytes (default 5 MiB), or
    that take longer than timeout_s to read, fail."""
    documents: list[Document] = []
    notes: list[str] = []
    seen: dict[Path, str] = {}
    for given in paths:
        display = display_path(given)
        path = Path(given)
        if outside := _link_outside(path, (Path.cwd(), path.parent)):
            raise DocumentError(f"{display}: a symbolic link to a file outside {outside}")
        if not path.is_dir():
            check_file(path, display)
            if path.suffix.lower() not in all_suffixes():
                raise DocumentError(f"{display}: unsupported type {path.suffix} ({SUPPORTED})")
            candidates: list[tuple[Path, str]] = [(path, display)]
        else:
            candidates = list(_walk(path, display, notes, root=path.resolve()))
            if not candidates:
                raise DocumentError(f"{display}: no supported documents in folder ({SUPPORTED})")
        for file, shown in candidates:
            key = file.resolve()
            if key in seen:
                again = "listed more than once" if shown == seen[key] else f"same as {seen[key]}"
                notes.append(f"skipped {shown}: {again}")
                continue
            try:
                doc = load_document(file, shown, max_bytes=max_bytes, timeout_s=timeout_s)
            except NotTextError as exc:
                if file is path:
                    raise
                notes.append(f"skipped {shown}: {str(exc).removeprefix(shown + ': ')}")
                continue
            seen[key] = shown
            documents.append(doc)
            notes.extend(f"{shown}: {note}" for note in doc.notes)
    notes.extend(_normal_form_twins([d.path for d in documents]))
    return Ingested(documents=documents, notes=notes)


def _normal_form(name: str) -> str:
    for form in ("NFC", "NFD"):
        if unicodedata.is_normalized(form, name):
            return form
    return "mixed"


def _normal_form_twins(paths: list[str]) -> list[str]:
    """Notes telling apart documents whose names differ only in Unicode normal form (a
    composed `é` and `e` with a combining accent look alike, but are two files)."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        groups.setdefault(unicodedata.normalize("NFC", path), []).append(path)
    notes = []
    for twins in (group for group in groups.values() if len(group) > 1):
        for path in twins:
            spelled = path.encode("ascii", "backslashreplace").decode("ascii")
            notes.append(
                f"{path}: another document's name looks the same but is spelt differently "
                f"(this one is {_normal_form(path)}: {spelled})"
            )
    return notes


def display_path(given: str | Path) -> str:
    """The path as the user gave it: relative to the current directory when inside it, posix."""
    absolute = Path(os.path.abspath(given))
    try:
        return printable(absolute.relative_to(Path.cwd()).as_posix())
    except ValueError:
        return printable(Path(os.path.normpath(given)).as_posix())


def printable(name: str) -> str:
    """A file name with control, bidirectional and undecodable characters escaped."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), name)


def _link_outside(path: Path, roots: tuple[Path, ...]) -> str:
    """For a symbolic link whose target lies outside every root, the first root (shown);
    else "" (not a link, or a link that stays inside)."""
    if not path.is_symlink():
        return ""
    target = Path(os.path.realpath(path))  # a loop is left to the reading to report
    if any(target.is_relative_to(os.path.realpath(root)) for root in roots):
        return ""
    return display_path(roots[0]) if roots[0] != Path.cwd() else "the current directory"


def _walk(
    folder: Path, shown: str, notes: list[str], visited: set[Path] | None = None, *, root: Path
) -> Iterator[tuple[Path, str]]:
    """Supported files under folder, in sorted path order; hidden entries are skipped, and so
    is a symbolic link whose target lies outside the folder given (`root`): it is never read."""
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
        child = Path(entry.path)
        child_shown = (PurePosixPath(shown) / printable(entry.name)).as_posix()
        real_child = Path(os.path.realpath(child)) if entry.is_symlink() else child
        if entry.is_symlink() and real_child in visited:
            notes.append(f"skipped {child_shown}: folder already visited (symbolic link loop)")
        elif entry.is_symlink() and not real_child.is_relative_to(root):
            notes.append(f"skipped {child_shown}: a symbolic link to outside the reviewed folder")
        elif entry.is_dir():
            yield from _walk(child, child_shown, notes, visited, root=root)
        elif not entry.is_file():
            notes.append(f"skipped {child_shown}: not a regular file")
        elif child.suffix.lower() not in all_suffixes():
            notes.append(f"skipped {child_shown}: unsupported type {child.suffix}")
        else:
            yield child, child_shown


def load_document(
    path: Path,
    display: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_SECONDS,
) -> Document:
    """Load one file as a Document; display is the path shown to the user and in anchors.

    Its text may be no longer than max_bytes (a DOCX or PDF may unzip to EXPANSION times
    that on the way), and reading it may take no longer than timeout_s.
    """
    data = read_bytes(path, display, max_bytes)
    return parse_document(data, display, path.suffix.lower(), max_bytes=max_bytes,
                          timeout_s=timeout_s)  # fmt: skip


def parse_document(
    data: bytes,
    display: str,
    suffix: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_SECONDS,
    origin: Origin | None = None,
) -> Document:
    """A Document from a file's bytes, read by its suffix (see `load_document`)."""
    deadline = Deadline(display, timeout_s)
    notes: list[str] = []
    hidden: list[HiddenText] = []
    units: list[int] = []
    expanded = EXPANSION * max_bytes
    if suffix == ".pdf":
        from tools.pdf_layers import pdf_hidden  # pypdf is loaded for PDFs only

        pages, info = pdf_texts(data, display, expanded, deadline)
        kind, (lines, found, units) = "pdf", pdf_page_lines([page.visible for page in pages])
        hidden = pdf_hidden(pages, info, units)
    elif suffix == ".docx":
        word = docx_lines(data, display, expanded, deadline)
        kind, lines, found, units = "docx", word.lines, word.headings, word.units
        hidden = word.hidden
    elif suffix in KINDS:
        kind, read = extract(data, display, suffix, expanded, deadline, notes)
        lines, found, units, hidden = read.lines, read.headings, read.units, read.hidden
        if not any(line.strip() for line in lines) and read.hidden:
            raise DocumentError(f"{display}: no visible text (only hidden text)")
    else:
        lines = split_lines(decode(data, display, notes, strict_binary=suffix == ""))
        kind, found = "markdown" if suffix in MARKDOWN_SUFFIXES else "text", []
        if kind == "markdown":
            lines, hidden = markdown_visible(lines)
    # Hidden text is kept too (reported, never evidence): it counts towards the limit.
    check_text(display, [*lines, *(h.text for h in hidden)], max_bytes)
    deadline.check("reading the file")
    lines = clean_lines(lines, notes)
    if kind == "markdown":
        headings = markdown_headings(lines)
    elif kind == "text":
        headings = text_headings(lines)
    else:
        headings = [(index, level, clean_text(title)) for index, level, title in found]
    if not any(line.strip() for line in lines):
        raise DocumentError(f"{display}: empty document")
    deadline.check("finding the headings")
    sections = split_sections(display, lines, headings, notes)
    deadline.check("splitting it into sections")
    if body := [h for h in hidden if h.why != "metadata"]:
        notes.append(f"{len(body)} hidden passage(s) not taken as text ({_kinds(body)})")
    digest = hashlib.sha256(data).hexdigest()
    document = Document(
        path=display, kind=kind, sha256=digest, lines=lines, sections=sections, notes=notes,
        units=units, origin=origin,
    )  # fmt: skip
    document.hidden = [_located(document, h) for h in hidden]
    return document


def _kinds(hidden: list[HiddenText]) -> str:
    """The kinds of hidden text found, most frequent first."""
    counts = Counter(h.why for h in hidden)
    return ", ".join(f"{n} {why}" for why, n in counts.most_common())


def _located(document: Document, hidden: HiddenText) -> HiddenText:
    """The hidden text with where a person opening the file finds it."""
    if hidden.why == "metadata":
        where = f"{document.path} (metadata: {hidden.detail})"
    elif document.kind == "pdf":
        where = f"{document.path}, {hidden.detail}"
    elif document.kind == "pptx" and hidden.detail:  # a hidden slide has no line: its number
        where = f"{document.path}:{hidden.detail}"
    elif 1 <= hidden.line_start <= len(document.lines):
        where = document.location(hidden.line_start, hidden.line_end)
    else:
        where = document.path
    clean = clean_text(hidden.text)
    return hidden.model_copy(update={"location": where, "text": clean})
