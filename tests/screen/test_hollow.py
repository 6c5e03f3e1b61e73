"""Hollow documents never reach `ready`: not offline, and not with a model that answers every
criterion `met` and quotes the documents word for word. Each class is written in our own words
(none of them is an issue's or an earlier test's text)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from fakes.openai_server import Answer, FakeModel

from agents.coordinator import compile_verdict
from agents.gate import GateAgent, ModelRuntime
from agents.llm import Budget, ModelSettings, make_limiter
from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from tools.documents import Document, load_documents
from tools.retrieval import SectionIndex
from vocabulary.models import GATES, GateReview, Verdict

HOSTED = ModelSettings(model="openai/gpt-4.1-mini", retry_wait_s=0, max_retries=0, timeout_s=5)

UNFILLED = """# Go-live readiness form: Tenancy Helper

Nobody has completed this form for the project so far; the rows show the kind of answer wanted.

## Data

| Question | Answer |
|---|---|
| Who owns each source? | Sample answer: the Housing Records team owns the tenancy register |
| How fresh is the data? | Sample answer: synced every 30 minutes, with an alert after 2 hours |

## Platform

| Question | Answer |
|---|---|
| Where does it run? | Sample answer: Azure App Service in UK South, deployed by Terraform |
| How are prompts tested? | Sample answer: 150 regression cases block a merge in GitHub Actions |
"""

LEXICON = """# Tenancy Helper: terms used in this pack

## Terms used

- Data owner: the person who answers for the accuracy of a dataset and approves access.
- Freshness target: the agreed delay within which a change reaches the index, in hours.
- Guardrail: the act of blocking output that breaks the content policy.
- Fallback: the process that takes over when the assistant is unavailable.
- Prompt regression test: a method that checks prompts against 200 stored cases.
- Champion: the person who promotes the tool inside a team of 12 caseworkers.
"""

AGENDA = """# Tenancy Helper: kick-off

We have not designed any part of this yet; the list below is for the first session.

## Topics to discuss

- Which system of record feeds the assistant, and who owns it?
- What latency target in seconds do users need?
- How will we test prompts before each release?
- Who trains the 40 caseworkers, and who are the champions?
"""

STAND_INS = """# Tenancy Helper: sources

## Sources and owners

| Source | Owner | Refresh |
|---|---|---|
| Tenancy register | Jane Doe | nightly |
| Repairs log | (name) | hourly |
| Rent ledger | vacant | daily |
| Complaints inbox | — | weekly |
| Estates map | XXX | monthly |
"""

ELSEWHERE = """# Tenancy Helper: data summary

## Data

The sources, owners and refresh targets are set out in Annex C.
Personal data handling is described in Appendix 4.
Pipelines and their monitoring are detailed in Annex D.
"""

LATER = """# Tenancy Helper: plan

## Data

Owners for each source will be named in a later phase.
Freshness targets are to be agreed with the housing team after go-live.
Quality checks are deferred until the pilot has finished.

## Platform

Hosting and CI/CD will be decided after launch.
"""

WISHES = """# Tenancy Helper: aspirations

## What good looks like

Ideally every source would have a named owner and a nightly refresh.
In most councils the digital team runs the model gateway with cost alerts.
The consultancy recommends 300 regression cases for prompts and a rollback plan.
A vendor-hosted model in the US was ruled out, and a self-hosted cluster was rejected.
"""

HOLLOW = {
    "unfilled-form": UNFILLED,
    "lexicon": LEXICON,
    "agenda-before-design": AGENDA,
    "stand-in-owners": STAND_INS,
    "pointers-to-missing-annexes": ELSEWHERE,
    "everything-later": LATER,
    "wishes-and-rejected-options": WISHES,
}


def _documents(tmp_path: Path, text: str) -> list[Document]:
    path = tmp_path / "pack.md"
    path.write_text(text, encoding="utf-8")
    return load_documents([path]).documents


def _offline(documents: list[Document]) -> Verdict:
    index = SectionIndex(documents)
    rubrics = load_rubrics()
    reviews = {g: review_gate_offline(rubrics[g], documents, index) for g in GATES}
    return compile_verdict(reviews, rubrics)


@pytest.mark.parametrize("name", sorted(HOLLOW))
def test_the_screen_rates_no_hollow_gate_ready(tmp_path: Path, name: str) -> None:
    verdict = _offline(_documents(tmp_path, HOLLOW[name]))
    assert all(g.status != "ready" for g in verdict.gates.values())
    assert verdict.screened and verdict.overall != "ready"


@pytest.mark.parametrize("name", sorted(HOLLOW))
def test_the_screen_finds_no_statement_in_a_hollow_pack(tmp_path: Path, name: str) -> None:
    """(The stand-in owners' table gives real refresh cadences: only its owners are hollow.)"""
    documents = _documents(tmp_path, HOLLOW[name])
    index = SectionIndex(documents)
    rubrics = load_rubrics()
    found = [
        f.criterion
        for g in GATES
        for f in review_gate_offline(rubrics[g], documents, index).findings
        if f.status == "found"
    ]
    if name == "stand-in-owners":
        assert "data.owners" not in found
    else:
        assert found == []


def _quote_everything(documents: list[Document]) -> Any:
    """A model that answers every criterion `met`, quoting real lines of the pack verbatim."""
    lines = [
        line.strip().strip("|").strip()
        for line in documents[0].lines
        if line.strip() and not line.startswith("#") and not set(line) <= set("|-: ")
    ]

    def change(answer: Answer) -> Answer:
        for i, finding in enumerate(answer["findings"]):
            quotes = [lines[(i + k) % len(lines)] for k in range(2)]
            finding.update(
                status="met",
                summary="Covered.",
                recommendation="",
                evidence=[{"path": documents[0].path, "quote": q.split(" | ")[-1]} for q in quotes],
            )
        answer["gate_status"] = "ready"
        answer["gate_reason"] = "Every criterion is covered."
        return answer

    return change


@pytest.mark.parametrize("name", sorted(HOLLOW))
def test_a_model_calling_every_criterion_met_cannot_lift_a_hollow_pack(
    fake: FakeModel, tmp_path: Path, name: str
) -> None:
    documents = _documents(tmp_path, HOLLOW[name])
    fake.script(None, "review", _quote_everything(documents), repeat=True)
    fake.script(None, "repair_quotes", _quote_everything(documents), repeat=True)
    runtime = ModelRuntime(settings=HOSTED, limiter=make_limiter(4), budget=Budget(None))
    index = SectionIndex(documents)
    rubrics = load_rubrics()

    async def review_all() -> dict[str, GateReview]:
        outcomes = await asyncio.gather(
            *(GateAgent(rubrics[g], runtime).review(documents, index) for g in GATES)
        )
        return {g: o.review for g, o in zip(GATES, outcomes, strict=True)}

    reviews = asyncio.run(review_all())
    assert all(not r.degraded for r in reviews.values())
    verdict = compile_verdict(reviews, rubrics)
    assert all(g.status != "ready" for g in verdict.gates.values()), {
        g: v.reason for g, v in verdict.gates.items()
    }
    assert verdict.overall != "ready"
