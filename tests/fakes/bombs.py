"""Files that are small on disk and huge once read: compression bombs and long documents.

Written in streaming fashion, so making a 1 GB bomb needs no gigabyte of memory; used by the
tests (small sizes) and by bench/resource_ceilings.py (the sizes the issue names).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import docx

_BODY_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body>"
)
_BODY_CLOSE = "</w:body></w:document>"


def docx_of_paragraphs(path: Path, paragraph: str, expanded_bytes: int) -> Path:
    """A DOCX whose document.xml repeats one paragraph until it is about expanded_bytes long."""
    template = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("template")
    document.save(template)
    unit = f"<w:p><w:r><w:t>{paragraph}</w:t></w:r></w:p>".encode()
    per_chunk = max(1, (1 << 20) // len(unit))
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item.filename), zipfile.ZIP_DEFLATED)
                continue
            info = zipfile.ZipInfo("word/document.xml")
            info.compress_type = zipfile.ZIP_DEFLATED
            with target.open(info, "w", force_zip64=True) as out:
                out.write(_BODY_OPEN.encode())
                left = max(1, expanded_bytes // len(unit))
                while left:
                    out.write(unit * min(left, per_chunk))
                    left -= min(left, per_chunk)
                out.write(_BODY_CLOSE.encode())
    return path


def pdf_with_stream(path: Path, expanded_bytes: int) -> Path:
    """A one-page PDF whose FlateDecode content stream inflates to about expanded_bytes."""
    text = b"BT /F1 12 Tf 72 720 Td (Flate bomb page) Tj ET\n"
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(text)]
    block = b" " * (1 << 20)
    for _ in range(max(1, expanded_bytes // len(block))):
        parts.append(compressor.compress(block))
    parts.append(compressor.flush())
    stream = b"".join(parts)
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    out += trailer % (len(bodies) + 1, xref)
    path.write_bytes(bytes(out))
    return path
