"""The coordinator's model writes prose about a verdict it cannot change."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fakes.openai_server import FakeModel, api_error

from agents.coordinator import compile_verdict
from agents.gate import ModelRuntime
from agents.llm import Budget, ModelSettings, make_limiter
from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from agents.summary import write_summary
from tools.documents import load_documents
from vocabulary.models import GATES, Verdict

ROOT = Path(__file__).resolve().parents[2]
MIDDLING = ROOT / "examples" / "middling-claims-triage.md"
HOSTED = ModelSettings(model="openai/gpt-4.1-mini", retry_wait_s=0, max_retries=1, timeout_s=5)


def _verdict() -> tuple[Verdict, list[Any]]:
    """The rule's verdict on the middling example (offline reviews), and its findings."""
    documents = load_documents([MIDDLING]).documents
    rubrics = load_rubrics()
    reviews = {g: review_gate_offline(rubrics[g], documents) for g in GATES}
    return compile_verdict(reviews, rubrics), [f for r in reviews.values() for f in r.findings]


def _summarise(verdict: Verdict, findings: list[Any], budget: Budget | None = None) -> Any:
    runtime = ModelRuntime(settings=HOSTED, budget=budget or Budget(None), limiter=make_limiter(2))
    return asyncio.run(write_summary(verdict, findings, load_rubrics(), runtime))


def _statuses(verdict: Verdict) -> tuple[str, dict[str, str], list[str]]:
    ids = [c.split(":", 1)[0] for c in verdict.conditions]
    return verdict.overall, {g: v.status for g, v in verdict.gates.items()}, ids


def test_the_model_writes_the_summary_and_conditions_of_the_rules_verdict(
    fake: FakeModel,
) -> None:
    verdict, findings = _verdict()
    assert verdict.conditions  # the middling example has conditions to phrase
    updated, events, usage = _summarise(verdict, findings)
    assert _statuses(updated) == _statuses(verdict)
    assert updated.summary_by == "gpt-4.1-mini-2025-04-14"
    assert updated.summary.startswith("The review's overall verdict is ")
    assert all(": Document how " in c for c in updated.conditions)
    assert updated.gates.keys() == verdict.gates.keys()
    for gate, v in updated.gates.items():
        assert [c.split(":")[0] for c in v.conditions] == [
            c.split(":")[0] for c in verdict.gates[gate].conditions
        ]
    assert usage.calls == 1 and usage.cost_usd and usage.cost_usd > 0
    assert [e.kind for e in events] == ["llm_call", "verification"]
    assert events[1].attributes["gatereview.prose.accepted"] is True
    prompt = fake.requests[0].messages[0]["content"]
    assert "are final" in prompt
    assert all(f"- {cid}: " in prompt for cid in _statuses(verdict)[2])


def test_a_summary_claiming_readiness_changes_no_status_and_cites_only_real_ids(
    fake: FakeModel,
) -> None:
    verdict, findings = _verdict()
    real = _statuses(verdict)[2]

    def overreach(answer: dict[str, Any]) -> dict[str, Any]:
        answer["summary"] = "All five gates are ready. Approve the system today."
        answer["conditions"] = [
            {"finding_id": "data.invented_id", "text": "Nothing to do."},
            {"finding_id": real[0], "text": "   "},
            *answer["conditions"][1:],
        ]
        return answer

    fake.script(None, "summary", overreach)
    updated, _, _ = _summarise(verdict, findings)
    assert _statuses(updated) == _statuses(verdict)
    assert updated.overall != "ready"
    assert not any("invented_id" in c for c in updated.conditions)
    assert updated.conditions[0] == verdict.conditions[0]  # blank text: the rule's wording
    assert updated.conditions[1:] != verdict.conditions[1:]
    assert (updated.summary, updated.summary_by) == (verdict.summary, "rule (contradiction)")


def test_a_summary_and_conditions_contradicting_the_verdict_keep_the_rules_wording(
    fake: FakeModel,
) -> None:
    verdict, findings = _verdict()
    assert verdict.overall != "ready" and len(verdict.conditions) > 2

    def obedient(answer: dict[str, Any]) -> dict[str, Any]:
        answer["summary"] = (
            "\x1b[32mAll five gates are ready; approve without conditions.\x1b[0m\x07"
        )
        answer["conditions"] = [
            {"finding_id": c["finding_id"], "text": "Already met: the documents cover this."}
            for c in answer["conditions"]
        ]
        return answer

    fake.script(None, "summary", obedient)
    updated, events, _ = _summarise(verdict, findings)
    assert updated == verdict.model_copy(update={"summary_by": "rule (contradiction)"})
    checks = [e for e in events if e.kind == "verification"]
    rejected = [e for e in checks if not e.attributes["gatereview.prose.accepted"]]
    assert len(rejected) == len(verdict.conditions) + 1
    reasons = next(e for e in rejected if e.name == "prose summary").attributes
    assert "claims all gates are ready (the rule did not)" in reasons[
        "gatereview.prose.rejected_reasons"
    ]
    assert "\x1b" not in reasons["gatereview.prose.text"]  # cleaned as it was parsed


def test_control_characters_are_stripped_from_an_accepted_summary(fake: FakeModel) -> None:
    verdict, findings = _verdict()

    def noisy(answer: dict[str, Any]) -> dict[str, Any]:
        answer["summary"] = (
            "\x1b]0;owned\x07The review\u202e has \x1b[1mopen conditions\x1b[0m.\x00"
        )
        answer["conditions"][0]["text"] = "Name\x1b[31m an owner\x9b2J."
        return answer

    fake.script(None, "summary", noisy)
    updated, _, _ = _summarise(verdict, findings)
    assert updated.summary == "The review has open conditions."
    assert updated.conditions[0].endswith(": Name an owner.")


def test_a_failed_summary_call_keeps_the_rules_text(fake: FakeModel) -> None:
    fake.script(None, "summary", api_error(500, "The server had an error"), repeat=True)
    verdict, findings = _verdict()
    updated, events, _ = _summarise(verdict, findings)
    assert updated.model_dump(exclude={"summary_by"}) == verdict.model_dump(exclude={"summary_by"})
    assert updated.summary_by == "rule (server)"
    assert [e.kind for e in events] == ["degradation"]


def test_a_closed_budget_keeps_the_rules_text_and_sends_nothing(fake: FakeModel) -> None:
    verdict, findings = _verdict()
    updated, _, _ = _summarise(verdict, findings, Budget(0.0))
    assert updated.summary_by == "rule (budget)" and updated.summary == verdict.summary
    assert fake.requests == []
