"""A verified quote must also support its finding; the screen's second opinion disputes a `met`
it finds no basis for."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.coordinator import counts_toward_verdict
from agents.offline import review_gate_offline, supplied_text
from agents.rubric import load_rubrics
from agents.support import check_support, mark_disputes, retrieved_lines
from tools.documents import Document, load_documents
from tools.retrieval import SectionIndex
from vocabulary.models import Evidence, Finding, GateReview

DESIGN = """# Parcel tracker assistant

## Data sources and owners

| Source | Owner | Refresh |
|---|---|---|
| Depot events | Logistics Data team | every 15 minutes |
| Returns log | TBD | nightly |

The Logistics Data team is the data owner of the depot events feed and approves access.
Ideally every source would also have a named steward.
Owners for the returns log will be named in a later phase.
Which team owns the customer address book?
The address book owner is described in Annex F.
There is no owner for the courier rota.

## Depot floor

Drivers scan each parcel at the depot door.

## Risk

Every prompt and answer is written to the audit log, kept for 90 days.
"""


@pytest.fixture
def documents(tmp_path: Path) -> list[Document]:
    path = tmp_path / "design.md"
    path.write_text(DESIGN, encoding="utf-8")
    return load_documents([path]).documents


def _line(documents: list[Document], fragment: str) -> int:
    return next(i + 1 for i, line in enumerate(documents[0].lines) if fragment in line)


def _finding(documents: list[Document], status: str, *quotes: str) -> Finding:
    criterion = load_rubrics()["data"].criterion("data.owners")
    evidence = []
    for quote in quotes:
        line = _line(documents, quote)
        evidence.append(
            Evidence(
                path=documents[0].path, line_start=line, line_end=line, quote=quote, verified=True
            )
        )
    return criterion.finding("data", status, "s", "r", evidence)  # type: ignore[arg-type]


def _checked(documents: list[Document], finding: Finding) -> Finding:
    criterion = load_rubrics()["data"].criterion("data.owners")
    index = SectionIndex(documents)
    return check_support(
        finding,
        criterion,
        index,
        retrieved_lines(criterion, index, 4),
        supplied_text(documents),
    )


@pytest.mark.parametrize(
    ("quote", "why"),
    [
        pytest.param("Owner", "a heading or a fragment", id="fragment"),
        pytest.param("Data sources and owners", "a heading or a fragment", id="heading"),
        pytest.param("Returns log | TBD | nightly", "defers it", id="tbd-cell"),
        pytest.param("Ideally every source would also have a named steward.", "uncommitted",
                     id="wish"),
        pytest.param("Which team owns the customer address book?", "uncommitted", id="question"),
        pytest.param("Owners for the returns log will be named in a later phase.", "defers it",
                     id="deferral"),
        pytest.param("The address book owner is described in Annex F.", "not supplied",
                     id="pointer-to-annex-not-given"),
        pytest.param("There is no owner for the courier rota.", "not there", id="denial"),
        pytest.param("Drivers scan each parcel at the depot door.", "not about", id="off-topic"),
    ],
)  # fmt: skip
def test_a_quote_that_is_not_evidence_leaves_met_uncounted(
    documents: list[Document], quote: str, why: str
) -> None:
    checked = _checked(documents, _finding(documents, "met", quote))
    assert checked.unsupported and why in checked.unsupported
    assert not counts_toward_verdict(checked)


@pytest.mark.parametrize(
    "stand_in", ["Jane Doe", "(name)", "vacant", "N/A", "—", "XXX", "lorem ipsum", "Phase 2"]
)
def test_an_owner_cell_naming_nobody_is_no_owner(tmp_path: Path, stand_in: str) -> None:
    path = tmp_path / "d.md"
    path.write_text(
        "# X\n\n## Data owners\n\n| Source | Owner | Refresh |\n|---|---|---|\n"
        f"| Depot events feed | {stand_in} | every 15 minutes |\n"
    )
    documents = load_documents([path]).documents
    quote = f"Depot events feed | {stand_in} | every 15 minutes"
    checked = _checked(documents, _finding(documents, "met", quote))
    assert checked.unsupported and not counts_toward_verdict(checked)


def test_an_owner_cell_naming_a_team_is_an_owner(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text(
        "# X\n\n## Data owners\n\n| Source | Owner | Refresh |\n|---|---|---|\n"
        "| Depot events feed | Logistics Data team | every 15 minutes |\n"
    )
    documents = load_documents([path]).documents
    quote = "Depot events feed | Logistics Data team | every 15 minutes"
    assert counts_toward_verdict(_checked(documents, _finding(documents, "met", quote)))


def test_a_committed_statement_with_a_named_team_supports_met(documents: list[Document]) -> None:
    quote = (
        "The Logistics Data team is the data owner of the depot events feed and approves access."
    )
    checked = _checked(documents, _finding(documents, "met", quote))
    assert checked.unsupported is None and checked.status == "met"
    assert counts_toward_verdict(checked)


def test_one_good_quote_among_hollow_ones_still_supports(documents: list[Document]) -> None:
    finding = _finding(
        documents,
        "partial",
        "Which team owns the customer address book?",
        "The Logistics Data team is the data owner of the depot events feed and approves access.",
    )
    assert _checked(documents, finding).unsupported is None


def test_met_without_a_quoted_specific_is_shown_as_partial(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    quote = "Sources will have an accountable owner."
    path.write_text(f"# X\n\n## Data\n\n{quote}\n")
    documents = load_documents([path]).documents
    checked = _checked(documents, _finding(documents, "met", quote))
    assert checked.status == "partial" and checked.support_note


def test_a_passing_mention_quoting_only_hollow_text_is_missing(documents: list[Document]) -> None:
    finding = _finding(documents, "mentioned", "Which team owns the customer address book?")
    assert _checked(documents, finding).status == "missing"


def test_a_contradiction_is_never_dropped(documents: list[Document]) -> None:
    finding = _finding(documents, "contradicted", "There is no owner for the courier rota.")
    assert _checked(documents, finding) == finding


def test_met_where_the_screen_finds_nothing_is_disputed(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text("# Parcel tracker\n\n## Overview\n\nDrivers scan each parcel at the door.\n")
    documents = load_documents([path]).documents
    rubric = load_rubrics()["data"]
    model = GateReview(
        gate="data",
        reviewer="openai/x",
        findings=[_finding(documents, "met", "Drivers scan each parcel at the door.")],
    )
    screened = review_gate_offline(rubric, documents)
    marked = mark_disputes(model, screened, rubric)
    assert marked.findings[0].disputed and "screen" in marked.findings[0].disputed
    assert not counts_toward_verdict(marked.findings[0])
    amended = marked.findings[0].model_copy(update={"amended_by": "ana"})
    assert counts_toward_verdict(amended)
