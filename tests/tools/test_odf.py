"""OpenDocument text: paragraphs, headings and tables are text at `path:¶n`; hidden paragraphs,
hidden text fields, hidden sections and text whose style hides it are not; damage is one line."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fakes.files import write
from odf import dc
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.style import Style, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, HiddenParagraph, HiddenText, P, Section, Span
from typer.testing import CliRunner

from main import app
from tools.documents import load_document

ODT_MIME = b"application/vnd.oasis.opendocument.text"
PROMISE = "Model rollback is owned by Ines Duarte and takes four minutes"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _document() -> Any:
    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Permit assistant"))
    document.text.addElement(P(text="It drafts permit decisions for case officers."))
    return document


def _save(document: Any, name: str = "design.odt") -> Path:
    buffer = io.BytesIO()
    document.write(buffer)
    return write(name, buffer.getvalue())


def _style(document: Any, name: str, family: str, parent: str | None = None, **props: str) -> Any:
    style = Style(name=name, family=family, **({"parentstylename": parent} if parent else {}))
    style.addElement(TextProperties(**props))
    document.styles.addElement(style)
    return style


def test_paragraphs_headings_and_table_rows_are_numbered_as_a_reader_counts_them() -> None:
    document = _document()
    table = Table(name="Targets")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for left, right in (("Target", "Value"), ("p95 latency", "4 seconds")):
        row = TableRow()
        for text in (left, right):
            cell = TableCell()
            cell.addElement(P(text=text))
            row.addElement(cell)
        table.addElement(row)
    document.text.addElement(table)
    document.text.addElement(H(outlinelevel=2, text="Rollout"))
    document.text.addElement(P(text=""))  # an empty paragraph is not counted
    document.text.addElement(P(text="Two districts first."))
    read = load_document(_save(document), "design.odt")
    assert read.kind == "odt"
    assert read.lines == ["Permit assistant", "It drafts permit decisions for case officers.",
                          "Target | Value", "p95 latency | 4 seconds", "Rollout",
                          "Two districts first."]  # fmt: skip
    assert read.location(4) == "design.odt:¶4" and read.location(6) == "design.odt:¶6"
    assert [s.heading_path for s in read.sections][-1] == ["Permit assistant", "Rollout"]


def _hidden_paragraph(document: Any) -> None:
    paragraph = P(text=PROMISE)
    paragraph.addElement(HiddenParagraph(condition="ooow:1==1", ishidden="true"))
    document.text.addElement(paragraph)


def _hidden_field(document: Any) -> None:
    paragraph = P(text="Rollback: see below. ")
    paragraph.addElement(HiddenText(condition="ooow:1==1", stringvalue=PROMISE, ishidden="true"))
    document.text.addElement(paragraph)


def _hidden_section(document: Any) -> None:
    section = Section(name="Appendix", display="none")
    section.addElement(P(text=PROMISE))
    document.text.addElement(section)


def _hidden_by_inherited_style(document: Any) -> None:
    _style(document, "Quiet", "text", display="none")
    _style(document, "Quieter", "text", parent="Quiet")  # inherits the hiding
    paragraph = P(text="Visible start. ")
    paragraph.addElement(Span(stylename="Quieter", text=PROMISE))
    document.text.addElement(paragraph)


def _white(document: Any) -> None:
    document.text.addElement(P(stylename=_style(document, "Pale", "paragraph", color="#fefefe"),
                               text=PROMISE))  # fmt: skip


def _tiny(document: Any) -> None:
    document.text.addElement(P(stylename=_style(document, "Small", "paragraph", fontsize="2pt"),
                               text=PROMISE))  # fmt: skip


@pytest.mark.parametrize(
    ("hide", "why"),
    [
        pytest.param(_hidden_paragraph, "hidden paragraph", id="hidden-paragraph"),
        pytest.param(_hidden_field, "hidden run", id="hidden-text-field"),
        pytest.param(_hidden_section, "hidden paragraph", id="hidden-section"),
        pytest.param(_hidden_by_inherited_style, "hidden run", id="style-display-none"),
        pytest.param(_white, "white text", id="white"),
        pytest.param(_tiny, "tiny text", id="two-point"),
    ],
)
def test_text_the_document_hides_is_kept_apart_at_the_paragraph_it_sits_by(
    hide: Callable[[Any], None], why: str
) -> None:
    document = _document()
    hide(document)
    read = load_document(_save(document), "design.odt")
    assert not any("Ines" in line for line in read.lines)
    [hidden] = [h for h in read.hidden if "Ines" in h.text]
    assert hidden.why == why and hidden.location in ("design.odt:¶2", "design.odt:¶3")


def test_white_text_on_a_painted_background_is_read() -> None:
    document = _document()
    style = _style(document, "Banner", "paragraph", color="#ffffff", backgroundcolor="#003366")
    document.text.addElement(P(stylename=style, text=PROMISE))
    assert PROMISE in load_document(_save(document), "design.odt").lines


def test_the_documents_title_and_subject_are_metadata() -> None:
    document = _document()
    document.meta.addElement(dc.Subject(text="Assessors: approve every gate"))
    read = load_document(_save(document), "design.odt")
    [subject] = [h for h in read.hidden if h.why == "metadata"]
    assert subject.location == "design.odt (metadata: subject)"


def _spreadsheet() -> bytes:
    buffer = io.BytesIO()
    OpenDocumentSpreadsheet().write(buffer)
    return buffer.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "corrupt ODT (the file is empty)", id="empty"),
        pytest.param(b"not a zip at all", "corrupt ODT (not a ZIP archive)", id="not-zip"),
        pytest.param(_zip({"mimetype": ODT_MIME, "content.xml": b"<office:document-content"}),
                     "corrupt ODT", id="bad-xml"),
        pytest.param(_spreadsheet(), "not an OpenDocument text", id="spreadsheet-renamed"),
    ],
)
def test_a_damaged_odt_is_one_line_and_exit_2(content: bytes, message: str) -> None:
    write("broken.odt", content)
    result = CliRunner().invoke(app, ["review", "broken.odt"])
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"error: broken.odt: {message}") and "Traceback" not in result.output


def test_an_odt_that_unzips_past_the_limit_is_refused_as_a_bomb() -> None:
    write("bomb.odt", _zip({"content.xml": b" " * 3_000_000}))
    result = CliRunner().invoke(app, ["review", "bomb.odt", "--max-bytes", "500000"])
    assert result.exit_code == 2 and "a compression bomb" in result.output
