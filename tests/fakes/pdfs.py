"""Small PDF files made by hand for the tests: text pages, encrypted, and scanned (no text)."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
)


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
    "squeezed": ("", "1 Tz "),
    "tiny-by-matrix": ("q 0.2 0 0 0.2 0 0 cm ", ""),
    "covered": ("", ""),  # a white rectangle is filled over it afterwards (_AFTER)
    "covered-by-dark": ("", ""),
    "clipped": ("q 300 0 10 10 re W n ", ""),
    "pale-yellow": ("", "1 1 0.6 rg "),
    "transparent": ("q /Clear gs ", ""),
}
_AFTER = {
    "covered": "q 1 1 1 rg 60 {below} 460 18 re f Q ",
    "covered-by-dark": "q 0 0 0 rg 60 {below} 460 18 re f Q ",
    "clipped": "Q ",
    "tiny-by-matrix": "Q ",
    "transparent": "Q ",
}


def styled_pdf(pages: list[list[tuple[str, str]]], info: dict[str, str] | None = None) -> bytes:
    """A PDF whose lines are drawn in a style: '' (plain), 'invisible' (render mode 3), 'clip'
    (mode 7), 'tiny' (0.5 pt), 'white', 'white-on-dark' (white on a painted rectangle),
    'off-page', 'squeezed' (1 % horizontal scale), 'tiny-by-matrix' (12 pt under a 0.2 scale),
    'covered' (a white rectangle filled over it), 'covered-by-dark', 'clipped' (outside a clip)
    'pale-yellow' or 'transparent' (fill opacity 0); with optional document information
    (title, subject, keywords, ...)."""
    streams = []
    for lines in pages:
        ops = []
        for number, (text, style) in enumerate(lines):
            y = 720 - 18 * number
            before, inside = _STYLES[style]
            escaped = text.replace("(", "\\(").replace(")", "\\)")
            at = y if style != "tiny-by-matrix" else y * 5
            ops.append(
                before.format(below=y - 4)
                + f"BT /F1 12 Tf {72 if style != 'tiny-by-matrix' else 360} {at} Td {inside}"
                f"({escaped}) Tj ET 0 0 0 rg 0 Tr 100 Tz "
                + _AFTER.get(style, "").format(below=y - 4)
            )
        streams.append(" ".join(ops))
    base = make_pdf([["x"] for _ in pages])
    writer = PdfWriter(clone_from=io.BytesIO(base))
    clear = DictionaryObject({NameObject("/Type"): NameObject("/ExtGState"),
                              NameObject("/ca"): NumberObject(0)})  # fmt: skip
    for page, stream in zip(writer.pages, streams, strict=True):
        page["/Resources"][NameObject("/ExtGState")] = DictionaryObject(
            {NameObject("/Clear"): writer._add_object(clear)}
        )
        content = DecodedStreamObject()
        content.set_data(stream.encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
    if info:
        writer.add_metadata({f"/{key.title()}": value for key, value in info.items()})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def form_pdf(lines: list[tuple[str, str]]) -> bytes:
    """A one-page PDF whose text is drawn inside form XObjects, one form per line: the page
    only says `Do`. Styles: '' (plain), 'invisible' (render mode 3 inside the form),
    'outside-box' (drawn outside the form's bounding box), 'white'."""
    base = make_pdf([["x"]])
    writer = PdfWriter(clone_from=io.BytesIO(base))
    page = writer.pages[0]
    font = page["/Resources"]["/Font"]["/F1"]
    xobjects = DictionaryObject()
    page_ops = []
    for number, (text, style) in enumerate(lines):
        y = 720 - 18 * number
        inside = {"invisible": "3 Tr ", "white": "1 1 1 rg "}.get(style, "")
        x = 400 if style == "outside-box" else 0
        escaped = text.replace("(", "\\(").replace(")", "\\)")
        form = DecodedStreamObject()
        form.set_data(f"BT /FX 12 Tf {x} 4 Td {inside}({escaped}) Tj ET".encode("latin-1"))
        form.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(0), NumberObject(0),
                                              NumberObject(300), NumberObject(18)]),
            NameObject("/Resources"): DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/FX"): font})}
            ),
        })  # fmt: skip
        name = NameObject(f"/Fm{number}")
        xobjects[name] = writer._add_object(form)
        page_ops.append(f"q 1 0 0 1 72 {y} cm {name} Do Q")
    page["/Resources"][NameObject("/XObject")] = xobjects
    content = DecodedStreamObject()
    content.set_data(" ".join(page_ops).encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(content)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
