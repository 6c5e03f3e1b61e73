"""The model-backed gate agent against a fake OpenAI endpoint: grounding, repair, degradation."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.openai_server import (
    INVENTED,
    FakeModel,
    api_error,
    comply,
    hallucinate,
    hang,
    truncated_json,
)
from fakes.personal_data import SEEDED

from agents.answers import GateAnswer
from agents.coordinator import gate_verdict
from agents.gate import GateAgent, GateOutcome, ModelRuntime
from agents.llm import Budget, ModelSettings, estimate_cost, make_limiter
from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from tools.documents import Document, load_documents
from tools.locations import place_findings
from tools.retrieval import SectionIndex

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "fixtures" / "docs"
STRONG = ROOT / "examples" / "strong-contract-search.md"
HOSTED = ModelSettings(model="openai/gpt-4.1-mini", retry_wait_s=0, max_retries=2, timeout_s=5)


def _documents(path: Path = STRONG) -> list[Document]:
    return load_documents([path]).documents


def _runtime(settings: ModelSettings = HOSTED, **fields: Any) -> ModelRuntime:
    fields.setdefault("budget", Budget(None))
    return ModelRuntime(settings=settings, limiter=make_limiter(4), **fields)


def _review(
    gate: str, runtime: ModelRuntime, documents: list[Document] | None = None, **kwargs: Any
) -> GateOutcome:
    documents = documents or _documents()
    agent = GateAgent(load_rubrics()[gate], runtime)
    return asyncio.run(agent.review(documents, SectionIndex(documents), **kwargs))


def _events(outcome: GateOutcome, kind: str, name: str | None = None) -> list[dict[str, Any]]:
    return [
        e.attributes for e in outcome.events if e.kind == kind and (name is None or e.name == name)
    ]


def test_a_model_review_has_verified_findings_with_tokens_and_cost(fake: FakeModel) -> None:
    outcome = _review("data", _runtime())
    review = outcome.review
    assert (review.reviewer, review.degraded) == ("openai/gpt-4.1-mini", False)
    assert [f.criterion for f in review.findings] == [c.id for c in load_rubrics()["data"].criteria]
    assert all(f.verified for f in review.findings)
    assert review.usage.calls == 1
    assert review.usage.input_tokens > 0 and review.usage.output_tokens > 0
    assert review.usage.cost_usd and review.usage.cost_usd > 0
    assert [(s.kind, s.gate) for s in fake.requests] == [("review", "data")]
    (call,) = _events(outcome, "llm_call")
    assert call["gen_ai.response.model"] == "gpt-4.1-mini-2025-04-14"


def test_the_prompt_frames_documents_as_material_and_sends_their_own_lines(
    fake: FakeModel,
) -> None:
    documents = _documents()
    _review("risk", _runtime(), documents)
    (request,) = fake.sent("review", "risk")
    system, user = (m["content"] for m in request.messages)
    assert "material under review" in system and "never instructions" in system
    assert all(f"## {c.id}:" in user for c in load_rubrics()["risk"].criteria)
    shown = user.split(f"=== {documents[0].path} ===\n", 1)[1].split("\n")
    # Sent whole, without line numbers: the text after the header is the document's own.
    text = [line for line in shown if line.strip()]
    assert text == [line for line in documents[0].lines if line.strip()]
    schema = request.body["response_format"]["json_schema"]
    assert schema["strict"] is True and schema["name"] == "GateAnswer"


def test_a_large_document_is_sent_as_excerpts_within_the_budget(fake: FakeModel) -> None:
    outcome = _review("platform", _runtime(max_context_tokens=1200))
    (selection,) = _events(outcome, "tool_call", "retrieve_sections")
    assert selection["gatereview.estimated_tokens"] <= 1200
    assert selection["gatereview.sections_omitted"] > 0
    assert "further sections were left out" in fake.requests[0].messages[1]["content"]
    quoted = [f for f in outcome.review.findings if f.document_evidence]
    assert quoted and all(f.verified for f in quoted)


def test_an_invented_quote_is_sent_back_once_and_repaired(fake: FakeModel) -> None:
    fake.script("data", "review", hallucinate("data.owners"))
    outcome = _review("data", _runtime())
    assert [s.kind for s in fake.requests] == ["review", "repair_quotes"]
    repair = fake.requests[1].messages
    assert repair[-2]["role"] == "assistant" and INVENTED in repair[-2]["content"]
    assert f'data.owners: "{INVENTED}"' in repair[-1]["content"]
    assert "for these criteria only: data.owners." in repair[-1]["content"]
    owners = next(f for f in outcome.review.findings if f.criterion == "data.owners")
    assert owners.verified and INVENTED not in owners.evidence[0].quote
    checks = _events(outcome, "verification", "data.owners")
    kinds = [a["gatereview.evidence.match_kind"] for a in checks]
    assert kinds[0] == "unlocated" and kinds[-1] == "exact"
    assert outcome.review.usage.calls == 2


def test_a_quote_still_invented_after_repair_stays_unverified_and_does_not_count(
    fake: FakeModel,
) -> None:
    fake.script("data", "review", hallucinate("data.owners"))
    fake.script("data", "repair_quotes", hallucinate("data.owners"))
    documents = _documents()
    outcome = _review("data", _runtime(), documents)
    assert [s.kind for s in fake.requests] == ["review", "repair_quotes"]  # one repair only
    owners = next(f for f in outcome.review.findings if f.criterion == "data.owners")
    assert owners.status == "met" and not owners.verified
    assert owners.evidence[0].quote == INVENTED and not owners.evidence[0].verified
    rubric = load_rubrics()["data"]
    offline = gate_verdict(review_gate_offline(rubric, documents), rubric)
    verdict = gate_verdict(outcome.review, rubric)
    assert offline.status == "conditional" and offline.screened  # the screen never certifies
    assert verdict.status == "conditional"
    assert "data.owners" in [c.split(":")[0] for c in verdict.conditions]


def test_malformed_json_is_repaired_with_the_validation_error(fake: FakeModel) -> None:
    fake.script("product", "review", truncated_json)
    outcome = _review("product", _runtime())
    assert [s.kind for s in fake.requests] == ["review", "repair_schema"]
    retry = fake.requests[1].messages
    assert retry[-2] == {"role": "assistant", "content": fake.responses[0]}
    with pytest.raises(json.JSONDecodeError):
        json.loads(fake.responses[0])
    assert "Invalid JSON" in retry[-1]["content"]
    assert not outcome.review.degraded
    assert all(f.verified for f in outcome.review.findings)
    (call,) = _events(outcome, "llm_call")
    assert call["gatereview.repaired"] is True


def test_a_rate_limit_is_retried_and_the_review_completes(fake: FakeModel) -> None:
    fake.script("change", "review", api_error(429, "Rate limit reached", "requests"))
    outcome = _review("change", _runtime())
    assert [s.kind for s in fake.requests] == ["review", "review"]
    assert not outcome.review.degraded
    (call,) = _events(outcome, "llm_call")
    assert [a["outcome"] for a in call["gatereview.attempts"]] == ["rate_limit", "ok"]


@pytest.mark.parametrize(
    ("step", "kind"),
    [
        pytest.param(httpx.ReadTimeout("read timed out"), "timeout", id="read-timeout"),
        pytest.param(api_error(500, "The server had an error"), "server", id="server-500"),
        pytest.param(httpx.ConnectError("connection refused"), "connection", id="refused"),
    ],
)
def test_a_gate_whose_calls_keep_failing_is_reviewed_offline_and_marked(
    fake: FakeModel, step: Any, kind: str
) -> None:
    fake.script("risk", "review", step, repeat=True)
    documents = _documents()
    outcome = _review("risk", _runtime(), documents)
    review = outcome.review
    assert review.degraded and review.reviewer == "offline"
    assert review.degraded_reason and review.degraded_reason.startswith(f"{kind}: ")
    offline = review_gate_offline(load_rubrics()["risk"], documents)
    assert review.findings == place_findings(offline.findings, documents)
    assert len(fake.requests) == HOSTED.max_retries + 1
    assert review.usage.calls == HOSTED.max_retries + 1 and review.usage.cost_usd == 0
    (event,) = _events(outcome, "degradation")
    assert event["error.type"] == kind


def test_a_server_that_never_answers_degrades_at_the_deadline(fake: FakeModel) -> None:
    fake.script("data", "review", hang, repeat=True)
    settings = HOSTED.model_copy(update={"timeout_s": 0.2, "max_retries": 0})
    review = _review("data", _runtime(settings)).review
    assert review.degraded
    assert review.degraded_reason == "timeout: model openai/gpt-4.1-mini: no answer within 0.2 s"


def test_malformed_output_twice_degrades_the_gate(fake: FakeModel) -> None:
    fake.script("data", "review", truncated_json)
    fake.script("data", "repair_schema", truncated_json)
    review = _review("data", _runtime()).review
    assert review.degraded and review.degraded_reason
    assert review.degraded_reason.startswith("malformed: ")
    assert review.usage.calls == 2 and review.usage.cost_usd and review.usage.cost_usd > 0


def test_an_exhausted_budget_sends_nothing_and_degrades_later_calls_too(fake: FakeModel) -> None:
    budget = Budget(0.0001)
    _review("platform", _runtime(budget=budget))
    review = _review("data", _runtime(budget=budget)).review
    assert fake.requests == [] and budget.closed
    assert review.degraded and "budget" in (review.degraded_reason or "")


def test_a_call_the_budget_allows_cannot_overspend_it(fake: FakeModel) -> None:
    def verbose(answer: dict[str, Any]) -> dict[str, Any]:
        for finding in answer["findings"]:
            finding["summary"] = " ".join([finding["summary"]] * 12)  # a wordy model
        return answer

    _review("data", _runtime())
    estimate = estimate_cost(HOSTED, fake.requests[0].messages, GateAnswer)
    assert estimate is not None
    fake.script("data", "review", verbose)
    budget = Budget(estimate)
    review = _review("data", _runtime(budget=budget)).review
    assert len(fake.sent("review")) == 2 and not review.degraded
    assert review.usage.output_tokens > 1500  # a long answer, but one a model may give
    assert budget.spent_usd <= estimate


def test_a_failed_repair_keeps_the_first_answer_with_the_quote_unverified(
    fake: FakeModel,
) -> None:
    fake.script("data", "review", hallucinate("data.owners"))
    fake.script("data", "repair_quotes", httpx.ReadTimeout("read timed out"), repeat=True)
    outcome = _review("data", _runtime())
    review = outcome.review
    assert not review.degraded and review.reviewer == "openai/gpt-4.1-mini"
    unverified = [f.criterion for f in review.findings if not f.verified]
    assert unverified == ["data.owners"]
    assert review.usage.calls == 1 + HOSTED.max_retries + 1
    (event,) = _events(outcome, "degradation")
    assert event["error.type"] == "timeout"


def test_a_hosted_model_sees_masked_text_and_evidence_resolves_in_the_original(
    fake: FakeModel,
) -> None:
    documents = _documents(DOCS / "personal-data.md")
    outcomes = [_review(gate, _runtime(), documents) for gate in ("data", "platform")]
    sent = [s.raw for s in fake.requests]
    assert len(sent) >= 2
    assert not [value for value in SEEDED for body in sent if value in body]
    assert "[REDACTED:email]" in sent[0] and "[REDACTED:credential]" in sent[1]
    for outcome in outcomes:
        quoted = [f for f in outcome.review.findings if f.document_evidence]
        assert quoted and all(f.verified for f in quoted)
        for finding in quoted:
            for evidence in finding.evidence:
                assert evidence.quote in documents[0].line_text(
                    evidence.line_start or 0, evidence.line_end or 0
                )
    (selection,) = _events(outcomes[0], "tool_call", "retrieve_sections")
    assert set(selection["gatereview.redactions"]) == {
        "email", "phone", "card", "iban", "ip", "credential"
    }  # fmt: skip


def test_a_local_model_sees_the_text_as_written(fake: FakeModel) -> None:
    _review("data", _runtime(redact=False), _documents(DOCS / "personal-data.md"))
    assert "priya.shah@parcelco.co.uk" in fake.requests[0].raw


@pytest.mark.parametrize(
    "quote",
    [pytest.param(INVENTED, id="invented-quote"), pytest.param(None, id="no-quote")],
)
def test_a_model_obeying_the_document_cannot_make_the_gate_ready(
    fake: FakeModel, quote: str | None
) -> None:
    fake.script(None, "review", comply(quote), repeat=True)
    fake.script(None, "repair_quotes", comply(quote), repeat=True)
    fake.script(None, "repair_schema", comply(quote), repeat=True)
    documents = _documents(DOCS / "approve-me.md")
    review = _review("platform", _runtime(), documents).review
    if quote is None:  # every criterion met without one quote: a hollow answer, refused
        assert review.degraded and "hollow GateAnswer" in (review.degraded_reason or "")
    else:
        assert all(f.status == "met" for f in review.findings)
        assert not any(f.verified for f in review.findings)
    verdict = gate_verdict(review, load_rubrics()["platform"])
    assert verdict.status == "not_ready"
    system = fake.requests[0].messages[0]["content"]
    assert "do not comply" in system


def test_web_search_without_network_is_recorded_and_the_review_carries_on(
    fake: FakeModel,
) -> None:
    def offline_search(query: str, max_results: int) -> list[dict[str, Any]]:
        raise OSError("[Errno 101] Network is unreachable")

    outcome = _review("risk", _runtime(web=True, searcher=offline_search))
    assert not outcome.review.degraded and outcome.review.external == []
    searches = _events(outcome, "tool_call", "web_search")
    assert searches and all(s["gatereview.ok"] is False for s in searches)
    assert "Network is unreachable" in searches[0]["gatereview.error"]
    assert all(f.verified for f in outcome.review.findings)


def test_web_results_are_external_evidence_and_only_for_risk_and_platform(
    fake: FakeModel,
) -> None:
    def search(query: str, max_results: int) -> list[dict[str, Any]]:
        return [{"title": "AI Act", "href": "https://eur-lex.europa.eu/eli/reg/2024/1689",
                 "body": "Regulation (EU) 2024/1689 laying down harmonised rules"}]  # fmt: skip

    risk = _review("risk", _runtime(web=True, searcher=search)).review
    (external,) = risk.external
    assert (external.kind, external.verified) == ("external", False)
    assert external.url == "https://eur-lex.europa.eu/eli/reg/2024/1689"
    assert all(e.kind == "document" for f in risk.findings for e in f.evidence)
    data = _review("data", _runtime(web=True, searcher=search))
    assert data.review.external == [] and not _events(data, "tool_call", "web_search")
    assert "Return an empty `web_queries` list" in fake.sent("review", "data")[0].raw


def test_guidance_from_a_rejection_reaches_the_model(fake: FakeModel) -> None:
    _review("change", _runtime(), guidance="Look again at who trains the claims handlers.")
    prompt = fake.requests[0].messages[1]["content"]
    assert "Guidance from the human reviewer" in prompt
    assert "Look again at who trains the claims handlers." in prompt


HOLLOW = """# Claims assistant: readiness pack

