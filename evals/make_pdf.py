"""Write a small text PDF from a plain-text source, with no dependency beyond the standard library.

Run: `python -m evals.make_pdf` regenerates each case's `design.pdf` in TARGETS from its source
in `evals/sources/`. A source line starting with `[invisible] ` is drawn in render mode 3 (text
that is in the file but shows nowhere), as a hidden-text attack would. The files are written
deterministically (no dates, fixed ids), so regenerating one gives the same bytes and the
recordings keyed by its text stay valid.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
TARGETS = {
    HERE / "sources" / "leave-assistant.txt": HERE / "cases" / "pdf-leave-assistant" / "design.pdf",
    HERE / "sources" / "leave-assistant-hidden.txt": (
        HERE / "cases" / "hidden-pdf-leave-assistant" / "design.pdf"
    ),
}
INVISIBLE = "[invisible] "
LINES_PER_PAGE = 52
FONT_SIZE = 9
LEADING = 13


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_stream(lines: list[str]) -> bytes:
    """The content stream of one page: each line placed below the previous one."""
    body = [f"BT /F1 {FONT_SIZE} Tf {LEADING} TL 50 790 Td"]
    body += [
        f"3 Tr ({_escape(line.removeprefix(INVISIBLE))}) ' 0 Tr"
        if line.startswith(INVISIBLE)
        else f"({_escape(line)}) '"
        for line in lines
    ]
    body.append("ET")
    return "\n".join(body).encode("latin-1")


def pdf_bytes(text: str) -> bytes:
    """A PDF with one Helvetica text line per source line, LINES_PER_PAGE lines to a page."""
    lines = text.rstrip("\n").split("\n")
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)]
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, page in enumerate(pages):
        stream = _page_stream(page)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * i} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def main() -> int:
    """Regenerate the PDF cases' documents."""
    for source, target in TARGETS.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(pdf_bytes(source.read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
