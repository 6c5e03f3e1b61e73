"""Small PDF files made by hand for the tests: text pages, encrypted, and scanned (no text)."""

from __future__ import annotations

import io

from pypdf import PdfWriter


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
