"""Document ingestion: formats, sections with line anchors, folders, encodings and errors."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pathlib
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from fakes.files import write
from fakes.pdfs import blank_pdf, encrypted_pdf, make_pdf

from tools.documents import MAX_SECTIONS, Document, load_document, load_documents
from vocabulary.errors import DocumentError


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own temporary folder, so displayed paths are relative to it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GATEREVIEW_HOME", str(tmp_path / ".gatereview"))


PDF_PAGES = [
    [
        "Model Serving Plan",
        "1. Data Readiness",
        "The data team owns the data.",
        "Cost Controls",
    ],
    ["Budget is capped at 200 USD a day.", "the model is evaluated weekly"],
]


def make_docx(path: Path) -> None:
    """A DOCX with a title, nested headings, body text and a table between paragraphs."""
    document = docx.Document()
    document.add_heading("Claims Triage Design", 0)
    document.add_paragraph("Introduction before any numbered heading.")
    document.add_heading("Data readiness", 1)
    document.add_paragraph("Owners: the data team.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Source", "Owner"), ("claims", "data team")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_heading("Lineage", 2)
    document.add_paragraph("Hashes are recorded.")
    document.add_heading("Risk", 1)
    document.add_paragraph("A DPIA is planned.")
    document.save(str(path))


def assert_anchored(document: Document) -> None:
    """Every section's text is exactly the document's lines in its range."""
    assert document.sections
    for section in document.sections:
        assert section.path == document.path
        assert document.line_text(section.line_start, section.line_end) == section.text
        assert section.text.strip()


def by_heading(document: Document) -> dict[tuple[str, ...], tuple[int, int]]:
    """Sections keyed by heading path, with their line ranges."""
    return {tuple(s.heading_path): (s.line_start, s.line_end) for s in document.sections}


MARKDOWN = """\
---
title: Claims triage
owner: ai-team
---
Preamble before any heading.

# Claims triage design

Intro paragraph.

## Data readiness

```python
# not a heading inside a fence
```

~~~
## also not a heading
~~~

Data owners
-----------

The data team owns it.

---

Text after a thematic break.

Risk Controls
=============

### DPIA ###
A DPIA is planned.
"""


def test_markdown_sections_follow_headings_with_exact_line_ranges() -> None:
    document = load_document(write("docs/design.md", MARKDOWN), "docs/design.md")
    assert document.kind == "markdown"
    assert_anchored(document)
    assert by_heading(document) == {
        ("front matter",): (1, 4),
        (): (5, 5),
        ("Claims triage design",): (7, 9),
        ("Claims triage design", "Data readiness"): (11, 19),
        ("Claims triage design", "Data owners"): (21, 28),  # setext "---" is level 2
        ("Risk Controls",): (30, 31),
        ("Risk Controls", "DPIA"): (33, 34),
    }
    assert document.lines[20] == "Data owners"
    assert document.lines[32] == "### DPIA ###"


def test_markdown_crlf_and_cr_line_endings_keep_editor_line_numbers() -> None:
    raw = "# One\r\nbody\r\n\r\n# Two\rmore\r"
    document = load_document(write("crlf.md", raw.encode()), "crlf.md")
    assert document.lines[:5] == ["# One", "body", "", "# Two", "more"]
    assert by_heading(document) == {("One",): (1, 2), ("Two",): (4, 5)}


def test_markdown_leading_break_without_yaml_is_not_front_matter() -> None:
    document = load_document(write("hr.md", "---\nJust text.\n---\n# Head\nx\n"), "hr.md")
    assert [s.heading_path for s in document.sections] == [[], ["Head"]]


PLAIN = """\
PROJECT OVERVIEW
A claims triage assistant.

1. Data readiness
The data team owns the data.
1. this numbered line is a list item, not a heading.

2.3 Cost controls
Budget is capped.

