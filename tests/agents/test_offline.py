"""The offline reviewer is a screen: it quotes candidate passages, tells silence apart, and
never certifies a gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.coordinator import SCREEN_NOTE, compile_verdict
from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from evals.make_docx import write_docx
from evals.make_pdf import pdf_bytes
from tools.documents import Document, load_documents
from tools.retrieval import SectionIndex
from vocabulary.models import GATES, Amendment, GateReview

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.md"))
STRONG = ROOT / "examples" / "strong-contract-search.md"


def _reviews(documents: list[Document]) -> dict[str, GateReview]:
    index = SectionIndex(documents)
    rubrics = load_rubrics()
    return {g: review_gate_offline(rubrics[g], documents, index) for g in GATES}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_no_gate_is_ever_ready_and_every_verdict_says_it_was_screened(path: Path) -> None:
    verdict = compile_verdict(_reviews(load_documents([path]).documents), load_rubrics())
    assert {g.status for g in verdict.gates.values()} <= {"conditional", "not_ready"}
    assert verdict.screened and all(g.screened for g in verdict.gates.values())
    assert SCREEN_NOTE in verdict.summary
    assert all(g.reason.startswith(SCREEN_NOTE) for g in verdict.gates.values())


def test_the_screen_only_finds_or_misses_and_quotes_verbatim() -> None:
    documents = load_documents([STRONG]).documents
    for review in _reviews(documents).values():
        for finding in review.findings:
            assert finding.status in ("found", "missing")
            for e in finding.evidence:
                assert e.verified
                assert e.quote in documents[0].line_text(e.line_start or 0, e.line_end or 0)


def test_a_strong_document_is_found_on_most_criteria_and_quoted_there() -> None:
    reviews = _reviews(load_documents([STRONG]).documents)
    findings = [f for r in reviews.values() for f in r.findings]
    found = [f for f in findings if f.status == "found"]
    assert len(found) >= 0.7 * len(findings)
    assert all(f.evidence for f in found)


def test_a_gate_the_documents_are_silent_on_is_not_ready_and_says_what_was_searched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.md"
    path.write_text(
        "# Rota planner\n\n## Data\n\nThe staff roster is the one data source: it comes from the "
        "HR system of record through its REST API. The Workforce Data team is the data owner "
        "and approves every access request.\n",
        encoding="utf-8",
    )
    reviews = _reviews(load_documents([path]).documents)
    change = reviews["change"]
    assert all(f.status == "missing" for f in change.findings)
    assert all(f.searched_for for f in change.findings if not f.evidence)
    verdict = compile_verdict(reviews, load_rubrics())
    assert verdict.gates["change"].status == "not_ready"
    assert "silent" in verdict.gates["change"].reason
    assert verdict.gates["data"].status == "conditional"


def test_a_passage_under_another_gates_heading_is_still_found(tmp_path: Path) -> None:
    path = tmp_path / "d.md"
    path.write_text(
        "# Rota planner\n\n## Change management\n\nThe Workforce Data team is the data owner "
        "of the staff roster and approves every access request.\n",
        encoding="utf-8",
    )
    owners = next(
        f for f in _reviews(load_documents([path]).documents)["data"].findings
        if f.criterion == "data.owners"
    )
    assert owners.status == "found" and owners.evidence


def test_a_reviewer_amending_every_core_criterion_met_can_certify_a_screened_gate() -> None:
    documents = load_documents([STRONG]).documents
    reviews = _reviews(documents)
    rubrics = load_rubrics()
    amendments = {
        c.id: Amendment(finding_id=c.id, status="met", reason="read it", reviewer="ana")
        for c in rubrics["risk"].criteria
        if c.severity in ("blocker", "major")
    }
    verdict = compile_verdict(reviews, rubrics, amendments)
    assert verdict.gates["risk"].status == "ready"
    assert verdict.gates["data"].status != "ready"


def test_two_runs_give_the_same_screen() -> None:
    first = _reviews(load_documents([STRONG]).documents)
    second = _reviews(load_documents([STRONG]).documents)
    assert first == second


SAME_TEXT = """# Parcel tracker assistant

## Data sources and owners

The assistant reads tracking events from the Depot Events API, owned by the Logistics Data team.
Events reach the search index within 15 minutes through a queue consumer.

## Risk

Every prompt and answer is written to the audit log, kept for 90 days.
The Legal and Privacy office signed off the DPIA in May.

## Change

Champions in each depot run a 30 minute training session before go-live.
"""


def test_the_same_text_as_markdown_docx_and_pdf_gets_the_same_statuses(tmp_path: Path) -> None:
    (tmp_path / "d.md").write_text(SAME_TEXT, encoding="utf-8")
    write_docx(SAME_TEXT, tmp_path / "d.docx")
    (tmp_path / "d.pdf").write_bytes(pdf_bytes(SAME_TEXT))
    statuses = {}
    for suffix in ("md", "docx", "pdf"):
        documents = load_documents([tmp_path / f"d.{suffix}"]).documents
        reviews = _reviews(documents)
        statuses[suffix] = {f.criterion: f.status for r in reviews.values() for f in r.findings}
    assert statuses["md"] == statuses["docx"] == statuses["pdf"]
    assert "found" in statuses["md"].values()
