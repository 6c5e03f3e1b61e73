"""Reading files and turning them into text lines: text decoding, PDF (pypdf) and DOCX
(HTML, PPTX and ODT in tools.readers)."""

from __future__ import annotations

import codecs
import io
import logging
import re
import stat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tools.ceilings import EXPANSION, Deadline, check_archive, pdf_limits, size_text
from vocabulary.errors import DocumentError

if TYPE_CHECKING:
    from tools.pdf_layers import PageText
    from tools.word import WordText

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
TEXT_SUFFIXES = frozenset({".txt", ".text", ".rst", ""})
SUPPORTED = (
    "supported: .md .markdown .txt .text .rst .pdf .docx .html .htm .pptx .odt, "
    "and text without a suffix"
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Left in a quote, these drive the terminal that shows it (ESC, C1) or make text display in
# another order than it reads (bidirectional overrides and isolates, "Trojan Source").
_TERMINAL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_UNSAFE = re.compile(f"{_TERMINAL.pattern}|{_BIDI.pattern}")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class NotTextError(DocumentError):
    """A suffixless file that is binary; skipped with a note when met in a folder."""


def all_suffixes() -> frozenset[str]:
    """Every file suffix that can be loaded ("" is text without a suffix)."""
    return MARKDOWN_SUFFIXES | TEXT_SUFFIXES | {".pdf", ".docx", ".html", ".htm", ".pptx", ".odt"}


def check_file(path: Path, display: str) -> None:
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


def read_bytes(path: Path, display: str, max_bytes: int) -> bytes:
    """The bytes of a regular file no larger than max_bytes; one-line errors otherwise."""
    check_file(path, display)
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
    return data


def _too_large(display: str, size: int, limit: int) -> str:
    """The one-line error for a file over the size limit."""
    limit_text = f"the limit is {size_text(limit)}, raise it with --max-bytes"
    return f"{display}: too large ({size_text(size)}; {limit_text})"


def decode(data: bytes, display: str, notes: list[str], *, strict_binary: bool) -> str:
    """Decode text bytes (UTF-8, UTF-16/32, Latin text) and normalise line endings to LF."""
    binary = NotTextError if strict_binary else DocumentError
    bom = next((codec for mark, codec in _BOMS if data.startswith(mark)), None)
    if bom is not None:
        try:
            text = data.decode(bom)
        except UnicodeDecodeError:
            raise DocumentError(f"{display}: invalid {bom.upper()} text") from None
    elif b"\x00" in data:
        text = _decode_utf16_without_bom(data, display, notes, binary)
    else:
        text = _decode_8bit(data, display, notes, binary)
    if len(_CONTROL.findall(text)) > max(8, len(text) // 100):
        raise binary(f"{display}: binary file, not a text document")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_8bit(data: bytes, display: str, notes: list[str], binary: type[DocumentError]) -> str:
    """UTF-8 (a few bad bytes replaced), else Windows-1252 or Latin-1 text."""
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    wide = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if wide <= bad:  # no more real UTF-8 characters than broken ones: another encoding
        return _decode_latin(data, display, notes, binary)
    line = data.count(b"\n", 0, first_bad) + 1
    notes.append(
        f"{bad} invalid UTF-8 byte sequence(s) replaced with U+FFFD (first on line {line})"
    )
    return text


def _decode_utf16_without_bom(
    data: bytes, display: str, notes: list[str], binary: type[DocumentError]
) -> str:
    """Text saved as UTF-16 without a byte order mark: every other byte of ASCII is NUL."""
    if len(data) >= 4 and len(data) % 2 == 0:
        even, odd = data[0::2], data[1::2]
        for zeros, chars, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
            if chars.count(0) or zeros.count(0) * 5 < len(zeros) * 3:
                continue
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                break
            order = codec[-2:].upper()
            notes.append(f"decoded as UTF-16 {order} (the file has no byte order mark)")
            return text
    raise binary(f"{display}: binary file, not a text document")


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


def clean_lines(lines: list[str], notes: list[str]) -> list[str]:
    """Lines without terminal control or bidirectional override characters, noting removals."""
    if not _UNSAFE.search("\n".join(lines)):
        return lines
    cleaned: list[str] = []
    where: dict[str, list[int]] = {"control": [], "bidirectional control": []}
    counts = dict.fromkeys(where, 0)
    for number, line in enumerate(lines, start=1):
        for kind, pattern in (("control", _TERMINAL), ("bidirectional control", _BIDI)):
            line, removed = pattern.subn("", line)
            if removed:
                counts[kind] += removed
                where[kind].append(number)
        cleaned.append(line)
    for kind, numbers in where.items():
        if numbers:
            shown = ", ".join(map(str, numbers[:5])) + (", ..." if len(numbers) > 5 else "")
            label = "line" if len(numbers) == 1 else "lines"
            notes.append(f"removed {counts[kind]} {kind} characters ({label} {shown})")
    return cleaned


def clean_text(text: str) -> str:
    """Text without terminal control or bidirectional override characters."""
    return _UNSAFE.sub("", text)


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Silence pypdf's log messages (such as "EOF marker not found"): errors are raised instead."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def pdf_texts(
    data: bytes,
    display: str,
    max_expanded: int = EXPANSION * DEFAULT_MAX_BYTES,
    deadline: Deadline | None = None,
) -> tuple[list[PageText], list[tuple[str, str]]]:
    """Each page's visible and hidden text, and the metadata; fails when no text is visible,
    when a stream expands past `max_expanded` bytes or the pages' text does (visible and
    hidden), or when time runs out."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

    from tools.pdf_layers import metadata, page_text

    if not data:
        raise DocumentError(f"{display}: corrupt PDF (the file is empty)")
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(f"{display}: corrupt PDF (not a PDF file: no %PDF header)")
    encrypted = DocumentError(f"{display}: encrypted PDF (remove the password and try again)")
    bomb = DocumentError(
        f"{display}: a PDF stream expands beyond {size_text(max_expanded)} ({EXPANSION} times "
        "--max-bytes): a compression bomb, or raise --max-bytes"
    )
    try:
        with _quiet_pypdf(), pdf_limits(max_expanded):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise encrypted
            pages: list[PageText] = []
            total = 0
            for number, page in enumerate(reader.pages, start=1):
                if deadline is not None:
                    deadline.check("extracting the PDF's text")
                pages.append(page_text(reader, page, number))
                total += len(pages[-1].visible) + sum(len(text) for _, text in pages[-1].hidden)
                if total > max_expanded:
                    raise bomb
            info = metadata(reader)
    except (FileNotDecryptedError, DependencyError):
        raise encrypted from None
    except LimitReachedError:
        raise bomb from None
    except DocumentError:
        raise
    except Exception as exc:  # pypdf raises many exception types on malformed files
        truncated = "" if b"%%EOF" in data[-1024:] else "truncated, no %%EOF marker: "
        raise DocumentError(f"{display}: corrupt PDF ({truncated}{_reason(exc)})") from None
    if not any(page.visible.strip() for page in pages):
        if any(page.hidden for page in pages):
            raise DocumentError(f"{display}: PDF has no visible text (only invisible text)")
        raise DocumentError(f"{display}: PDF has no text layer (scanned documents need OCR first)")
    return pages, info


def _reason(exc: Exception) -> str:
    """A short, one-line reason from a library exception."""
    text = str(exc).strip().strip("\"'").splitlines()
    reason = text[0] if text else type(exc).__name__
    return reason if len(reason) <= 120 else reason[:117] + "..."


def docx_lines(
    data: bytes,
    display: str,
    max_expanded: int = EXPANSION * DEFAULT_MAX_BYTES,
    deadline: Deadline | None = None,
) -> WordText:
    """Paragraphs and table rows in body order as a reader sees them; hidden runs kept apart.
    Fails when the parts would unzip past `max_expanded` bytes or when time runs out."""
    import docx

    from tools.word import word_text

    if not data:
        raise DocumentError(f"{display}: corrupt DOCX (the file is empty)")
    check_archive(data, display, max_expanded)
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
    return word_text(document, blocks, deadline)
