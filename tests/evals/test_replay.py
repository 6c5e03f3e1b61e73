"""Replay through the real stack: recorded bodies served over HTTP under litellm."""

from __future__ import annotations

import json
from pathlib import Path

from agents.prompts import render
from agents.rubric import load_rubrics
from evals.recording import describe, load_recording, what_changed
from evals.runner import SuiteRunner
from tests.evals.conftest import add_case, run

HALLUCINATED = "middling-field-service"  # its recording has a quote the document lacks


def test_replaying_a_case_twice_gives_the_same_findings(suite: Path) -> None:
    add_case(suite, HALLUCINATED)
    first, second = (run(suite, SuiteRunner("replay")) for _ in range(2))
    a, b = first.cases[0], second.cases[0]
    assert (a.status, b.status) == ("scored", "scored")
    assert a.scores is not None and b.scores is not None
    assert a.scores.model_dump(exclude={"latency_s"}) == b.scores.model_dump(exclude={"latency_s"})
    assert a.gates == b.gates and a.overall == b.overall
    # The hallucinated quote survived its one repair and stays unverified.
    assert a.scores.groundedness.hits == a.scores.groundedness.total - 1
    assert a.scores.calls == 7  # five gates, one quote repair, the summary
    assert a.scores.cost_usd is not None and a.scores.cost_usd > 0


def test_a_malformed_recorded_reply_is_repaired_not_degraded(suite: Path) -> None:
    case = add_case(suite, "multi-file-energy-advisor")
    # The recording holds the cut-off platform reply and the repair that answered it.
    labels = {e.request.label for e in load_recording(case / "recording.jsonl")}
    assert "repair platform" in labels
    result = run(suite, SuiteRunner("replay")).cases[0]
    assert result.status == "scored"
    assert result.degraded == {}


def test_a_changed_document_is_a_stale_recording_naming_gate_and_part(suite: Path) -> None:
    case = add_case(suite, "demo-grade-travel-bot")
    document = case / "design.md"
    document.write_text(document.read_text() + "\nWe will add an owner next year.\n")
    result = run(suite, SuiteRunner("replay"))
    outcome = result.cases[0]
    assert outcome.status == "stale"
    assert outcome.scores is None  # unscored, not scored as 0
    assert any("review data: excerpts changed" in p for p in outcome.problems)
    assert all("re-record" in p for p in outcome.problems)
    assert not result.passed
    assert result.totals.scored == 0


def test_a_case_without_recording_is_reported_not_scored(suite: Path) -> None:
    case = add_case(suite, "demo-grade-travel-bot")
    (case / "recording.jsonl").unlink()
    result = run(suite, SuiteRunner("replay"))
    assert result.cases[0].status == "unrecorded"
    assert "no recording" in result.failures[0]


def _gate_request(drop: str | None = None) -> dict:
    rubric = load_rubrics()["data"]
    criteria = [c for c in rubric.criteria if c.id != drop]
    system = render("gate_system", gate="data", question=rubric.question, web=False)
    user = render(
        "gate_user", gate="data", criteria=criteria, guidance=None, excerpts=[], omitted=0
    )
    messages = [{"role": "system", "content": system.text}, {"role": "user", "content": user.text}]
    return {"model": "gpt-4.1-mini", "messages": messages, "temperature": 0.0}


def test_a_deleted_criterion_is_named_in_the_change() -> None:
    recorded = describe(_gate_request())
    changed = describe(_gate_request(drop="data.quality"))
    assert (changed.purpose, changed.gate) == ("review", "data")
    assert what_changed(changed, [recorded]) == "criterion data.quality removed"


def test_recordings_are_readable_json_lines_without_credentials() -> None:
    from evals.cases import CASES_DIR, load_suite

    paths = sorted(CASES_DIR.glob("*/recording.jsonl"))
    assert len(paths) == len(load_suite())  # every case is recorded
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert "authorization" not in text.lower() and "sk-" not in text
        assert all(json.loads(line)["response"]["object"] == "chat.completion"
                   for line in text.splitlines())  # fmt: skip
        assert load_recording(path)
