"""Record mode against a respx-mocked provider writes a recording that then replays."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from evals.recording import load_recording
from evals.runner import SuiteRunner
from tests.evals.conftest import add_case, run

UPSTREAM = "https://api.openai.com/v1"
_CRITERION = re.compile(r"^## ([a-z]+\.[a-z0-9_]+):", re.MULTILINE)


def completion(content: str) -> dict[str, Any]:
    """An OpenAI chat.completion body as the API sends it."""
    message = {"role": "assistant", "content": content, "refusal": None, "annotations": []}
    return {
        "id": "chatcmpl-rec123",
        "object": "chat.completion",
        "created": 1754000000,
        "model": "gpt-4.1-mini-2025-04-14",
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 800, "completion_tokens": 120, "total_tokens": 920},
    }


def provider(request: httpx.Request) -> httpx.Response:
    """A provider that finds every criterion missing and writes a one-line summary."""
    body = json.loads(request.content)
    text = body["messages"][-1]["content"]
    if text == "Reply with OK.":
        return httpx.Response(200, json=completion("OK"))
    if body["messages"][0]["role"] == "system":
        findings = [
            {"criterion": c, "status": "missing", "summary": "Not addressed.",
             "recommendation": "Address it.", "evidence": []}
            for c in _CRITERION.findall(text)
        ]  # fmt: skip
        answer = {"findings": findings, "gate_status": "not_ready",
                  "gate_reason": "Nothing is addressed.", "web_queries": []}  # fmt: skip
        return httpx.Response(200, json=completion(json.dumps(answer)))
    # A summary of a sentence: a few words would be a hollow answer, sent back once.
    summary = '{"summary": "Not ready: no gate addresses its core.", "conditions": []}'
    return httpx.Response(200, json=completion(summary))


@pytest.fixture
def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.Route]:
    """The provider mocked at its URL; requests to the local recording proxy pass through."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-record")
    with respx.mock(using="httpx", assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        yield mock.post(f"{UPSTREAM}/chat/completions").mock(side_effect=provider)


def test_record_writes_a_recording_that_replays(suite: Path, upstream: respx.Route) -> None:
    case = add_case(suite, "demo-grade-travel-bot")
    (case / "recording.jsonl").unlink()
    recorded = run(suite, SuiteRunner("record", "openai/gpt-4.1-mini", UPSTREAM))
    assert recorded.cases[0].status == "scored", recorded.failures
    calls = upstream.call_count
    assert calls == 6  # five gates, summary (no preflight ping)
    assert upstream.calls[0].request.headers["authorization"] == "Bearer sk-test-record"

    entries = load_recording(case / "recording.jsonl")
    assert len(entries) == 6
    assert {e.request.gate for e in entries} == {
        None,
        "data",
        "risk",
        "platform",
        "product",
        "change",
    }
    assert "sk-test-record" not in (case / "recording.jsonl").read_text()

    replayed = run(suite, SuiteRunner("replay"))
    assert upstream.call_count == calls  # nothing reached the provider
    assert replayed.cases[0].status == "scored", replayed.failures
    assert replayed.cases[0].gates == recorded.cases[0].gates
    assert replayed.cases[0].scores == recorded.cases[0].scores.model_copy(
        update={"latency_s": replayed.cases[0].scores.latency_s}
    )


def test_record_without_a_key_is_a_user_error(suite: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vocabulary.errors import GateReviewError

    add_case(suite, "demo-grade-travel-bot")
    with pytest.raises(GateReviewError, match="OPENAI_API_KEY"):
        run(suite, SuiteRunner("record", "openai/gpt-4.1-mini", UPSTREAM))
