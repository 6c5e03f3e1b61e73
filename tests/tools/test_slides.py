"""Slide decks: shown slides, their tables and speaker notes are text at `path:slide N`; a
hidden slide, a hidden or off-slide shape and 1-pt text are not, and a damaged deck is one line."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fakes.files import write
from pptx import Presentation
from pptx.util import Inches, Pt
from typer.testing import CliRunner

from main import app
from tools.documents import load_document

OWNER = "The claims data belongs to Omar Haddad, records manager"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _deck() -> Presentation:
    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "Claims assistant"
    first.placeholders[1].text_frame.text = "Agents get a drafted answer for each claim."
    table = first.shapes.add_table(2, 2, Inches(1), Inches(4), Inches(6), Inches(1)).table
    for (row, col), text in {(0, 0): "Target", (0, 1): "Value", (1, 0): "p95 latency",
                             (1, 1): "3 seconds"}.items():  # fmt: skip
        table.cell(row, col).text = text
    first.notes_slide.notes_text_frame.text = "Say: the pilot starts in March."
    return deck


def _save(deck: Presentation, name: str = "deck.pptx") -> Path:
    buffer = io.BytesIO()
    deck.save(buffer)
    return write(name, buffer.getvalue())


def test_slide_text_tables_and_notes_are_lines_located_by_slide() -> None:
    deck = _deck()
    second = deck.slides.add_slide(deck.slide_layouts[1])
    second.shapes.title.text = "Operations"
    second.placeholders[1].text_frame.text = "Rollback is one switch in the console."
    document = load_document(_save(deck), "deck.pptx")
    assert document.kind == "pptx"
    assert document.lines == [
        "Claims assistant", "Agents get a drafted answer for each claim.", "Target | Value",
        "p95 latency | 3 seconds", "Say: the pilot starts in March.", "Operations",
        "Rollback is one switch in the console.",
    ]  # fmt: skip
    assert document.location(4) == "deck.pptx:slide 1"
    assert document.location(5) == "deck.pptx:slide 1"  # the notes belong to their slide
    assert document.location(3, 7) == "deck.pptx:slide 1-2"
    headings = [s.heading_path for s in document.sections]
    assert ["slide 1: Claims assistant", "speaker notes"] in headings
    assert [h.why for h in document.hidden] == ["metadata"]  # python-pptx's own comment


def _hidden_slide(deck: Presentation) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Backup"
    slide.placeholders[1].text_frame.text = OWNER
    slide._element.set("show", "0")


def _hidden_shape(deck: Presentation) -> None:
    box = deck.slides[0].shapes.add_textbox(Inches(1), Inches(6), Inches(4), Inches(1))
    box.text_frame.text = OWNER
    box._element.nvSpPr.cNvPr.set("hidden", "1")


def _off_slide(deck: Presentation) -> None:
    box = deck.slides[0].shapes.add_textbox(Inches(-9), Inches(1), Inches(4), Inches(1))
    box.text_frame.text = OWNER


def _tiny(deck: Presentation) -> None:
    box = deck.slides[0].shapes.add_textbox(Inches(1), Inches(6), Inches(4), Inches(1))
    run = box.text_frame.paragraphs[0].add_run()
    run.text = OWNER
    run.font.size = Pt(1)


@pytest.mark.parametrize(
    ("hide", "why", "slide"),
    [
        pytest.param(_hidden_slide, "hidden slide", 2, id="hidden-slide"),
        pytest.param(_hidden_shape, "hidden shape", 1, id="hidden-shape"),
        pytest.param(_off_slide, "off-page text", 1, id="off-slide"),
        pytest.param(_tiny, "tiny text", 1, id="one-point"),
    ],
)
def test_what_a_slide_show_never_shows_is_kept_apart_with_its_slide(
    hide: object, why: str, slide: int
) -> None:
    deck = _deck()
    hide(deck)  # type: ignore[operator]
    document = load_document(_save(deck), "deck.pptx")
    assert not any("Omar" in line for line in document.lines)
    [hidden] = [h for h in document.hidden if "Omar" in h.text]
    assert hidden.why == why and hidden.location == f"deck.pptx:slide {slide}"


def test_the_decks_subject_is_metadata() -> None:
    deck = _deck()
    deck.core_properties.subject = "Reviewers: every gate is ready"
    document = load_document(_save(deck), "deck.pptx")
    [subject] = [h for h in document.hidden if h.why == "metadata" and h.detail == "subject"]
    assert subject.location == "deck.pptx (metadata: subject)"


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "corrupt PPTX (the file is empty)", id="empty"),
        pytest.param(b"PK\x03\x04 not really", "corrupt PPTX (not a ZIP archive)", id="not-zip"),
        pytest.param(_zip({"hello.txt": b"hi"}), "corrupt PPTX", id="zip-not-deck"),
        pytest.param(_zip({"[Content_Types].xml": b"<Types"}), "corrupt PPTX", id="bad-xml"),
    ],
)
def test_a_damaged_deck_is_one_line_and_exit_2(content: bytes, message: str) -> None:
    write("broken.pptx", content)
    result = CliRunner().invoke(app, ["review", "broken.pptx"])
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"error: broken.pptx: {message}") and "Traceback" not in result.output


def test_a_truncated_deck_is_one_line_and_exit_2() -> None:
    whole = _save(_deck(), "whole.pptx").read_bytes()
    write("cut.pptx", whole[: len(whole) // 2])
    result = CliRunner().invoke(app, ["review", "cut.pptx"])
    assert result.exit_code == 2 and "error: cut.pptx: corrupt PPTX" in result.output


def test_a_deck_that_unzips_past_the_limit_is_refused_before_it_is_parsed() -> None:
    bomb = _zip({"ppt/slides/slide1.xml": b" " * 3_000_000})
    write("bomb.pptx", bomb)
    result = CliRunner().invoke(app, ["review", "bomb.pptx", "--max-bytes", "500000"])
    assert result.exit_code == 2 and "a compression bomb" in result.output
