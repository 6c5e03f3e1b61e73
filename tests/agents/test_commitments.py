"""Commitments, not vocabulary: hollow documents that use every rubric word but commit to
nothing cannot lift a gate with the offline reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.coordinator import compile_verdict
from agents.models import GATES, Gate, GateReview
from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from tools.documents import load_documents
from tools.retrieval import SectionIndex

GLOSSARY = """# Claims assistant: glossary

## Glossary

- Data owner: the person who refers to the team accountable for a data source.
- Freshness SLA means the agreed time within which changes reach the index.
- Guardrail: a filter or classifier that blocks harmful output.
- CI/CD pipeline refers to the automated build, test and deployment process.
- Fallback means the manual process users follow when the assistant is unavailable.
- Champion refers to a person in each team who advocates for the tool.
- Feedback loop means a channel for users to report issues.
"""

TEMPLATE = """# Readiness template

## Template: data

| Item | Answer |
|---|---|
| Data owner | Example: the Finance Data team owns the ledger |
| Freshness target | Example: refreshed nightly, alert after 26 hours |

## Template: product

| Item | Answer |
|---|---|
| Fallback | Example: after 8 seconds the user is routed to the manual queue |
| Outcome metric | Example: handling time cut from 12 to 8 minutes |
"""

QUESTIONS = """# Workshop questions

## Questions for the workshop

- Who will own each data source and approve access?
- How often must the knowledge base be refreshed, and who checks staleness?
- Which guardrails and content filters do we need before launch?
- What does the user see when the model is wrong?
- Who are the champions in each team?
"""

VENDOR = """# Vendor recommendations

None of the production design exists yet; this page lists what the vendor proposes.

## Vendor advice

- The vendor recommends a nightly refresh of the index with staleness alerts.
- The vendor recommends named data owners for every source.
- The vendor suggests content filters and a refusal policy.
- The vendor recommends CI/CD for prompts with regression tests that block a release.
"""


def _reviews(tmp_path: Path, text: str) -> dict[Gate, GateReview]:
    path = tmp_path / "hollow.md"
    path.write_text(text, encoding="utf-8")
    documents = load_documents([path]).documents
    index = SectionIndex(documents)
    rubrics = load_rubrics()
    return {g: review_gate_offline(rubrics[g], documents, index) for g in GATES}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(GLOSSARY, id="glossary"),
        pytest.param(TEMPLATE, id="template-examples"),
        pytest.param(QUESTIONS, id="workshop-questions"),
        pytest.param(VENDOR, id="vendor-advice"),
    ],
)
def test_a_hollow_document_lifts_no_gate(tmp_path: Path, text: str) -> None:
    reviews = _reviews(tmp_path, text)
    verdict = compile_verdict(reviews, load_rubrics())
    assert {v.status for v in verdict.gates.values()} == {"not_ready"}
    addressed = [
        f.criterion for r in reviews.values() for f in r.findings if f.status in ("met", "partial")
    ]
    assert addressed == []


@pytest.mark.parametrize("value", ["TBA", "n/a", "?", "-", "pending nomination", "Phase 2"])
def test_a_placeholder_in_an_owner_cell_is_a_deferral(tmp_path: Path, value: str) -> None:
    text = (
        "# Design\n\n## Data owners\n\n| Source | Data owner |\n|---|---|\n"
        f"| Claims ledger | {value} |\n| Policy API | {value} |\n"
    )
    reviews = _reviews(tmp_path, text)
    [owners] = [f for f in reviews["data"].findings if f.criterion == "data.owners"]
    assert owners.status == "contradicted"


def test_a_pointer_to_an_annex_not_supplied_is_named_as_a_gap(tmp_path: Path) -> None:
    text = (
        "# Design\n\n## Data\n\nEach data source has a named owner in the Finance Data team, "
        "with access approved by the data steward, as listed in annex B.\n"
    )
    reviews = _reviews(tmp_path, text)
    [owners] = [f for f in reviews["data"].findings if f.criterion == "data.owners"]
    assert "annex B: not provided" in owners.summary
    assert owners.status != "met"


def test_text_that_commits_to_nothing_leaves_a_criterion_missing_but_quoted(
    tmp_path: Path,
) -> None:
    reviews = _reviews(tmp_path, GLOSSARY)
    champions = next(f for f in reviews["change"].findings if f.criterion == "change.champions")
    assert champions.status == "missing"
    assert "commit to nothing" in champions.summary
    assert champions.evidence and all(e.verified for e in champions.evidence)


def test_every_kind_of_hollow_text_together_still_lifts_no_gate(tmp_path: Path) -> None:
    # Together they touch most of every gate's core; touching in this way is not addressing,
    # so no gate is thin rather than silent.
    reviews = _reviews(tmp_path, "\n".join([GLOSSARY, TEMPLATE, QUESTIONS, VENDOR]))
    verdict = compile_verdict(reviews, load_rubrics())
    assert {v.status for v in verdict.gates.values()} == {"not_ready"}