Rollout plan
------------
Two waves.
"""


def test_plain_text_headings_numbered_caps_and_underlined() -> None:
    document = load_document(write("plan.txt", PLAIN), "plan.txt")
    assert document.kind == "text"
    assert_anchored(document)
    assert by_heading(document) == {
        ("PROJECT OVERVIEW",): (1, 2),
        ("1. Data readiness",): (4, 6),
        ("1. Data readiness", "2.3 Cost controls"): (8, 9),
        ("Rollout plan",): (11, 13),
    }


def test_rst_over_and_underlined_titles_nest_by_order_of_appearance() -> None:
    rst = "=====\nTitle\n=====\n\nIntro.\n\nPart\n----\nBody.\n"
    document = load_document(write("notes.rst", rst), "notes.rst")
    assert_anchored(document)
    assert by_heading(document) == {("Title",): (1, 5), ("Title", "Part"): (7, 9)}


def test_text_without_headings_is_chunked_at_paragraphs() -> None:
    paragraphs = ["\n".join(f"para {p} line {n}" for n in range(7)) for p in range(30)]
    document = load_document(write("notes.txt", "\n\n".join(paragraphs)), "notes.txt")
    assert_anchored(document)
    assert len(document.sections) > 4
    for section in document.sections:
        assert section.heading_path == []
        assert section.line_end - section.line_start < 80
        assert document.lines[section.line_start - 1].startswith("para ")


def test_pdf_pages_are_sections_split_at_heading_lines() -> None:
    document = load_document(write("plan.pdf", make_pdf(PDF_PAGES)), "plan.pdf")
    assert document.kind == "pdf"
    assert_anchored(document)
    assert document.lines[:5] == [
        "Model Serving Plan",
        "1. Data Readiness",
        "The data team owns the data.",
        "Cost Controls",
        "Budget is capped at 200 USD a day.",
    ]
    assert by_heading(document) == {
        ("page 1", "Model Serving Plan"): (1, 1),
        ("page 1", "1. Data Readiness"): (2, 3),
        ("page 1", "Cost Controls"): (4, 4),
        ("page 2",): (5, 6),
    }


def test_pdf_encrypted_with_empty_user_password_is_read() -> None:
    document = load_document(write("open.pdf", encrypted_pdf("")), "open.pdf")
    assert document.lines[0] == "Secret plan"


def test_docx_headings_paragraphs_and_table_rows_in_body_order() -> None:
    make_docx(Path("design.docx"))
    document = load_document(Path("design.docx"), "design.docx")
    assert document.kind == "docx"
    assert_anchored(document)
    assert document.lines == [
        "Claims Triage Design",
        "Introduction before any numbered heading.",
        "Data readiness",
        "Owners: the data team.",
        "Source | Owner",
        "claims | data team",
        "Lineage",
        "Hashes are recorded.",
        "Risk",
        "A DPIA is planned.",
    ]
    assert by_heading(document) == {
        ("Claims Triage Design",): (1, 2),
        ("Data readiness",): (3, 6),
        ("Data readiness", "Lineage"): (7, 8),
        ("Risk",): (9, 10),
    }


def test_folder_is_walked_recursively_in_sorted_order_with_skip_notes() -> None:
    write("docs/b.md", "# B\nb\n")
    write("docs/a.txt", "a text\n")
    write("docs/sub/c.md", "# C\nc\n")
    write("docs/sub/README", "no suffix, still text\n")
    write("docs/sub/blob", b"\x00\x01\x02binary")
    write("docs/diagram.png", b"\x89PNG\r\n")
    write("docs/.hidden.md", "# hidden\n")
    write("docs/.git/config.md", "# hidden folder\n")
    make_docx(Path("docs/z.docx"))
    ingested = load_documents(["docs"])
    assert [d.path for d in ingested.documents] == [
        "docs/a.txt",
        "docs/b.md",
        "docs/sub/README",
        "docs/sub/c.md",
        "docs/z.docx",
    ]
    assert ingested.notes == [
        "skipped docs/diagram.png: unsupported type .png",
        "skipped docs/sub/blob: binary file, not a text document",
    ]


def test_same_file_given_twice_loads_once() -> None:
    write("docs/a.md", "# A\nx\n")
    os.symlink("a.md", "docs/link.md")
    ingested = load_documents(["docs/a.md", str(Path.cwd() / "docs" / "a.md"), "docs"])
    assert [d.path for d in ingested.documents] == ["docs/a.md"]
    assert ingested.notes == [
        "skipped docs/a.md: listed more than once",
        "skipped docs/a.md: listed more than once",
        "skipped docs/link.md: same as docs/a.md",
    ]


def test_symlink_loop_in_folder_terminates() -> None:
    write("docs/a.md", "# A\nx\n")
    os.makedirs("docs/sub")
    os.symlink("..", "docs/sub/loop")
    ingested = load_documents(["docs"])
    assert [d.path for d in ingested.documents] == ["docs/a.md"]
    assert any("symbolic link loop" in note for note in ingested.notes)


def test_paths_are_relative_to_cwd_in_posix_style() -> None:
    write("docs/sub/a.md", "# A\nx\n")
    ingested = load_documents([Path.cwd() / "docs" / "sub" / ".." / "sub" / "a.md"])
    assert ingested.documents[0].path == "docs/sub/a.md"
    assert ingested.documents[0].sections[0].anchor == "docs/sub/a.md#A:1-2"
    assert [d.path for d in load_documents(["."]).documents] == ["docs/sub/a.md"]
    assert [d.path for d in load_documents(["docs/sub/"]).documents] == ["docs/sub/a.md"]


def test_content_hash_is_sha256_of_raw_bytes() -> None:
    raw = b"# Title\r\nbody\r\n"
    document = load_documents([write("a.md", raw)]).documents[0]
    assert document.sha256 == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        pytest.param("Caf\xe9 design\n".encode("latin-1"), "decoded as Latin-1", id="latin-1"),
        pytest.param("\u201cquoted\u201d caf\xe9\n".encode("cp1252"), "Windows-1252", id="cp1252"),
    ],
)
def test_non_utf8_latin_text_is_decoded_with_a_note(raw: bytes, note: str) -> None:
    ingested = load_documents([write("legacy.txt", raw)])
    document = ingested.documents[0]
    assert "caf\xe9" in document.lines[0].lower()
    assert any(note in n for n in document.notes)
    assert any(n.startswith("legacy.txt: ") and note in n for n in ingested.notes)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("\ufeff# Titl\xe9\nbody\n".encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param("\ufeff# Titl\xe9\nbody\n".encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param("\ufeff# Titl\xe9\nbody\n".encode(), id="utf-8-bom"),
    ],
)
def test_byte_order_marks_are_honoured_and_stripped(raw: bytes) -> None:
    document = load_document(write("bom.md", raw), "bom.md")
    assert document.lines[:2] == ["# Titl\xe9", "body"]
    assert document.sections[0].heading_path == ["Titl\xe9"]
    assert document.notes == []


def test_ten_thousand_headings_are_merged_to_the_section_cap() -> None:
    raw = "".join(f"# Heading {n}\nbody {n}\n" for n in range(10_000))
    document = load_document(write("many.md", raw), "many.md")
    assert len(document.sections) <= MAX_SECTIONS
    assert_anchored(document)
    assert document.sections[0].line_start == 1
    assert document.sections[-1].line_end == 20_000
    assert any("merged" in note for note in document.notes)


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("a " * 500_000, id="words"),
        pytest.param("# " + "x#" * 500_000, id="atx"),
        pytest.param("1." * 500_000, id="numbered"),
        pytest.param("-" * 1_000_000 + "x", id="dashes"),
        pytest.param(" " * 1_000_000 + "x", id="spaces"),
    ],
)
@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_megabyte_single_line_loads(line: str, suffix: str) -> None:
    # Its speed is measured by bench/pathological_inputs.py, not asserted here.
    path = write(f"long{suffix}", line + "\n")
    document = load_document(path, path.name)
    assert document.lines[0].strip("\ufeff") == line or document.lines[0].endswith("x")


def _zip_not_docx() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a word document")
    return buffer.getvalue()


ERROR_CASES: list[tuple[str, Callable[[], object], str, str]] = [
    ("missing", lambda: None, "docs/missing.md", "no such file or directory"),
    ("empty", lambda: write("docs/e.md", ""), "docs/e.md", "empty document"),
    ("whitespace", lambda: write("docs/w.txt", " \n\t\n"), "docs/w.txt", "empty document"),
    (
        "too-large",
        lambda: write("docs/big.md", "x" * 2000),
        "docs/big.md",
        "too large (2000 bytes; the limit is 1000 bytes, raise it with --max-bytes)",
    ),
    (
        "binary-nul",
        lambda: write("docs/b.txt", b"ab\x00cd" * 10),
        "docs/b.txt",
        "binary file, not a text document",
    ),
    (
        "binary-control",
        lambda: write("docs/c.md", bytes(range(1, 9)) * 20),
        "docs/c.md",
        "binary file, not a text document",
    ),
    (
        "not-latin",
        lambda: write("docs/sjis.txt", "設計書の概要です".encode("shift_jis")),
        "docs/sjis.txt",
        "not UTF-8 and does not look like Latin text",
    ),
    ("pdf-zero-byte", lambda: write("docs/z.pdf", b""), "docs/z.pdf", "corrupt PDF ("),
    (
        "pdf-not-a-pdf",
        lambda: write("docs/g.pdf", b"hello, world"),
        "docs/g.pdf",
        "corrupt PDF (not a PDF file: no %PDF header)",
    ),
    (
        "pdf-damaged-xref",
        lambda: write("docs/x.pdf", make_pdf(PDF_PAGES).replace(b"xref", b"xxxx")),
        "docs/x.pdf",
        "corrupt PDF (",
    ),
    (
        "pdf-truncated",
        lambda: write("docs/t.pdf", make_pdf(PDF_PAGES)[:300]),
        "docs/t.pdf",
        "corrupt PDF (truncated, no %%EOF marker",
    ),
    (
        "pdf-encrypted",
        lambda: write("docs/lock.pdf", encrypted_pdf("secret")),
        "docs/lock.pdf",
        "encrypted PDF (remove the password and try again)",
    ),
    (
        "pdf-no-text",
        lambda: write("docs/scan.pdf", blank_pdf()),
        "docs/scan.pdf",
        "PDF has no text layer (scanned documents need OCR first)",
    ),
    (
        "docx-not-zip",
        lambda: write("docs/n.docx", b"plain text"),
        "docs/n.docx",
        "corrupt DOCX (not a ZIP archive)",
    ),
    (
        "docx-zip-not-docx",
        lambda: write("docs/zip.docx", _zip_not_docx()),
        "docs/zip.docx",
        "corrupt DOCX (a ZIP archive but not a Word document",
    ),
    ("docx-zero-byte", lambda: write("docs/z.docx", b""), "docs/z.docx", "corrupt DOCX ("),
    (
        "unsupported-file",
        lambda: write("docs/pic.png", b"\x89PNG"),
        "docs/pic.png",
        "unsupported type .png",
    ),
    (
        "folder-without-documents",
        lambda: write("docs/pic.png", b"\x89PNG"),
        "docs",
        "no supported documents in folder",
    ),
]


@pytest.mark.parametrize(
    ("make", "given", "problem"),
    [pytest.param(make, given, problem, id=name) for name, make, given, problem in ERROR_CASES],
)
def test_errors_name_the_file_and_the_problem_on_one_line(
    make: Callable[[], object], given: str, problem: str
) -> None:
    make()
    with pytest.raises(DocumentError) as raised:
        load_documents([given], max_bytes=1000 if "big" in given else 5 * 1024 * 1024)
    message = str(raised.value)
    assert message.startswith(f"{given}: ")
    assert problem in message
    assert "\n" not in message


def test_unreadable_file_says_permission_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    path = write("docs/secret.md", "# Secret\n")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: fake the operating system's refusal instead
        original = pathlib.Path.read_bytes

        def refuse(self: Path) -> bytes:
            if self.name == "secret.md":
                raise PermissionError(13, "Permission denied")
            return original(self)

        monkeypatch.setattr(pathlib.Path, "read_bytes", refuse)
    with pytest.raises(
        DocumentError, match=r"^docs/secret\.md: cannot read \(permission denied\)$"
    ):
        load_documents(["docs/secret.md"])


def test_pypdf_log_messages_are_silenced_and_the_level_restored(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    write("docs/t.pdf", make_pdf(PDF_PAGES)[:300])  # pypdf logs "EOF marker not found"
    caplog.set_level(logging.DEBUG)
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    with pytest.raises(DocumentError, match="corrupt PDF \\(truncated, no %%EOF marker"):
        load_documents(["docs/t.pdf"])
    assert not [record for record in caplog.records if record.name.startswith("pypdf")]
    assert capsys.readouterr().err == ""
    assert pypdf_logger.level == level
