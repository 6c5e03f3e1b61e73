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


def test_a_repeated_search_gives_the_same_hits_and_a_callers_changes_stay_its_own() -> None:
    index = SectionIndex([_strong()])
    first = index.search(["owner", "team", "source"], k=4)
    expected = list(first)
    first.clear()  # the caller's list, not the index's remembered ranking
    assert index.search(["owner", "team", "source"], k=4) == expected
    assert index.search(["owner", "team", "source"], k=1) == expected[:1]  # k is part of the query
    query = ["budget", "throttling"]
    assert SectionIndex([_strong()]).search(query, k=2) == index.search(query, k=2)


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
    passages = [(s, p) for s in document.sections for p in index.passages(s)]
    assert passages
    for section, passage in passages:
        assert passage.text in document.line_text(passage.line_start, passage.line_end)
        assert passage.heading == tuple(section.heading_path)


def test_a_hyphenated_word_with_a_stopword_part_stays_one_word() -> None:
    assert tokenize("on-call rota, add-in", keep_stopwords=False) == ["oncall", "rota", "addin"]
    assert tokenize("role-based access", keep_stopwords=False) == ["role", "bas", "access"]
    assert stem("manually") == stem("manual")


def _section(text: str, heading: str = "Notes") -> Section:
    lines = text.split("\n")
    return Section(
        path="n.md", heading_path=[heading], line_start=1, line_end=len(lines), text=text
    )


def test_a_table_row_is_read_with_its_header_row() -> None:
    text = "| Source | Owner |\n|---|---|\n| Billing API | Head of Billing |\n"
    passages = split_passages(_section(text))
    assert [p.text for p in passages] == ["Source | Owner", "Billing API | Head of Billing"]
    assert passages[0].context == ()
    assert passages[1].context == tuple(tokenize("Source | Owner", keep_stopwords=False))


def test_a_list_item_is_read_with_the_sentence_that_introduces_it() -> None:
    text = (
        "We do not answer. These uses are out of scope:\n\n"
        "- supplier disputes\n- credit notes\n\nDone here now.\n"
    )
    passages = split_passages(_section(text))
    lead = tuple(tokenize("These uses are out of scope:", keep_stopwords=False))
    by_text = {p.text: p.context for p in passages}
    assert by_text["supplier disputes"] == by_text["credit notes"] == lead
    assert by_text["Done here now."] == ()


def test_repeated_boilerplate_sections_take_one_search_slot() -> None:
    body = Section(
        path="d.md",
        heading_path=["Budget"],
        line_start=1,
        line_end=1,
        text="A monthly budget with alerts and a cost dashboard for every team.",
    )
    logs = [
        Section(
            path="d.md",
            heading_path=[f"Sprint {n}"],
            line_start=n + 2,
            line_end=n + 2,
            text=f"Worked on the budget. Carried {n} items into sprint {n + 1}.",
        )
        for n in range(1, 30)
    ]
    lines = [s.text for s in [body, *logs]]
    document = Document(
        path="d.md", kind="markdown", sha256="0", lines=lines, sections=[body, *logs]
    )
    hits = SectionIndex([document]).search(["budget"], k=3)
    assert body in [h.section for h in hits]
    assert len(hits) == 2
