"""Excerpt selection: whole documents when small, ranked sections within the budget, masked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fakes.personal_data import SEEDED

from agents.prompts import render
from agents.rubric import load_rubrics
from tools.documents import Document, load_documents
from tools.excerpts import Selection, estimate_tokens, select_excerpts
from tools.retrieval import SectionIndex

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "fixtures" / "docs"
LARGEST = ROOT / "examples" / "strong-contract-search.md"
NUMBERED = re.compile(r"^(\d+)\| (.*)$")


def _load(*paths: Path) -> list[Document]:
    return load_documents(list(paths)).documents


def _select(
    documents: list[Document], gate: str, max_tokens: int, *, redact: bool = False
) -> Selection:
    queries = [c.terms for c in load_rubrics()[gate].criteria]
    return select_excerpts(documents, SectionIndex(documents), queries, max_tokens, redact=redact)


def _numbered_lines(selection: Selection) -> list[tuple[int, str]]:
    lines = []
    for excerpt in selection.excerpts:
        for line in excerpt.numbered.split("\n"):
            match = NUMBERED.match(line)
            assert match, line
            lines.append((int(match.group(1)), match.group(2)))
    return lines


def test_small_documents_are_sent_whole_in_document_order() -> None:
    documents = _load(DOCS / "strong.md")
    selection = _select(documents, "data", 6000)
    assert selection.whole_documents and selection.omitted == 0
    sections = documents[0].sections
    assert [e.line_start for e in selection.excerpts] == [s.line_start for s in sections]
    assert [e.heading for e in selection.excerpts][1] == "Parcel Query Assistant - Design > 1. Data"


def test_line_numbers_are_the_documents_own() -> None:
    documents = _load(LARGEST)
    lines = _numbered_lines(_select(documents, "platform", 1500))
    assert lines
    assert all(documents[0].lines[n - 1] == text for n, text in lines)


@pytest.mark.parametrize("gate", ["data", "risk", "platform", "product", "change"])
@pytest.mark.parametrize("max_tokens", [500, 1500, 3000], ids=lambda n: f"{n}-tokens")
def test_a_large_document_is_cut_to_the_budget(gate: str, max_tokens: int) -> None:
    selection = _select(_load(LARGEST), gate, max_tokens)
    assert not selection.whole_documents
    assert 0 < selection.tokens <= max_tokens
    assert selection.omitted > 0


def test_the_largest_example_fits_the_default_budget_whole() -> None:
    selection = _select(_load(LARGEST), "risk", 6000)
    assert selection.whole_documents and selection.omitted == 0
    assert selection.tokens <= 6000


def test_a_section_longer_than_the_budget_is_cut_to_its_first_lines(tmp_path: Path) -> None:
    body = "\n".join(f"The data owner reviews retention item {i} monthly." for i in range(2000))
    path = tmp_path / "one-section.md"
    path.write_text(f"# Notes\n\n{body}\n", encoding="utf-8")
    documents = _load(path)
    assert len(documents[0].sections) == 1
    selection = _select(documents, "data", 2000)
    assert selection.tokens <= 2000
    (excerpt,) = selection.excerpts
    assert excerpt.line_start == 1 and 100 < excerpt.line_end < 2002
    assert _numbered_lines(selection)[-1][0] == excerpt.line_end


def test_the_budget_counts_what_the_prompt_shows() -> None:
    selection = _select(_load(LARGEST), "change", 1500)
    criteria = load_rubrics()["change"].criteria
    prompt = render(
        "gate_user",
        gate="change",
        criteria=criteria,
        guidance=None,
        excerpts=selection.excerpts,
        omitted=selection.omitted,
    ).text
    shown = prompt.split("# Excerpts from the documents under review", 1)[1]
    assert all(e.header in shown for e in selection.excerpts)
    blocks = shown.split("\n\n(", 1)[0]  # up to the note on omitted sections
    assert estimate_tokens(blocks) <= selection.tokens + 50


def test_masking_covers_text_and_headings_and_keeps_line_numbers() -> None:
    documents = _load(DOCS / "personal-data.md")
    masked = _select(documents, "data", 6000, redact=True)
    sent = "\n".join(f"{e.header}\n{e.numbered}" for e in masked.excerpts)
    assert not [value for value in SEEDED if value in sent]
    assert masked.redactions == {
        "email": 5,  # each time it is sent: two in the text, three in heading paths
        "phone": 1,
        "card": 1,
        "iban": 1,
        "ip": 1,
        "credential": 1,
    }
    unmasked = _select(documents, "data", 6000)
    assert [n for n, _ in _numbered_lines(masked)] == [n for n, _ in _numbered_lines(unmasked)]


def test_without_masking_the_text_is_sent_as_written() -> None:
    selection = _select(_load(DOCS / "personal-data.md"), "data", 6000)
    sent = "\n".join(f"{e.header}\n{e.numbered}" for e in selection.excerpts)
    assert all(value in sent for value in SEEDED)
    assert selection.redactions == {}
