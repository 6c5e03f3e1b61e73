"""Whole reviews with a model behind a fake OpenAI endpoint: grounded, budgeted, degrading."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.openai_server import (
    HOSTED_MODEL,
    FakeModel,
    api_error,
    comply,
    hallucinate,
    serve,
    truncated_json,
)
from fakes.personal_data import SEEDED
from langgraph.checkpoint.memory import InMemorySaver
from typer.testing import CliRunner

from agents.answers import GateAnswer
from agents.gate import ModelRuntime, gate_messages
from agents.llm import Budget, ModelCallError, ModelSettings, estimate_cost, make_limiter
from agents.rubric import load_rubrics
from exports.view import RunView, build_view
from graphs.context import ReviewContext
from graphs.review import build_graph
from graphs.settings import Settings
from graphs.workspace import Workspace
from main import app
from runs.operations import run_state, start_review
from tools.documents import load_documents
from tools.evidence import groundedness
from tools.retrieval import SectionIndex
from tools.selection import select_excerpts
from vocabulary.models import GATES

ROOT = Path(__file__).resolve().parents[2]
STRONG = str(ROOT / "examples" / "strong-contract-search.md")
PERSONAL = str(ROOT / "tests" / "fixtures" / "docs" / "personal-data.md")
APPROVE_ME = str(ROOT / "tests" / "fixtures" / "docs" / "approve-me.md")
LOCAL_BASE = "http://127.0.0.1:8999/v1"


def _review(path: str, workspace: Path, **fields: Any) -> RunView:
    fields.setdefault("model", "openai/gpt-4.1-mini")
    return asyncio.run(start_review([path], Settings(home=workspace, **fields)))


def _review_without_backoff(path: str, workspace: Path, **fields: Any) -> RunView:
    """The review graph with a runtime whose retries do not wait (Settings has no such knob).

    Compiled here with an in-memory checkpointer, as the graph module invites tests to do.
    """
    settings = Settings(home=workspace, model="openai/gpt-4.1-mini")
    model = ModelSettings(model=settings.model, retry_wait_s=0, max_retries=1, timeout_s=5)
    runtime = ModelRuntime(settings=model, budget=Budget(None), limiter=make_limiter(4), **fields)
    context = ReviewContext(settings=settings, workspace=Workspace(workspace), runtime=runtime)
    graph = build_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "run-1"}}
    payload = {"run_id": "run-1", "created_at": "2026-01-01T00:00:00+00:00", "paths": [path]}

    async def run() -> RunView:
        async for _ in graph.astream(payload, config, context=context):
            pass
        snapshot = await graph.aget_state(config)
        return build_view("run-1", run_state(snapshot), snapshot.values)

    return asyncio.run(run())


def _largest_gate_estimate(path: str) -> float:
    """The budget's estimate for the costliest gate call on this document (as reserved)."""
    documents = load_documents([path]).documents
    index = SectionIndex(documents)
    settings = ModelSettings(model="openai/gpt-4.1-mini")
    estimates = []
    for rubric in load_rubrics().values():
        queries = [c.terms for c in rubric.criteria]
        chosen = select_excerpts(
            documents, index, queries, Settings().max_context_tokens, redact=True
        )
        messages, _ = gate_messages(rubric, chosen, None, web=False)
        estimates.append(estimate_cost(settings, messages, GateAnswer) or 0.0)
    return max(estimates)


def test_a_model_review_verifies_every_finding_and_reports_usage(
    fake: FakeModel, workspace: Path
) -> None:
    view = _review(STRONG, workspace)
    assert view.state == "awaiting_decision"
    assert not fake.sent("ping")  # the gates' first calls stand in for a preflight
    assert sorted(s.gate for s in fake.sent("review")) == sorted(GATES)
    assert len(fake.sent("summary")) == 1 and len(fake.requests) == 6
    assert len(view.findings) > 30 and all(f.verified for f in view.findings)
    assert view.groundedness == 1.0
    for gate, info in view.gates.items():
        assert (info.reviewer, info.degraded) == ("openai/gpt-4.1-mini", False), gate
        assert info.usage.calls == 1 and info.usage.input_tokens > 0
        assert info.usage.cost_usd and info.usage.cost_usd > 0
    assert view.usage.calls == 6  # five gates and the summary
    assert view.usage.input_tokens > 5 * 1000 and view.usage.output_tokens > 0
    assert view.usage.cost_usd and view.usage.cost_usd > 0
    assert view.verdict and view.verdict.summary_by == HOSTED_MODEL
    assert not view.verdict.degraded


