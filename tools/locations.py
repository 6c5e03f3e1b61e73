"""Where a reader finds a quote: the file's lines, a PDF's page and line, a DOCX's or ODT's
paragraph, a PPTX's slide, an HTML page's line of text and the heading above it.

Lines are what `wc -l` and an editor count: text is split only at `\\n`, `\\r\\n` and `\\r`
(U+2028, U+2029, NEL and form feed inside a line do not start one), and a final line break
ends the last line rather than starting an empty one.

A document's own line numbers anchor everything internally (sections, retrieval, quote
verification). What a person is shown is the reader's location: `path:line` for text,
`path:page:line` for a PDF (the line counts the page's lines of text from the top, blank
lines not counted) and `path:¶n` for a DOCX (n counts the paragraphs that hold visible text,
a table row counting as one; the same in an ODT), `path:slide n` for a PPTX (speaker notes
belong to their slide) and `path:line (§ heading)` for an HTML page or a wiki page (the line
of its extracted text, which a browser does not number, with the nearest heading above it,
which a reader can search for). Only loaded documents are ever named: evidence naming another
path, or lines outside its document, is unverified and shows no location.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vocabulary.models import Evidence, Finding

if TYPE_CHECKING:
    from tools.documents import Document

UNLOCATED = "(not in the documents)"


def split_lines(text: str) -> list[str]:
    """The lines of text whose line breaks are already `\\n`, as an editor numbers them."""
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the break that ends the last line starts no new one
    return lines


def _page_line(document: Document, line: int) -> tuple[int, int]:
    """A PDF line's page and its number among the page's non-blank lines (1-based)."""
    page = document.units[line - 1]
    first = line - 1
    while first > 0 and document.units[first - 1] == page:
        first -= 1
    count = sum(1 for text in document.lines[first:line] if text.strip())
    return page, max(count, 1)


def _nearest_heading(document: Document, line: int) -> str:
    """The innermost heading above a line, from the document's sections ("" when none)."""
    for section in document.sections:
        if section.line_start <= line <= section.line_end and section.heading_path:
            return section.heading_path[-1]
    return ""


def reader_location(document: Document, line_start: int, line_end: int) -> str:
    """`path:line[-line]`, `path:page:line[-line]` (PDF), `path:¶n[-n]` (DOCX, ODT),
    `path:slide n[-n]` (PPTX), or `path:line[-line] (§ heading)` (HTML, wiki pages)."""
    path = document.path
    if document.kind == "pdf" and document.units:
        (p1, l1), (p2, l2) = _page_line(document, line_start), _page_line(document, line_end)
        if (p1, l1) == (p2, l2):
            return f"{path}:{p1}:{l1}"
        return f"{path}:{p1}:{l1}-{l2}" if p1 == p2 else f"{path}:{p1}:{l1}-{p2}:{l2}"
    if document.kind == "pptx" and document.units:
        first, last = document.units[line_start - 1], document.units[line_end - 1]
        return f"{path}:slide {first}" if first == last else f"{path}:slide {first}-{last}"
    if document.kind == "html":
        lines = f"{line_start}" if line_start == line_end else f"{line_start}-{line_end}"
        heading = _nearest_heading(document, line_start)
        return f"{path}:{lines} (§ {heading})" if heading else f"{path}:{lines}"
    if document.kind in ("docx", "odt") and document.units:
        first, last = document.units[line_start - 1], document.units[line_end - 1]
        return f"{path}:¶{first}" if first == last else f"{path}:¶{first}-{last}"
    return f"{path}:{line_start}" if line_start == line_end else f"{path}:{line_start}-{line_end}"


def place_evidence(evidence: Evidence, documents: list[Document]) -> Evidence:
    """The evidence with its reader's location, or unverified and unlocated if it names a path
    that was not loaded or lines outside its document."""
    if evidence.kind == "external":
        return evidence
    document = next((d for d in documents if d.path == evidence.path), None)
    start, end = evidence.line_start, evidence.line_end
    if document is None or start is None:
        path = document.path if document is not None else None
        return evidence.model_copy(
            update={"path": path, "line_start": None, "line_end": None, "verified": False,
                    "reader_location": None}
        )  # fmt: skip
    end = start if end is None else end
    if not 1 <= start <= end <= len(document.lines):
        return evidence.model_copy(
            update={"line_start": None, "line_end": None, "verified": False,
                    "reader_location": None}
        )  # fmt: skip
    return evidence.model_copy(
        update={"line_end": end, "reader_location": reader_location(document, start, end)}
    )


def place_findings(findings: list[Finding], documents: list[Document]) -> list[Finding]:
    """Every finding with each piece of its evidence placed (see `place_evidence`)."""
    return [
        finding.model_copy(
            update={"evidence": [place_evidence(e, documents) for e in finding.evidence]}
        )
        for finding in findings
    ]
