"""Excerpt selection: whole documents when small, ranked sections within the budget, masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.personal_data import SEEDED

from agents.prompts import render
from agents.rubric import load_rubrics
from tools.documents import Document, load_documents
from tools.excerpts import Selection, estimate_tokens
from tools.retrieval import SectionIndex
from tools.selection import select_excerpts

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "fixtures" / "docs"
LARGEST = ROOT / "examples" / "strong-contract-search.md"


def _load(*paths: Path) -> list[Document]:
    return load_documents(list(paths)).documents


def _select(
    documents: list[Document], gate: str, max_tokens: int, *, redact: bool = False
) -> Selection:
    queries = [c.terms for c in load_rubrics()[gate].criteria]
    return select_excerpts(documents, SectionIndex(documents), queries, max_tokens, redact=redact)


def _sent(selection: Selection) -> str:
    return "\n\n".join(e.rendered for e in selection.excerpts)


def test_small_documents_are_sent_whole_in_document_order() -> None:
    documents = _load(DOCS / "strong.md")
    selection = _select(documents, "data", 6000)
    assert selection.whole_documents and selection.omitted == 0
    sections = documents[0].sections
    assert [e.line_start for e in selection.excerpts] == [s.line_start for s in sections]
    # One document header, no gaps: the text is the document's own, line for line.
    assert [e.lead for e in selection.excerpts] == [f"=== {documents[0].path} ==="] + [""] * (
        len(sections) - 1
    )
    body = _sent(selection).split("\n", 1)[1]
    assert [x for x in body.split("\n") if x] == [x for x in documents[0].lines if x]


def test_excerpt_text_is_the_documents_own_lines() -> None:
    documents = _load(LARGEST)
    selection = _select(documents, "platform", 1500)
    assert selection.excerpts
    for excerpt in selection.excerpts:
        lines = excerpt.text.split("\n")
        assert lines == documents[0].lines[excerpt.line_start - 1 : excerpt.line_end]


def test_left_out_text_is_marked_with_the_headings_above() -> None:
    documents = _load(LARGEST)
    selection = _select(documents, "platform", 1500)
    first, *rest = selection.excerpts
    assert first.lead.startswith(f"=== {documents[0].path} ===")
    gaps = [e for e in rest if e.lead.startswith("[...]")]
    assert gaps, "a cut document shows where text was left out"
    for excerpt in gaps:
        section = next(s for s in documents[0].sections if s.line_start == excerpt.line_start)
        above = " > ".join(section.heading_path[:-1])
        assert excerpt.lead == (f"[...] ({above})" if above else "[...]")


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


def test_a_section_longer_than_the_budget_is_cut_to_sentences_on_the_criteria(
    tmp_path: Path,
) -> None:
    body = "\n".join(f"The data owner reviews retention item {i} monthly." for i in range(2000))
    path = tmp_path / "one-section.md"
    path.write_text(f"# Notes\n\n{body}\n", encoding="utf-8")
    documents = _load(path)
    assert len(documents[0].sections) == 1
    selection = _select(documents, "data", 2000)
    assert selection.tokens <= 2000
    (excerpt,) = selection.excerpts  # equally good sentences: the first ones, in one run
    assert excerpt.line_start == 3 and 100 < excerpt.line_end < 2002
    assert excerpt.lead.endswith("[...] (Notes)")  # the heading line itself was left out
    assert excerpt.text.split("\n") == documents[0].lines[2 : excerpt.line_end]


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
    assert all(e.rendered in shown for e in selection.excerpts)
    blocks = shown.split("\n\n(", 1)[0]  # up to the note on omitted sections
    assert estimate_tokens(blocks) <= selection.tokens + 50


def test_masking_covers_text_and_headings() -> None:
    documents = _load(DOCS / "personal-data.md")
    masked = _select(documents, "data", 6000, redact=True)
    sent = _sent(masked)
    assert not [value for value in SEEDED if value in sent]
    assert masked.redactions == {"email": 2, "phone": 1, "card": 1, "iban": 1, "ip": 1,
                                 "credential": 1}  # fmt: skip
    unmasked = _select(documents, "data", 6000)
    assert [e.line_start for e in masked.excerpts] == [e.line_start for e in unmasked.excerpts]


def test_masking_covers_the_headings_shown_above_an_excerpt() -> None:
    documents = _load(DOCS / "personal-data.md")

    def leads(redact: bool) -> list[str]:
        # Some small budget shows a section under the heading that holds an e-mail address.
        return [
            e.lead
            for gate in ("data", "risk", "platform", "product", "change")
            for budget in (150, 200, 300, 400)
            for e in _select(documents, gate, budget, redact=redact).excerpts
            if "3. Operations" in e.lead
        ]

    masked, unmasked = leads(True), leads(False)
    assert masked and unmasked
    assert all([value for value in SEEDED if value in lead] for lead in unmasked)
    assert not [value for value in SEEDED for lead in masked if value in lead]
    assert all("[REDACTED:email]" in lead for lead in masked)


def test_without_masking_the_text_is_sent_as_written() -> None:
    selection = _select(_load(DOCS / "personal-data.md"), "data", 6000)
    sent = _sent(selection)
    assert all(value in sent for value in SEEDED)
    assert selection.redactions == {}
