"""The trace of a model-backed review: every record kind, with the GenAI attributes, no secrets."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fakes.openai_server import FakeModel, api_error, hallucinate
from fakes.personal_data import SEEDED
from rich.console import Console

from agents.models import GATES, Decision
from graphs.runs import decide, start_review
from graphs.settings import Settings
from traces.verify import verify_trace
from traces.viewer import load_records, render_trace

ROOT = Path(__file__).resolve().parents[2]
PERSONAL = str(ROOT / "tests" / "fixtures" / "docs" / "personal-data.md")
KEY = "sk-test-" + "Q7" * 16


def test_a_model_review_records_every_kind_and_no_secret(
    fake: FakeModel, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    fake.script("change", "review", api_error(400, "bad request"), repeat=True)
    fake.script("data", "review", hallucinate("data.owners"))
    settings = Settings(home=workspace, model="openai/gpt-4.1-mini")
    view = asyncio.run(start_review([PERSONAL], settings))
    asyncio.run(decide(view.run_id, Decision(action="approve", reviewer="ana"), settings))

    path = workspace / "traces" / f"{view.run_id}.jsonl"
    assert verify_trace(path).ok
    records = load_records(path)
    assert {r.kind for r in records} == {
        "run_start", "node_start", "node_end", "llm_call", "tool_call", "verification",
        "degradation", "decision", "verdict", "run_end",
    }
    calls = [r for r in records if r.kind == "llm_call"]
    assert len(calls) == len(fake.requests)  # every request (there is no preflight ping)
    first = next(c.attributes for c in calls if "error.type" not in c.attributes)
    assert any(c.attributes.get("error.type") == "bad_request" for c in calls)
    assert first["gen_ai.request.model"] == "openai/gpt-4.1-mini"
    assert first["gen_ai.usage.input_tokens"] > 0 and first["gatereview.cost_usd"] > 0
    assert first["gen_ai.input.messages"] and first["gen_ai.output.messages"]
    assert first["gen_ai.conversation.id"] == view.run_id
    degraded = next(r for r in records if r.kind == "degradation")
    assert "bad_request" in degraded.attributes["gatereview.degraded_reason"]
    retrieval = [r for r in records if r.name == "retrieve_sections"]
    masked = [r.attributes.get("gatereview.redactions", {}) for r in retrieval]
    assert any(sum(m.values()) for m in masked), masked

    text = path.read_text()
    report = (workspace / "reports" / f"{view.run_id}.json").read_text()
    assert KEY not in text and KEY not in report
    for value in SEEDED:
        assert value not in text


def test_exported_model_calls_name_their_provider_and_failed_calls_are_errors(
    fake: FakeModel, workspace: Path
) -> None:
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from opentelemetry.trace import StatusCode

    from traces.otlp import export_spans

    fake.script("change", "review", api_error(400, "bad request"), repeat=True)
    settings = Settings(home=workspace, model="openai/gpt-4.1-mini")
    view = asyncio.run(start_review([PERSONAL], settings))
    exporter = InMemorySpanExporter()
    export_spans(load_records(workspace / "traces" / f"{view.run_id}.jsonl"), exporter=exporter)
    calls = [s for s in exporter.get_finished_spans() if s.name.startswith("chat ")]
    assert calls
    for span in calls:
        assert span.attributes["gen_ai.provider.name"] == "openai"
        assert span.attributes["gen_ai.operation.name"] == "chat"
    failed = [s for s in calls if "error.type" in s.attributes]
    assert failed and all(s.status.status_code is StatusCode.ERROR for s in failed)
    assert all(s.status.status_code is StatusCode.UNSET for s in calls if s not in failed)


def test_a_call_queued_for_a_free_slot_records_its_wait_apart_from_its_latency(
    fake: FakeModel, workspace: Path
) -> None:
    settings = Settings(home=workspace, model="openai/gpt-4.1-mini", max_concurrency=1)
    view = asyncio.run(start_review([PERSONAL], settings))
    records = load_records(workspace / "traces" / f"{view.run_id}.jsonl")
    calls = [r for r in records if r.kind == "llm_call"]
    assert len(calls) == 6 and all("gatereview.queue_wait_s" in c.attributes for c in calls)
    # One slot and five gates at once: four of them waited for it, and said so apart.
    waited = [c for c in calls if c.attributes["gatereview.queue_wait_s"] > 0]
    assert len(waited) >= len(GATES) - 1
    for call in calls:
        attempts = call.attributes["gatereview.attempts"]
        latency, wait = (sum(a[key] for a in attempts) for key in ("latency_s", "wait_s"))
        assert call.attributes["gatereview.latency_s"] == pytest.approx(latency, abs=1e-3)
        assert call.attributes["gatereview.queue_wait_s"] == pytest.approx(wait, abs=1e-3)
    console = Console(record=True, width=200)
    console.print(render_trace(records))
    assert "queued)" in console.export_text()
