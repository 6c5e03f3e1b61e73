"""BM25 section retrieval and sentence passages anchored to exact lines."""

from __future__ import annotations

from pathlib import Path

from tools.documents import Document, Section, load_documents
from tools.retrieval import SectionIndex, split_passages, stem, tokenize

DOCS = Path(__file__).resolve().parent.parent / "fixtures" / "docs"


def _strong() -> Document:
    return load_documents([DOCS / "strong.md"]).documents[0]


def test_tokenize_lowercases_strips_punctuation_and_stems() -> None:
    assert tokenize("Owners' dashboards, (refreshed) nightly!") == [
        "owner",
        "dashboard",
        "refresh",
        "nightly",
    ]
    assert stem("owners") == stem("owner")
    assert stem("prioritising") == stem("prioritise") == stem("prioritize")


def test_stopwords_are_dropped_only_on_request() -> None:
    assert tokenize("the budget of the team", keep_stopwords=False) == ["budget", "team"]
    assert "not" in tokenize("we do not deploy", keep_stopwords=False)


def test_search_ranks_the_matching_section_first() -> None:
    index = SectionIndex([_strong()])
    hits = index.search(["budget", "throttling", "usage dashboard"], k=3)
    assert hits[0].section.heading_path[-1] == "2.2 Cost controls"
    assert len(hits) <= 3
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_search_leaves_out_sections_that_do_not_match() -> None:
    index = SectionIndex([_strong()])
    assert index.search(["quantum", "blockchain"]) == []
    assert index.search([]) == []


def test_search_is_deterministic() -> None:
    first = SectionIndex([_strong()]).search(["owner", "team", "source"], k=4)
    second = SectionIndex([_strong()]).search(["owner", "team", "source"], k=4)
    assert [(h.section.anchor, h.score) for h in first] == [
        (h.section.anchor, h.score) for h in second
    ]


def test_an_empty_index_returns_nothing() -> None:
    assert SectionIndex([]).search(["owner"]) == []


def test_passages_are_verbatim_with_exact_lines_across_wrapped_lines() -> None:
    text = "# Notes\n\nFirst sentence here. Second one wraps\nonto the next line.\n- A list item.\n"
    lines = text.split("\n")
    section = Section(path="n.md", heading_path=["Notes"], line_start=1, line_end=5, text=text)
    document = Document(path="n.md", kind="markdown", sha256="0", lines=lines, sections=[section])
    passages = split_passages(section)
    assert [(p.line_start, p.line_end, p.text) for p in passages] == [
        (3, 3, "First sentence here."),
        (3, 4, "Second one wraps\nonto the next line."),
        (5, 5, "A list item."),
    ]
    for passage in passages:
        assert passage.text in document.line_text(passage.line_start, passage.line_end)


def test_passages_of_a_fixture_resolve_in_the_file() -> None:
    document = _strong()
    index = SectionIndex([document])
    for section in document.sections:
        for passage in index.passages(section):
            assert passage.text in document.line_text(passage.line_start, passage.line_end)
            assert passage.heading == tuple(section.heading_path)
