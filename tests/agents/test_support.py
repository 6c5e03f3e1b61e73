"""Support, not existence: verified quotes must be statements about their criterion, met needs a
specific, and the offline reviewer's second opinion marks disputes."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.coordinator import counts_toward_verdict, gate_verdict
from agents.models import Evidence, Finding, GateReview
from agents.offline import load_signals, review_gate_offline
from agents.rubric import load_rubrics
from agents.support import check_support, mark_disputes, retrieved_lines
from tools.documents import Document, load_documents
from tools.evidence import verify_evidence
from tools.retrieval import SectionIndex

ROOT = Path(__file__).resolve().parents[2]
STRONG = ROOT / "tests" / "fixtures" / "docs" / "strong.md"
OWNERS = "data.owners"


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return load_documents([STRONG]).documents


def _finding(status: str, quote: str, documents: list[Document], cid: str = OWNERS) -> Finding:
    evidence, _ = verify_evidence(Evidence(path=documents[0].path, quote=quote), documents)
    assert evidence.verified, quote
    criterion = load_rubrics()[cid.split(".")[0]].criterion(cid)
    return criterion.finding(cid.split(".")[0], status, "s", "", [evidence])


def _checked(finding: Finding, documents: list[Document], retrieved: bool = False) -> Finding:
    criterion = load_rubrics()["data"].criterion(finding.criterion)
    index = SectionIndex(documents)
    lines = retrieved_lines(criterion, index, 4) if retrieved else frozenset()
    return check_support(finding, criterion, index, lines, load_signals())


def _line(documents: list[Document], needle: str) -> str:
    return next(line for line in documents[0].lines if needle in line)


def test_a_one_word_quote_supports_nothing(documents: list[Document]) -> None:
    checked = _checked(_finding("met", "the", documents), documents)
    assert checked.unsupported and "fragment" in checked.unsupported
    assert not counts_toward_verdict(checked)


def test_a_real_line_about_something_else_supports_nothing(documents: list[Document]) -> None:
    fallback = _line(documents, "When the model does not answer within")
    checked = _checked(_finding("met", fallback, documents), documents)
    assert checked.unsupported and "not about named data owners" in checked.unsupported
    assert not counts_toward_verdict(checked)


def test_a_line_about_the_criterion_with_a_specific_supports_met(
    documents: list[Document],
) -> None:
    owners = _line(documents, "owned by")
    checked = _checked(_finding("met", owners, documents), documents)
    assert checked.unsupported is None and checked.status == "met"
    assert counts_toward_verdict(checked)


def test_met_without_a_quoted_specific_is_at_most_partial(tmp_path: Path) -> None:
    path = tmp_path / "vague.md"
    path.write_text(
        "# Design\n\n## Data\n\nData in every source will be the accountability of the "
        "business that supplies it.\n",
        encoding="utf-8",
    )
    documents = load_documents([path]).documents
    quote = "Data in every source will be the accountability of the business that supplies it."
    checked = _checked(_finding("met", quote, documents), documents)
    assert checked.status == "partial" and checked.support_note
    assert counts_toward_verdict(checked)


def test_a_quote_in_a_section_retrieved_for_the_criterion_may_use_other_words(
    documents: list[Document],
) -> None:
    index = SectionIndex(documents)
    criterion = load_rubrics()["data"].criterion(OWNERS)
    lines = retrieved_lines(criterion, index, 4)
    # Every line of the sources-and-owners section counts as retrieved for the owners criterion.
    section = next(
        s for s in documents[0].sections if any("Sources and owners" in h for h in s.heading_path)
    )
    assert any(f"{section.path}:{n}" in lines for n in range(section.line_start, section.line_end))


def test_an_unsupported_or_disputed_finding_counts_once_a_person_amends_it(
    documents: list[Document],
) -> None:
    checked = _checked(_finding("met", "the", documents), documents)
    assert not counts_toward_verdict(checked)
    amended = checked.model_copy(update={"amended_by": "ana", "amend_reason": "see annex"})
    assert counts_toward_verdict(amended)
    disputed = _finding("met", _line(documents, "owned by"), documents).model_copy(
        update={"disputed": "model: met; the offline reviewer found no passage about it"}
    )
    assert not counts_toward_verdict(disputed)


def _review(gate: str, statuses: dict[str, str], documents: list[Document]) -> GateReview:
    rubric = load_rubrics()[gate]
    findings = [
        c.finding(gate, statuses.get(c.id, "missing"), "s", "", [] if statuses.get(c.id, "missing")
                  == "missing" else [Evidence(path=documents[0].path, line_start=1, line_end=1,
                                              quote="x", verified=True)])
        for c in rubric.criteria
    ]  # fmt: skip
    return GateReview(gate=gate, reviewer="m", findings=findings)


def test_met_where_the_offline_reviewer_finds_nothing_is_disputed(tmp_path: Path) -> None:
    path = tmp_path / "silent.md"
    path.write_text("# Design\n\nThe assistant answers questions about parcels.\n", "utf-8")
    documents = load_documents([path]).documents
    rubric = load_rubrics()["data"]
    offline = review_gate_offline(rubric, documents)
    assert {f.status for f in offline.findings} == {"missing"}
    model = _review("data", {OWNERS: "met", "data.sources": "met"}, documents)
    marked = mark_disputes(model, offline, rubric)
    disputed = {f.criterion: f.disputed for f in marked.findings if f.disputed}
    assert set(disputed) == {OWNERS, "data.sources"}
    assert all("no passage" in d for d in disputed.values())
    # A disputed met does not lift the gate.
    assert gate_verdict(marked, rubric).status == "not_ready"


def test_a_blocker_the_model_calls_missing_but_offline_finds_met_is_disputed(
    documents: list[Document],
) -> None:
    rubric = load_rubrics()["data"]
    offline = review_gate_offline(rubric, documents, SectionIndex(documents))
    met = {f.criterion for f in offline.findings if f.status == "met"}
    blocker = next(c.id for c in rubric.criteria if c.severity == "blocker" and c.id in met)
    marked = mark_disputes(_review("data", {}, documents), offline, rubric)
    [finding] = [f for f in marked.findings if f.criterion == blocker]
    assert finding.disputed and "found it met at" in finding.disputed


def test_a_mention_quoting_only_text_that_commits_to_nothing_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "hollow.md"
    path.write_text(
        "# Assistant\n\n## Glossary\n\n"
        "- Data owner: the team accountable for a data source and access to it.\n\n"
        "## Questions for the workshop\n\n"
        "- Who will own each data source and approve access to it?\n\n"
        "## Sources\n\n"
        "The price list comes from the pricing system, which somebody looks after.\n",
        encoding="utf-8",
    )
    documents = load_documents([path]).documents
    glossary = _finding(
        "mentioned", "Data owner: the team accountable for a data source", documents
    )
    question = _finding("mentioned", "Who will own each data source and approve", documents)
    both = glossary.model_copy(update={"evidence": glossary.evidence + question.evidence})
    checked = _checked(both, documents)
    assert checked.status == "missing" and "commit to nothing" in (checked.support_note or "")
    # A statement about this system, however thin, still touches the criterion.
    statement = _finding("mentioned", "which somebody looks after", documents)
    mixed = glossary.model_copy(update={"evidence": glossary.evidence + statement.evidence})
    assert _checked(mixed, documents).status == "mentioned"
