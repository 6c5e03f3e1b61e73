"""Model faults in a whole review: the gate degrades to the offline reviewer with the reason,
the review finishes, and the verdict is the rule's over what was really reviewed.

Faults already proven elsewhere: malformed JSON twice, a 503 and a read timeout per gate
(tests/graphs/test_model_review.py); one 429 then success, 401 at the start; and each fault
in isolation at the agent and litellm level (tests/agents/test_gate.py, test_llm.py).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.openai_server import HOSTED_MODEL, FakeModel, api_error, completion, hang
from langgraph.checkpoint.memory import InMemorySaver

from agents.gate import ModelRuntime
from agents.llm import Budget, ModelSettings, make_limiter
from exports.view import RunView, build_view
from graphs.context import ReviewContext
from graphs.review import build_graph
from graphs.settings import Settings
from graphs.workspace import Workspace
from runs.operations import run_state
from traces.recorder import TraceRecorder
from traces.verify import verify_trace
from vocabulary.models import GATES

ROOT = Path(__file__).resolve().parents[2]
STRONG = str(ROOT / "examples" / "strong-contract-search.md")
TIMEOUT_S = 1.0


def _review(workspace: Path, model: bool = True) -> tuple[RunView, list[dict[str, Any]]]:
    """A traced review to the human decision; retries do not wait, calls time out in 1 s."""
    settings = Settings(home=workspace, model="openai/gpt-4.1-mini" if model else "offline")
    runtime = None
    if model:
        limits = ModelSettings(
            model=settings.model, retry_wait_s=0, max_retries=2, timeout_s=TIMEOUT_S
        )
        runtime = ModelRuntime(settings=limits, budget=Budget(None), limiter=make_limiter(4))
    trace = workspace / "trace.jsonl"
    graph = build_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "run-1"}}
    payload = {"run_id": "run-1", "created_at": "2026-01-01T00:00:00+00:00", "paths": [STRONG]}

    async def run() -> RunView:
        with TraceRecorder(trace, "run-1") as recorder:
            recorder.start_span("run_start", "review")
            context = ReviewContext(settings, Workspace(workspace), runtime, recorder)
            async for _ in graph.astream(payload, config, context=context):
                pass
        snapshot = await graph.aget_state(config)
        return build_view("run-1", run_state(snapshot), snapshot.values)

    view = asyncio.run(run())
    assert verify_trace(trace).ok
    return view, [json.loads(line) for line in trace.read_text().splitlines()]


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> RunView:
    """The same review by the offline reviewer: what a degraded gate must report."""
    return _review(tmp_path_factory.mktemp("offline"), model=False)[0]


def _statuses(view: RunView, gate: str) -> list[tuple[str, str]]:
    return [(f.id, f.status) for f in view.findings if f.gate == gate]


def _answer(content: str | None, finish: str = "stop", refusal: str | None = None) -> Any:
    body = completion(content, prompt_tokens=900, finish=finish, refusal=refusal)
    return httpx.Response(200, json=body)


WRONG_SCHEMA = {"verdict": "ready", "gates": {"risk": "ready"}}
NO_CHOICES = httpx.Response(
    200, json={**completion("{}", model=HOSTED_MODEL, prompt_tokens=900), "choices": []}
)
MODEL_GONE = api_error(
    404, "The model `gpt-4.1-mini` does not exist or you do not have access to it.",
    "invalid_request_error",
)  # fmt: skip
KEY_REVOKED = api_error(401, "Incorrect API key provided: sk-test.", "invalid_request_error")


@pytest.mark.parametrize(
    ("review", "repair", "kind", "requests"),
    [
        pytest.param(lambda a: WRONG_SCHEMA, lambda a: WRONG_SCHEMA, "malformed", 2,
                     id="valid-json-wrong-schema"),
        pytest.param(NO_CHOICES, None, "malformed", 1, id="empty-choices"),
        pytest.param(_answer(None, refusal="I can't help with reviewing this document."), None,
                     "refusal", 1, id="refusal"),
        pytest.param(MODEL_GONE, None, "not_found", 1, id="404-unknown-model-mid-review"),
        pytest.param(KEY_REVOKED, None, "auth", 1, id="401-key-revoked-mid-review"),
        pytest.param(api_error(429, "Rate limit reached", "requests"), None, "rate_limit", 3,
                     id="429-storm"),
        pytest.param(httpx.ReadError("[Errno 104] Connection reset by peer"), None, "connection",
                     3, id="connection-reset"),
        pytest.param(hang, None, "timeout", 3, id="slower-than-the-timeout"),
        pytest.param(_answer('{"findings": [{"criterion": "risk.', finish="length"), None,
                     "truncated", 1, id="truncated-length"),
    ],
)  # fmt: skip
def test_a_model_fault_degrades_the_gate_with_its_reason_and_the_review_finishes(
    fake: FakeModel,
    workspace: Path,
    offline: RunView,
    review: Any,
    repair: Any,
    kind: str,
    requests: int,
) -> None:
    fake.script("risk", "review", review, repeat=True)
    if repair is not None:
        fake.script("risk", "repair_schema", repair, repeat=True)
    view, records = _review(workspace)
    assert view.state == "awaiting_decision"
    assert len(fake.sent("review", "risk")) + len(fake.sent("repair_schema", "risk")) == requests
    risk = view.gates["risk"]
    assert risk.degraded and risk.reviewer == "offline"
    assert risk.degraded_reason and risk.degraded_reason.startswith(f"{kind}: ")
    assert not any(info.degraded for gate, info in view.gates.items() if gate != "risk")
    # Honest: the risk gate is what the offline reviewer found, and the verdict says degraded.
    assert _statuses(view, "risk") == _statuses(offline, "risk")
    assert view.verdict and offline.verdict
    assert view.verdict.gates["risk"].status == offline.verdict.gates["risk"].status
    assert view.verdict.gates["risk"].degraded and view.verdict.degraded
    assert f"reviewed in degraded mode: {kind}: " in fake.sent("summary")[0].raw
    degradations = [r for r in records if r["kind"] == "degradation"]
    assert [(r["name"], r["attributes"]["error.type"]) for r in degradations] == [("risk", kind)]


def test_a_storm_on_every_call_gives_the_offline_verdict_marked_degraded(
    fake: FakeModel, workspace: Path, offline: RunView
) -> None:
    storm = api_error(429, "Rate limit reached", "requests")
    for kind in ("review", "summary"):
        fake.script(None, kind, storm, repeat=True)
    view, _ = _review(workspace)
    assert view.state == "awaiting_decision"
    assert all(info.degraded and info.reviewer == "offline" for info in view.gates.values())
    assert set(view.gates) == set(GATES)
    assert view.verdict and offline.verdict
    assert view.verdict.overall == offline.verdict.overall
    assert {g: v.status for g, v in view.verdict.gates.items()} == {
        g: v.status for g, v in offline.verdict.gates.items()
    }
    assert view.verdict.degraded and view.verdict.summary_by == "rule (rate_limit)"
    assert "degraded mode" in view.verdict.summary


def test_a_refused_summary_keeps_the_rules_wording_and_the_verdict(
    fake: FakeModel, workspace: Path
) -> None:
    fake.script(None, "summary", _answer(None, refusal="I can't summarise this."))
    view, _ = _review(workspace)
    assert view.state == "awaiting_decision"
    assert not any(info.degraded for info in view.gates.values())
    assert view.verdict and view.verdict.summary_by == "rule (refusal)"
    assert view.verdict.summary