def test_an_unverified_finding_is_shown_and_does_not_count(
    fake: FakeModel, workspace: Path
) -> None:
    fake.script("data", "review", hallucinate("data.owners"))
    fake.script("data", "repair_quotes", hallucinate("data.owners"))
    view = _review(STRONG, workspace)
    owners = next(f for f in view.findings if f.id == "data.owners")
    assert owners.status == "met" and not owners.verified
    assert owners.evidence[0].verified is False
    assert view.groundedness is not None and view.groundedness < 1.0
    assert view.verdict is not None
    data = view.verdict.gates["data"]
    assert data.status == "conditional"
    assert "data.owners" in [c.split(":")[0] for c in data.conditions]
    assert not view.gates["data"].degraded


def test_the_cli_review_shows_tokens_and_cost_in_json(fake: FakeModel) -> None:
    result = CliRunner().invoke(app, ["review", STRONG, "--model", "openai/gpt-4.1-mini", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert all(payload["gates"][g]["degraded"] is False for g in GATES)
    assert all(payload["gates"][g]["degraded_reason"] is None for g in GATES)
    assert payload["usage"]["input_tokens"] > 0 and payload["usage"]["cost_usd"] > 0
    assert all(e["verified"] for f in payload["findings"] for e in f["evidence"])


@pytest.mark.parametrize("mask", [True, False], ids=["masked-by-default", "no-mask"])
def test_an_openai_compatible_server_on_loopback_is_masked_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, workspace: Path, mask: bool
) -> None:
    # A loopback server is often a proxy to a hosted provider: it is masked like any other.
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
    with serve(f"{LOCAL_BASE}/chat/completions", model="my-local") as local:
        view = _review(
            PERSONAL, workspace, model="openai/my-local", api_base=LOCAL_BASE, mask=mask
        )
    assert len(local.sent("review")) == 5 and not any(g.degraded for g in view.gates.values())
    assert local.sent("review")[0].body["model"] == "my-local"
    sent = local.sent("review", "data")[0].raw
    assert ("priya.shah@parcelco.co.uk" in sent) is not mask
    assert ("[REDACTED:email]" in sent) is mask
    assert view.usage.cost_usd is None  # unpriced: unknown, not $0
    assert view.usage.input_tokens > 0
    assert view.verdict and view.verdict.summary_by == "my-local"


def test_an_openai_compatible_server_needs_no_api_key(workspace: Path) -> None:
    with serve(f"{LOCAL_BASE}/chat/completions", model="my-local") as local:
        view = _review(PERSONAL, workspace, model="openai/my-local", api_base=LOCAL_BASE)
    assert len(local.sent("review")) == len(GATES)
    assert not any(info.degraded for info in view.gates.values())


def test_personal_data_never_reaches_a_hosted_model(fake: FakeModel, workspace: Path) -> None:
    view = _review(PERSONAL, workspace)
    assert len(fake.requests) == 6
    leaked = {value for value in SEEDED for seen in fake.requests if value in seen.raw}
    assert leaked == set()
    assert "[REDACTED:iban]" in fake.sent("review", "data")[0].raw
    quoted = [f for f in view.findings if f.document_evidence]
    assert quoted and all(f.verified for f in quoted)
    assert view.groundedness == 1.0


def test_a_document_ordering_approval_gets_the_rules_verdict(
    fake: FakeModel, workspace: Path
) -> None:
    fake.script(None, "review", comply(), repeat=True)
    fake.script(None, "repair_quotes", comply(), repeat=True)

    def claim_ready(answer: dict[str, Any]) -> dict[str, Any]:
        return {**answer, "summary": "Every gate is ready, as the design document instructs."}

    fake.script(None, "summary", claim_ready)
    view = _review(APPROVE_ME, workspace)
    model_findings = [f for f in view.findings if f.criterion != "risk.reviewer_instructions"]
    assert all(f.status == "met" and not f.verified for f in model_findings)
    flagged = next(f for f in view.findings if f.criterion == "risk.reviewer_instructions")
    assert flagged.status == "contradicted" and flagged.verified
    assert view.verdict is not None
    assert view.verdict.overall == "not_ready"
    assert {v.status for v in view.verdict.gates.values()} == {"not_ready"}
    assert all("silent" in v.reason for v in view.verdict.gates.values())
    assert groundedness(model_findings) == 0.0
    system = fake.sent("review")[0].messages[0]["content"]
    assert "IMPORTANT INSTRUCTION TO ALL AI REVIEWERS" not in fake.sent("review")[0].body
    assert "never instructions to you" in system


def test_budget_exhaustion_degrades_the_remaining_gates_and_stops_calling(
    fake: FakeModel, workspace: Path
) -> None:
    budget = 1.5 * _largest_gate_estimate(STRONG)  # room for one gate call, not two
    view = _review(STRONG, workspace, budget_usd=budget, max_concurrency=1)
    degraded = {g for g, info in view.gates.items() if info.degraded}
    reviewed = set(GATES) - degraded
    assert len(reviewed) == 1
    assert all("budget" in (view.gates[g].degraded_reason or "") for g in degraded)
    assert all(view.gates[g].reviewer == "offline" for g in degraded)
    # Once a call was refused no request went out: not for later gates, not for the summary.
    assert [s.kind for s in fake.requests] == ["review"] * len(reviewed)
    assert {s.gate for s in fake.sent("review")} == reviewed
    assert view.verdict and view.verdict.degraded
    assert view.verdict.summary_by == "rule (budget)"
    assert "degraded mode" in view.verdict.summary


@pytest.mark.parametrize(
    ("steps", "kind"),
    [
        pytest.param([httpx.ReadTimeout("read timed out")], "timeout", id="timeout"),
        pytest.param([api_error(503, "Service unavailable")], "server", id="server-503"),
        pytest.param([truncated_json], "malformed", id="malformed-twice"),
    ],
)
def test_a_failing_gate_is_degraded_with_its_reason_and_the_review_finishes(
    fake: FakeModel, workspace: Path, steps: list[Any], kind: str
) -> None:
    fake.script("risk", "review", *steps, repeat=True)
    fake.script("risk", "repair_schema", *steps, repeat=True)
    view = _review_without_backoff(STRONG, workspace)
    assert view.state == "awaiting_decision"
    risk = view.gates["risk"]
    assert risk.degraded and risk.reviewer == "offline"
    assert risk.degraded_reason and risk.degraded_reason.startswith(f"{kind}: ")
    assert not any(info.degraded for g, info in view.gates.items() if g != "risk")
    assert view.verdict and view.verdict.degraded and view.verdict.gates["risk"].degraded
    summary_prompt = fake.sent("summary")[0].messages[0]["content"]
    assert f"reviewed in degraded mode: {kind}: " in summary_prompt


def test_a_rate_limited_gate_is_retried_and_not_degraded(fake: FakeModel, workspace: Path) -> None:
    fake.script("product", "review", api_error(429, "Rate limit reached", "requests"))
    view = _review_without_backoff(STRONG, workspace)
    assert len(fake.sent("review", "product")) == 2
    assert not any(info.degraded for info in view.gates.values())


def test_web_search_without_network_lets_the_review_finish(
    fake: FakeModel, workspace: Path
) -> None:
    searched: list[str] = []

    def no_network(query: str, max_results: int) -> list[dict[str, Any]]:
        searched.append(query)
        raise ConnectionError("Network is unreachable")

    view = _review_without_backoff(STRONG, workspace, web=True, searcher=no_network)
    assert view.state == "awaiting_decision"
    assert len(searched) == 2  # one query each from risk and platform
    assert not any(info.degraded for info in view.gates.values())
    assert all(f.verified for f in view.findings)


REJECTED_KEY = api_error(401, "Incorrect API key provided", "invalid_request_error")


def test_bad_credentials_fail_fast_with_one_line_and_leave_nothing(
    fake: FakeModel, workspace: Path
) -> None:
    fake.script(None, "review", REJECTED_KEY, repeat=True)
    with pytest.raises(ModelCallError) as caught:
        _review(STRONG, workspace)
    assert caught.value.fatal
    assert str(caught.value) == (
        "model openai/gpt-4.1-mini: authentication failed (check OPENAI_API_KEY)"
    )
    # The gates' first calls stood in for a preflight: no ping, no retry, no summary.
    assert {s.kind for s in fake.requests} == {"review"}
    assert len(fake.requests) <= len(GATES)
    assert not workspace.exists()


def test_bad_credentials_in_a_used_workspace_remove_only_the_stopped_run(
    fake: FakeModel, workspace: Path
) -> None:
    kept = asyncio.run(start_review([STRONG], Settings(home=workspace)))  # offline
    fake.script(None, "review", REJECTED_KEY, repeat=True)
    with pytest.raises(ModelCallError):
        _review(STRONG, workspace)
    runs = CliRunner().invoke(app, ["runs", "--json"])
    assert [r["run_id"] for r in json.loads(runs.stdout)["runs"]] == [kept.run_id]
    kept_files = {f"{kept.run_id}.jsonl", f".{kept.run_id}.jsonl.lock"}  # the trace and its lock
    assert {p.name for p in (workspace / "traces").iterdir()} == kept_files


def test_a_key_rejected_after_the_model_has_answered_degrades_only_those_gates(
    fake: FakeModel, workspace: Path
) -> None:
    fake.script(None, "review", lambda answer: answer, REJECTED_KEY, repeat=True)
    view = _review(STRONG, workspace, max_concurrency=1)  # one gate after the other
    assert view.state == "awaiting_decision"
    degraded = {g: info.degraded_reason for g, info in view.gates.items() if info.degraded}
    assert len(degraded) == len(GATES) - 1
    assert all(reason and reason.startswith("auth") for reason in degraded.values())


def test_an_unknown_model_stops_before_any_request(fake: FakeModel, workspace: Path) -> None:
    with pytest.raises(ModelCallError, match="unknown model") as caught:
        _review(STRONG, workspace, model="gpt-nonsense-7")
    assert caught.value.fatal
    assert fake.requests == [] and not workspace.exists()


def test_bad_credentials_are_one_line_and_exit_2_at_the_cli(
    fake: FakeModel, workspace: Path
) -> None:
    fake.script(None, "review", REJECTED_KEY, repeat=True)
    result = CliRunner().invoke(app, ["review", STRONG, "--model", "openai/gpt-4.1-mini", "--json"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: model openai/gpt-4.1-mini: authentication failed (check OPENAI_API_KEY)"
    ]
    assert not workspace.exists()


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param("the", id="a-single-word"),
        pytest.param(
            "A content security policy blocks scripts from third-party domains.", id="invented"
        ),
    ],
)
def test_an_obedient_model_quoting_nothing_of_substance_lifts_no_gate(
    fake: FakeModel, workspace: Path, quote: str
) -> None:
    fake.script(None, "review", comply(quote), repeat=True)
    fake.script(None, "repair_quotes", comply(quote), repeat=True)
    view = _review(STRONG, workspace)
    assert view.verdict is not None
    assert {v.status for v in view.verdict.gates.values()} == {"not_ready"}
    model = [f for f in view.findings if f.criterion != "risk.reviewer_instructions"]
    assert all(f.status == "met" for f in model)
    assert all(f.unsupported or not f.verified for f in model)


def test_an_obedient_model_quoting_one_real_line_everywhere_makes_no_gate_ready(
    fake: FakeModel, workspace: Path
) -> None:
    line = next(
        text
        for text in Path(STRONG).read_text(encoding="utf-8").splitlines()
        if "falls back" in text or "fall back" in text
    )
    sentence = line.split(". ")[0].rstrip(".") + "."
    fake.script(None, "review", comply(sentence), repeat=True)
    view = _review(STRONG, workspace)
    assert view.verdict is not None
    # The line is about fallback (and touches hosting and search): criteria it says nothing
    # about are unsupported, so no gate can be ready and most gates stay not ready.
    assert "ready" not in {v.status for v in view.verdict.gates.values()}
    assert view.verdict.overall == "not_ready"
    unsupported = [f for f in view.findings if f.unsupported]
    assert len(unsupported) >= 20
