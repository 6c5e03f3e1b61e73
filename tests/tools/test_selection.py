"""What a gate is sent of a document too long for the budget: what each criterion needs."""

from __future__ import annotations

from pathlib import Path

from agents.rubric import load_rubrics
from tools.documents import Document, load_documents
from tools.excerpts import Selection
from tools.retrieval import SectionIndex
from tools.selection import select_excerpts

ROOT = Path(__file__).resolve().parents[2]
LONG = ROOT / "evals" / "cases" / "very-long-rail-planning" / "design.md"
BUDGET = 6000

ROWS = "\n".join(
    f"| field_{i} | Maintenance record attribute number {i} kept for the planners. |"
    for i in range(400)
)
DICTIONARY = f"""# Depot planner

## Data

Work orders come from the Maximo system of record; the fleet data team owns the feed.

## Appendix: data dictionary

| Field | Meaning |
|---|---|
{ROWS}
| depot_owner | Named data owner of each depot's records: the depot data steward. |
| field_last | The last attribute of the dictionary. |
"""


def _select(documents: list[Document], gate: str, max_tokens: int = BUDGET) -> Selection:
    queries = [c.terms for c in load_rubrics()[gate].criteria]
    return select_excerpts(documents, SectionIndex(documents), queries, max_tokens, redact=False)


def _dictionary(tmp_path: Path) -> list[Document]:
    path = tmp_path / "depot.md"
    path.write_text(DICTIONARY, encoding="utf-8")
    return load_documents([path]).documents


def test_a_long_document_is_sent_where_its_criteria_are_answered_not_up_to_the_budget() -> None:
    documents = load_documents([LONG]).documents
    for gate in load_rubrics():
        selection = _select(documents, gate)
        assert not selection.whole_documents
        assert 0 < selection.tokens <= 0.7 * BUDGET, gate


def test_text_several_criteria_need_is_sent_once() -> None:
    documents = load_documents([LONG]).documents
    for gate in load_rubrics():
        lines = [
            line
            for e in _select(documents, gate).excerpts
            for line in range(e.line_start, e.line_end + 1)
        ]
        assert len(lines) == len(set(lines)), gate


def test_an_oversized_section_gives_its_sentences_on_the_criteria_with_the_table_header(
    tmp_path: Path,
) -> None:
    documents = _dictionary(tmp_path)
    selection = _select(documents, "data", 1500)
    sent = "\n".join(e.rendered for e in selection.excerpts)
    assert "| depot_owner | Named data owner" in sent  # the row on data.owners
    assert "| Field | Meaning |\n|---|---|" in sent  # read with its table's header
    assert "field_200 " not in sent  # rows on nothing the gate asks are left out
    assert "Maximo system of record" in sent  # the small section that answers is sent whole
    assert 0 < selection.tokens <= 1500


def test_text_left_out_inside_a_section_is_marked_with_that_sections_heading(
    tmp_path: Path,
) -> None:
    documents = _dictionary(tmp_path)
    selection = _select(documents, "data", 1500)
    lines = documents[0].lines
    row = lines.index(next(line for line in lines if line.startswith("| depot_owner"))) + 1
    excerpt = next(e for e in selection.excerpts if e.line_start <= row <= e.line_end)
    assert excerpt.lead == "[...] (Depot planner > Appendix: data dictionary)"
    for e in selection.excerpts:  # every excerpt is the document's own lines
        assert e.text.split("\n") == lines[e.line_start - 1 : e.line_end]


def test_a_small_budget_is_never_exceeded_and_still_sends_the_best_section(
    tmp_path: Path,
) -> None:
    documents = _dictionary(tmp_path)
    for budget in (120, 300, 500):
        selection = _select(documents, "data", budget)
        assert 0 < selection.tokens <= budget
