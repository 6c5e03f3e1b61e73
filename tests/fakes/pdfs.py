"""Small PDF files made by hand for the tests: text pages, encrypted, and scanned (no text)."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal hand-written PDF: one Helvetica text line per entry, one page per list."""
    bodies = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for lines in pages:
        escaped = [line.replace("(", "\\(").replace(")", "\\)") for line in lines]
        stream = "BT /F1 12 Tf 14 TL 72 720 Td " + " ".join(f"({x}) Tj T*" for x in escaped) + " ET"
        page_id = len(bodies) + 1
        kids.append(f"{page_id} 0 R")
        bodies.append(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_id + 1} 0 R >>"
        )
        bodies.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
    bodies[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    trailer = f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return bytes(out + trailer.encode())


def encrypted_pdf(user_password: str) -> bytes:
    """A one-page text PDF encrypted with RC4 (no extra crypto dependency needed)."""
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf([["Secret plan"]])))
    writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def blank_pdf() -> bytes:
    """A PDF with a page and no text layer, like a scan."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# How each styled line is drawn: operators before its BT ... ET block, and inside it before
# the text is shown.
_STYLES = {
    "": ("", ""),
    "invisible": ("", "3 Tr "),
    "clip": ("", "7 Tr "),
    "tiny": ("", "/F1 0.5 Tf "),
    "white": ("", "1 1 1 rg "),
    "white-on-dark": ("q 0.2 0.2 0.4 rg 66 {below} 400 18 re f Q ", "1 1 1 rg "),
    "off-page": ("", "700 0 Td "),
}


def styled_pdf(pages: list[list[tuple[str, str]]], info: dict[str, str] | None = None) -> bytes:
    """A PDF whose lines are drawn in a style: '' (plain), 'invisible' (render mode 3), 'clip'
    (mode 7), 'tiny' (0.5 pt), 'white', 'white-on-dark' (white on a painted rectangle) or
    'off-page'; with optional document information (title, subject, keywords, ...)."""
    streams = []
    for lines in pages:
        ops = []
        for number, (text, style) in enumerate(lines):
            y = 720 - 18 * number
            before, inside = _STYLES[style]
            escaped = text.replace("(", "\\(").replace(")", "\\)")
            ops.append(
                before.format(below=y - 4)
                + f"BT /F1 12 Tf 72 {y} Td {inside}({escaped}) Tj ET 0 0 0 rg 0 Tr "
            )
        streams.append(" ".join(ops))
    base = make_pdf([["x"] for _ in pages])
    writer = PdfWriter(clone_from=io.BytesIO(base))
    for page, stream in zip(writer.pages, streams, strict=True):
        content = DecodedStreamObject()
        content.set_data(stream.encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
    if info:
        writer.add_metadata({f"/{key.title()}": value for key, value in info.items()})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