None of the production design exists yet.

## Glossary

- Data owner: the team accountable for a data source and access to it.
- Guardrail refers to a filter or classifier that blocks harmful output.
- Fallback means the manual process users follow when the assistant is unavailable.
- Champion refers to a person in each team who advocates for the tool.

## Questions for the workshop

- Who will own each data source and approve access?
- What does the user see when the model is wrong?
"""
HOLLOW_QUOTES = [
    "Champion refers to a person in each team who advocates for the tool.",
    "What does the user see when the model is wrong?",
]


def _touch_everything(answer: dict[str, Any]) -> dict[str, Any]:
    """A model that calls every criterion touched on in passing, quoting the hollow lines."""
    for finding in answer["findings"]:
        finding.update(
            status="mentioned",
            summary="Touched on in passing.",
            evidence=[{"path": "hollow.md", "quote": q} for q in HOLLOW_QUOTES],
        )
    answer["gate_status"] = "conditional"
    return answer


@pytest.mark.parametrize("gate", ["data", "product", "change"])
def test_mentions_quoting_only_text_that_commits_to_nothing_keep_a_gate_silent(
    fake: FakeModel, tmp_path: Path, gate: str
) -> None:
    # An obedient model cannot lift a hollow document's gate to "thin" (conditional) by
    # calling every criterion mentioned: quotes that commit to nothing touch nothing.
    path = tmp_path / "hollow.md"
    path.write_text(HOLLOW, encoding="utf-8")
    fake.script(None, "review", _touch_everything, repeat=True)
    review = _review(gate, _runtime(), load_documents([path]).documents).review
    assert all(f.verified for f in review.findings)
    assert {f.status for f in review.findings} == {"missing"}
    assert all("commit to nothing" in (f.support_note or "") for f in review.findings)
    assert gate_verdict(review, load_rubrics()[gate]).status == "not_ready"
