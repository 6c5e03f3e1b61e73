"""The formats read through their own library: HTML (beautifulsoup4), PPTX (python-pptx) and
ODT (odfpy). Each gives its visible lines and its hidden text apart (`tools.extracted`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.formats import decode
from tools.locations import split_lines

if TYPE_CHECKING:
    from tools.ceilings import Deadline
    from tools.extracted import Extracted

HTML_SUFFIXES = frozenset({".html", ".htm"})
KINDS = {".html": "html", ".htm": "html", ".pptx": "pptx", ".odt": "odt"}


def extract(
    data: bytes,
    display: str,
    suffix: str,
    max_expanded: int,
    deadline: Deadline,
    notes: list[str],
) -> tuple[str, Extracted]:
    """The kind of document and its extracted text, for a suffix in KINDS."""
    if suffix in HTML_SUFFIXES:
        from tools.html_text import html_text

        markup = "\n".join(split_lines(decode(data, display, notes, strict_binary=False)))
        return "html", html_text(markup, display, deadline)
    if suffix == ".pptx":
        from tools.slides import slide_text

        return "pptx", slide_text(data, display, max_expanded, deadline)
    from tools.odf import odf_text

    return "odt", odf_text(data, display, max_expanded, deadline)
