"""Resource ceilings for reading one document: how far it may unzip, and for how long.

A DOCX's parts, or one PDF stream, may unzip to EXPANSION times --max-bytes: past that the file
is refused as a compression bomb (4 MB that inflate to 1 GB of XML) before the parser sees it.
The text a document yields may be no longer than --max-bytes, and reading it may take no
longer than its time budget (--document-timeout). Within those, a review takes under a minute
and a gigabyte (bench/resource_ceilings.py measures it).
"""

from __future__ import annotations

import io
import time
import zipfile
from contextlib import AbstractContextManager

from vocabulary.errors import DocumentError

EXPANSION = 4
MAX_ARCHIVE_PARTS = 5000
DEFAULT_SECONDS = 30.0


def size_text(count: int) -> str:
    """A byte count for people: bytes below 1 MiB, MiB above."""
    return f"{count} bytes" if count < 1048576 else f"{count / 1048576:.1f} MiB ({count} bytes)"


def check_text(display: str, lines: list[str], max_bytes: int) -> None:
    """Refuse a document whose text, once extracted, is longer than --max-bytes."""
    size = sum(len(line) + 1 for line in lines)
    if size > max_bytes:
        raise DocumentError(
            f"{display}: holds {size} characters of text, more than --max-bytes "
            f"({max_bytes}) allows; split it or raise --max-bytes"
        )


class Deadline:
    """The moment a document's reading must be done by; checked between steps of the work."""

    def __init__(self, display: str, seconds: float = DEFAULT_SECONDS) -> None:
        self.display = display
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def check(self, doing: str) -> None:
        """Refuse the document (one line) when its time is up."""
        if time.monotonic() > self._ends:
            raise DocumentError(
                f"{self.display}: {doing} took longer than {self.seconds:g} s, the limit per "
                "document; split the document, or raise --document-timeout"
            )


def pdf_limits(limit: int) -> AbstractContextManager[object]:
    """Hold every decompressed PDF stream to `limit` bytes (pypdf's own cap is 75 MB)."""
    from pypdf import apply_configuration

    names = ("zlib", "lzw", "run_length", "brotli", "jbig2")
    return apply_configuration(
        maximum_declared_stream_length=limit,
        **{f"{name}_maximum_output_length": limit for name in names},
    )


def check_archive(data: bytes, display: str, max_expanded: int, kind: str = "DOCX") -> None:
    """Refuse a DOCX (a PPTX, an ODT: `kind`) whose parts would unzip to more than
    `max_expanded` bytes, or too many parts, before anything is unzipped (the sizes a ZIP
    declares bound what it yields)."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        raise DocumentError(f"{display}: corrupt {kind} (not a ZIP archive)") from None
    if len(parts) > MAX_ARCHIVE_PARTS:
        raise DocumentError(f"{display}: a {kind} of {len(parts)} parts is not a document")
    expanded = sum(part.file_size for part in parts)
    if expanded > max_expanded:
        raise DocumentError(
            f"{display}: unzips to {size_text(expanded)}, more than {size_text(max_expanded)} "
            f"({EXPANSION} times --max-bytes): a compression bomb, or raise --max-bytes"
        )
