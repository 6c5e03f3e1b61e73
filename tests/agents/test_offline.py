"""The offline reviewer grades criteria from the documents and quotes them verbatim."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from agents.coordinator import gate_verdict
from agents.offline import _candidates, grade, load_signals, review_gate_offline
from agents.reading import Rules, touches
from agents.rubric import load_rubrics
from tools.documents import Document, Section, load_documents
from tools.retrieval import SectionIndex, find_phrase, split_passages, tokenize
from vocabulary.models import GATES, Finding

DOCS = Path(__file__).resolve().parent.parent / "fixtures" / "docs"


@pytest.fixture(scope="module")
def strong() -> Document:
    """A short design document that treats data and platform concretely."""
    return load_documents([DOCS / "strong.md"]).documents[0]


@pytest.fixture(scope="module")
def demo() -> Document:
    """A demo-grade note: a deferral, a shared drive, and silence on most gates."""
    return load_documents([DOCS / "demo.md"]).documents[0]


def _finding(document: Document, criterion_id: str) -> Finding:
    gate = criterion_id.split(".")[0]
    review = review_gate_offline(load_rubrics()[gate], [document])  # type: ignore[index]
    return next(f for f in review.findings if f.criterion == criterion_id)


@pytest.mark.parametrize(
    ("criterion_id", "line"),
    [("data.owners", 8), ("data.freshness", 12), ("platform.cost_controls", 27)],
    ids=["owners-named", "freshness-target", "cost-budget-and-throttling"],
)
def test_strong_passage_is_met_with_a_verbatim_quote_at_its_line(
    strong: Document, criterion_id: str, line: int
) -> None:
    finding = _finding(strong, criterion_id)
    assert finding.status == "met"
    assert finding.severity == "info"
    assert line in [e.line_start for e in finding.evidence]
    for evidence in finding.evidence:
        assert evidence.verified
        assert evidence.path == strong.path
        assert evidence.quote in strong.line_text(evidence.line_start, evidence.line_end)


def test_deferred_owners_are_contradicted_and_quoted(demo: Document) -> None:
    finding = _finding(demo, "data.owners")
    assert finding.status == "contradicted"
    assert finding.severity == "blocker"
    assert [(e.line_start, e.quote) for e in finding.evidence] == [
        (6, "Owners for each source are to be decided later.")
    ]


def test_a_red_flag_is_contradicted_but_a_negated_one_is_not(
    strong: Document, demo: Document
) -> None:
    assert _finding(demo, "data.pipeline").status == "contradicted"
    assert _finding(strong, "data.pipeline").status == "met"


def test_a_gate_the_documents_are_silent_on_is_all_missing_and_not_ready(demo: Document) -> None:
    rubric = load_rubrics()["change"]
    review = review_gate_offline(rubric, [demo])
    assert {f.status for f in review.findings} == {"missing"}
    assert all(f.searched_for and not f.evidence for f in review.findings)
    assert "searched for" in review.findings[0].summary
    assert gate_verdict(review, rubric).status == "not_ready"


def test_one_finding_per_criterion_with_the_rubric_severity(strong: Document) -> None:
    rubrics = load_rubrics()
    index = SectionIndex([strong])
    statuses: set[str] = set()
    for gate in GATES:
        review = review_gate_offline(rubrics[gate], [strong], index)
        assert review.reviewer == "offline"
        assert [f.id for f in review.findings] == [c.id for c in rubrics[gate].criteria]
        for finding, criterion in zip(review.findings, rubrics[gate].criteria, strict=True):
            statuses.add(finding.status)
            expected = "info" if finding.status == "met" else criterion.severity
            assert finding.severity == expected
            if finding.status != "missing":
                assert 1 <= len(finding.evidence) <= 3
                assert finding.verified
    assert "met" in statuses and statuses - {"met"}  # both branches above were exercised


def test_two_runs_give_the_same_review(strong: Document, demo: Document) -> None:
    rubrics = load_rubrics()
    for gate in GATES:
        first = review_gate_offline(rubrics[gate], [strong, demo])
        second = review_gate_offline(rubrics[gate], [strong, demo], SectionIndex([strong, demo]))
        assert first.model_dump() == second.model_dump()


def test_guidance_is_accepted_and_keeps_quotes_verified(strong: Document) -> None:
    review = review_gate_offline(load_rubrics()["data"], [strong], guidance="look at ingestion")
    assert all(f.verified for f in review.findings if f.status != "missing")


def test_one_sentence_is_not_the_evidence_for_every_criterion(strong: Document) -> None:
    review = review_gate_offline(load_rubrics()["data"], [strong])
    firsts = [f.evidence[0].line_start for f in review.findings if f.evidence]
    assert len(set(firsts)) > 1


def test_a_hedged_mention_is_only_partial() -> None:
    document = _document("# Costs\n\nSpend will probably be tracked against a budget.\n")
    criterion = load_rubrics()["platform"].criterion("platform.cost_controls")
    passages = split_passages(document.sections[0])
    assert grade(criterion, passages, load_signals()).status == "partial"


def test_phrases_match_in_order_within_a_small_gap() -> None:
    tokens = tuple(tokenize("prioritise delivery over the ideal user experience", False))
    flag = tuple(tokenize("prioritise ... over ... user experience", False))
    assert find_phrase(flag, tokens, 4) is not None
    assert find_phrase(flag, tuple(reversed(tokens)), 4) is None


def _document(text: str) -> Document:
    lines = text.split("\n")
    section = Section(
        path="note.md", heading_path=["Costs"], line_start=1, line_end=len(lines), text=text
    )
    return Document(path="note.md", kind="markdown", sha256="0", lines=lines, sections=[section])


def _review(tmp_path: Path, text: str, gate: str) -> dict[str, Finding]:
    path = tmp_path / "design.md"
    path.write_text(text, encoding="utf-8")
    review = review_gate_offline(load_rubrics()[gate], load_documents([path]).documents)  # type: ignore[index]
    return {f.criterion: f for f in review.findings}


def test_table_rows_are_read_with_their_header(tmp_path: Path) -> None:
    text = (
        "# Design\n\n## Sources\n\n| Source | Owner |\n|---|---|\n"
        "| Billing API | Billing Operations team lead |\n| Contact notes | Collections manager |\n"
    )
    owners = _review(tmp_path, text, "data")["data.owners"]
    assert owners.status == "met"
    assert {e.line_start for e in owners.evidence} <= {7, 8}


@pytest.mark.parametrize(
    ("text", "gate", "criterion_id"),
    [
        ("Deployments are done manually from a developer's machine.", "platform", "platform.cicd"),
        ("Legal will be asked to sign off once the tool is built.", "risk", "risk.stakeholders"),
        (
            "We will check data protection with the privacy office later.",
            "data",
            "data.sensitivity",
        ),
    ],
    ids=["manual-deploys", "sign-off-at-the-end", "privacy-later"],
)
def test_contradicted_practices(tmp_path: Path, text: str, gate: str, criterion_id: str) -> None:
    finding = _review(tmp_path, f"# Design\n\n## Notes\n\n{text}\n", gate)[criterion_id]
    assert finding.status == "contradicted"


def test_not_yet_is_a_gap_to_close_not_a_contradiction(tmp_path: Path) -> None:
    text = (
        "# Design\n\n## Cost\n\nSpend is visible in a dashboard. There is no budget or cap yet.\n"
    )
    finding = _review(tmp_path, text, "platform")["platform.cost_controls"]
    assert finding.status == "partial"
    assert "not done yet" in finding.summary


def test_another_gates_section_counts_only_when_strongly_relevant(tmp_path: Path) -> None:
    text = (
        "# Design\n\n## Change and adoption\n\n### Feedback loops\n\n"
        "The feedback button is triaged weekly by the product owner and reported back.\n"
    )
    assert _review(tmp_path, text, "risk")["risk.human_oversight"].status == "missing"
    assert _review(tmp_path, text, "change")["change.feedback_loops"].status == "met"


def test_a_long_document_gets_a_deeper_search(tmp_path: Path) -> None:
    signals = load_signals()
    criterion = load_rubrics()["platform"].criterion("platform.cost_controls")
    sections = "".join(f"\n## Entry {n}\n\nThe budget for item{n} is tracked.\n" for n in range(80))
    path = tmp_path / "long.md"
    path.write_text(f"# Ledger\n{sections}", encoding="utf-8")
    index = SectionIndex(load_documents([path]).documents)
    read = {p.heading for p in _candidates(criterion, index, signals, [])}
    assert len(read) == signals.sections + len(index.sections) // signals.deeper_every > 4


def test_with_a_relevance_threshold_of_0_sentences_off_the_subject_count_too() -> None:
    text = "Zebras sleep standing up.\nSo do horses."
    section = Section(path="zoo.md", heading_path=["Zoo"], line_start=1, line_end=2, text=text)
    criterion = load_rubrics()["platform"].criterion("platform.cost_controls")
    passages = split_passages(section)
    assert not any(touches(p, Rules.of(criterion)) for p in passages)
    assert grade(criterion, passages, load_signals()).status == "missing"
    # At 0 a sentence sharing no word with the criterion is relevant: it is read and counted.
    everything = grade(criterion, passages, replace(load_signals(), relevance=0, foreign=0))
    assert everything.status != "missing"
    assert [r.relevance for r in everything.readings] == [0, 0]
