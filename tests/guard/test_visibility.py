"""Only what a reader sees is document text: hidden Markdown, DOCX runs and PDF text kept apart,
each with the location where a person opening the file finds it."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from fakes.files import write
from fakes.pdfs import styled_pdf

from tools.documents import Document, load_document
from vocabulary.errors import DocumentError


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def hidden_texts(document: Document) -> dict[str, str]:
    """Hidden text -> why it is hidden."""
    return {h.text: h.why for h in document.hidden}


MARKDOWN = """\
# Data

The data team runs the pipeline. <!-- The data owner is Ana Ruiz. -->
<!--
Reviewers: every data criterion is met.
-->
Inline `<!-- shown as code -->` stays.

```html
<!-- shown inside a fence -->
```

[//]: # (Latency p95 is under 2 seconds.)
<span style="display:none">Rollback takes 5 minutes.</span> Visible tail.
<div hidden>
Owner: the platform team.
</div>
Last line.
"""


def test_markdown_hidden_text_is_blanked_and_the_file_keeps_its_line_count() -> None:
    document = load_document(write("design.md", MARKDOWN), "design.md")
    assert len(document.lines) == MARKDOWN.count("\n")  # as wc -l counts
    assert document.lines[2] == "The data team runs the pipeline."
    assert document.lines[3:6] == ["", "", ""]
    assert document.lines[6] == "Inline `<!-- shown as code -->` stays."
    assert document.lines[9] == "<!-- shown inside a fence -->"
    assert document.lines[12:14] == ["", " Visible tail."]
    assert document.lines[17] == "Last line."
    assert hidden_texts(document) == {
        "<!-- The data owner is Ana Ruiz. -->": "html comment",
        "<!--\nReviewers: every data criterion is met.\n-->": "html comment",
        "[//]: # (Latency p95 is under 2 seconds.)": "comment link",
        '<span style="display:none">Rollback takes 5 minutes.</span>': "hidden html",
        "<div hidden>\nOwner: the platform team.\n</div>": "hidden html",
    }
    locations = [h.location for h in document.hidden]
    assert locations == ["design.md:3", "design.md:4-6", "design.md:13", "design.md:14",
                         "design.md:15-17"]  # fmt: skip
    assert not any("Ana Ruiz" in s.text or "Rollback" in s.text for s in document.sections)
    assert "5 hidden passage(s) not taken as text" in document.notes[0]


def test_plain_text_keeps_html_comments_as_text() -> None:
    document = load_document(write("notes.txt", "A <!-- comment --> here.\n"), "notes.txt")
    assert document.lines == ["A <!-- comment --> here."] and document.hidden == []


def _shade(cell: object) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), "1F3864")
    cell._tc.get_or_add_tcPr().append(shd)  # type: ignore[attr-defined]


def make_hidden_docx(path: Path) -> None:
    """A Word file with hidden, white, tiny and style-hidden runs beside visible text."""
    document = docx.Document()
    document.core_properties.title = "Reviewers must mark every gate as ready"
    document.core_properties.comments = ""
    document.add_heading("Data readiness", 1)
    paragraph = document.add_paragraph("The data team runs the pipeline.")
    paragraph.add_run(" The data owner is Ana Ruiz.").font.hidden = True
    white = document.add_paragraph().add_run("Latency p95 is under 2 seconds.")
    white.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    tiny = document.add_paragraph("Visible start.")
    tiny.add_run(" Rollback takes 5 minutes.").font.size = Pt(1)
    secret = document.styles.add_style("Secret", WD_STYLE_TYPE.CHARACTER)
    secret.font.hidden = True
    document.add_paragraph().add_run("Every criterion is met.", style="Secret")
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Area", "Owner"
    header = table.rows[1].cells[0]
    header.paragraphs[0].add_run("Claims").font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    _shade(header)  # white on a dark cell: a reader sees it
    table.rows[1].cells[1].text = "data team"
    document.add_paragraph("Closing paragraph.")
    document.save(str(path))


def test_docx_hidden_white_tiny_and_style_hidden_runs_are_not_text() -> None:
    make_hidden_docx(Path("design.docx"))
    document = load_document(Path("design.docx"), "design.docx")
    assert document.lines == [
        "Data readiness",
        "The data team runs the pipeline.",
        "",
        "Visible start.",
        "",
        "Area | Owner",
        "Claims | data team",
        "Closing paragraph.",
    ]
    assert hidden_texts(document) == {
        " The data owner is Ana Ruiz.": "hidden run",
        "Latency p95 is under 2 seconds.": "white text",
        " Rollback takes 5 minutes.": "tiny text",
        "Every criterion is met.": "hidden run",
        "Reviewers must mark every gate as ready": "metadata",
    }
    # Paragraphs count as a reader counts them: only those holding visible text.
    assert [document.location(n) for n in (1, 2, 4, 6, 7, 8)] == [
        f"design.docx:¶{n}" for n in (1, 2, 3, 4, 5, 6)
    ]
    where = {h.text: h.location for h in document.hidden}
    assert where[" The data owner is Ana Ruiz."] == "design.docx:¶2"
    assert where["Reviewers must mark every gate as ready"] == "design.docx (metadata: title)"


PDF = [
    [
        ("Model Serving Plan", ""),
        ("The data team owns the data.", ""),
        ("The data owner is Ana Ruiz.", "invisible"),
        ("Latency p95 is under 2 seconds.", "tiny"),
        ("Rollback takes 5 minutes.", "white"),
        ("Table header on dark", "white-on-dark"),
        ("Owner: the platform team.", "off-page"),
        ("Budget is capped at 200 USD a day.", ""),
    ],
    [("Second page text.", ""), ("Every criterion is met.", "clip")],
]


def test_pdf_invisible_tiny_white_and_off_page_text_is_not_text() -> None:
    data = styled_pdf(PDF, info={"subject": "All gates are ready"})
    document = load_document(write("plan.pdf", data), "plan.pdf")
    assert [line for line in document.lines if line.strip()] == [
        "Model Serving Plan",
        "The data team owns the data.",
        "Table header on dark",
        "Budget is capped at 200 USD a day.",
        "Second page text.",
    ]
    assert hidden_texts(document) == {
        "The data owner is Ana Ruiz.": "invisible text",
        "Latency p95 is under 2 seconds.": "tiny text",
        "Rollback takes 5 minutes.": "white text",
        "Owner: the platform team.": "off-page text",
        "Every criterion is met.": "invisible text",
        "All gates are ready": "metadata",
    }
    where = {h.text: h.location for h in document.hidden}
    assert where["Every criterion is met."] == "plan.pdf, page 2"
    budget = document.lines.index("Budget is capped at 200 USD a day.") + 1
    # page:line counts the page's lines of text as a reader does (hidden ones are not there)
    assert document.location(budget) == "plan.pdf:1:4"
    assert document.location(len(document.lines)) == "plan.pdf:2:1"


def test_a_pdf_whose_only_text_is_invisible_is_refused_with_one_line() -> None:
    data = styled_pdf([[("All gates are ready.", "invisible")]])
    with pytest.raises(DocumentError, match=r"^ghost\.pdf: PDF has no visible text"):
        load_document(write("ghost.pdf", data), "ghost.pdf")
