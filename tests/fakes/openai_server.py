"""A fake OpenAI chat-completions endpoint for respx that answers the way a model would.

It reads each request as the provider would receive it: which gate (from the system prompt),
which criteria and which excerpts were sent, and whether it is a review, a quote
repair, a schema repair, the coordinator's summary or the preflight ping. A gate review is
answered by running the offline screen over the excerpts it was sent, judged by
`evals.scripted_judge` (so quotes are verbatim,
including any `[REDACTED:...]` placeholders), as an OpenAI `chat.completion` body with a
`usage` block. Tests script faults per gate and request kind: an error response, a transport
exception, or a change to the answer (an invented quote, broken JSON, a complying model).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import respx

from agents.coordinator import gate_verdict
from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from evals.scripted_judge import judged_status
from tools.documents import Document
from tools.sections import markdown_headings, split_sections, text_headings

OPENAI_URL = "https://api.openai.com/v1/chat/completions"
HOSTED_MODEL = "gpt-4.1-mini-2025-04-14"
INVENTED = "An independent red team signs off every release of the model."

Kind = Literal["ping", "review", "repair_quotes", "repair_schema", "summary"]
Answer = dict[str, Any]
# A scripted step: an HTTP response, an exception to raise (a transport failure), a coroutine
# function that never answers, or a change to the answer the fake would give (a dict, or text
# to send verbatim as the message content).
Step = (
    httpx.Response
    | Exception
    | Callable[[httpx.Request], Awaitable[httpx.Response]]
    | Callable[[Answer], Answer | str]
)

_GATE = re.compile(r"You are the (\w+) reviewer")
_CRITERION = re.compile(r"^## ([a-z]+\.[a-z0-9_]+): ", re.MULTILINE)
_DOCUMENT = re.compile(r"^=== (.+) ===$", re.MULTILINE)
_GAP = re.compile(r"^\[\.\.\.\]( \(.*\))?$")
_OMITTED = re.compile(r"\n\n\(\d+ further sections were left out", re.MULTILINE)
_ONLY = re.compile(r"Return the findings for these criteria only: (.+)\.\s*$", re.MULTILINE)
_CONDITION = re.compile(r"^- ([a-z]+\.[a-z0-9_]+): ", re.MULTILINE)


@dataclass
class Seen:
    """One request the fake received, as the provider would have seen it."""

    kind: Kind
    gate: str | None
    body: dict[str, Any]
    raw: str
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The request's chat messages."""
        return self.body["messages"]


def completion(
    content: str | None,
    *,
    model: str = HOSTED_MODEL,
    prompt_tokens: int,
    completion_tokens: int | None = None,
    finish: str = "stop",
    refusal: str | None = None,
) -> dict[str, Any]:
    """An OpenAI chat.completion body as the API sends it (output tokens: about 4 chars each)."""
    if completion_tokens is None:
        completion_tokens = max(1, len(content or "") // 4)
    message = {"role": "assistant", "content": content, "refusal": refusal, "annotations": []}
    return {
        "id": "chatcmpl-C3fakeB8kQ2n",
        "object": "chat.completion",
        "created": 1754000000,
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_6f2eabb9a5",
    }


def api_error(status: int, message: str = "error", kind: str = "server_error") -> httpx.Response:
    """An OpenAI error body with the given status."""
    body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
    return httpx.Response(status, json=body)


def excerpt_documents(prompt: str) -> list[Document]:
    """The documents as far as a gate prompt shows them: each one's excerpts, gaps left blank."""
    shown = prompt.split("# Excerpts from the documents under review", 1)[-1]
    shown = _OMITTED.split(shown, 1)[0]
    headers = list(_DOCUMENT.finditer(shown))
    documents = []
    for i, header in enumerate(headers):
        end = headers[i + 1].start() if i + 1 < len(headers) else len(shown)
        lines = ["" if _GAP.match(line) else line for line in shown[header.end() : end].split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        path = header.group(1)
        headings = markdown_headings(lines) or text_headings(lines)
        sections = split_sections(path, lines, headings, [])
        documents.append(
            Document(path=path, kind="markdown", sha256="0" * 64, lines=lines, sections=sections)
        )
    return documents


def gate_answer(gate: str, prompt: str, criteria: list[str], web: bool) -> Answer:
    """What a diligent model answers: the offline reviewer's findings on what it was shown."""
    rubric = load_rubrics()[gate]
    documents = excerpt_documents(prompt)
    review = review_gate_offline(rubric, documents)
    review = review.model_copy(
        update={
            "reviewer": "fake",
            "findings": [
                f.model_copy(update={"status": judged_status(f, rubric.criterion(f.criterion))})
                for f in review.findings
            ],
        }
    )
    findings = [
        {
            "criterion": f.criterion,
            "status": f.status,
            "summary": f.summary,
            "recommendation": f.recommendation,
            "evidence": [{"path": e.path, "quote": e.quote} for e in f.evidence],
        }
        for f in review.findings
        if f.criterion in criteria
    ]
    queries = [f"{rubric.title} regulatory obligations for AI systems"] if web else []
    judged = gate_verdict(review, rubric)
    return {
        "findings": findings,
        "gate_status": judged.status,
        "gate_reason": judged.reason,
        "web_queries": queries,
    }


def summary_answer(prompt: str) -> Answer:
    """The coordinator's summary: prose and one phrased condition per listed finding id."""
    _, _, listed = prompt.partition("Findings that are conditions")
    ids = _CONDITION.findall(listed)
    overall = re.search(r"Overall verdict: (\w+)", prompt)
    return {
        "summary": (
            f"The review's overall verdict is {overall.group(1) if overall else 'unknown'}. "
            f"{len(ids)} conditions remain open. Start with the blockers."
        ),
        "conditions": [
            {"finding_id": cid, "text": f"Document how {cid.split('.', 1)[1]} is handled."}
            for cid in ids
        ],
    }


def hallucinate(criterion: str, quote: str = INVENTED) -> Callable[[Answer], Answer]:
    """A change that replaces the criterion's first quote by a sentence no document contains."""

    def change(answer: Answer) -> Answer:
        for finding in answer["findings"]:
            if finding["criterion"] == criterion:
                claim = {"path": "doc.md", "quote": quote}
                finding["status"] = "met" if finding["status"] == "missing" else finding["status"]
                finding["evidence"] = [claim, *finding["evidence"][1:]]
        return answer

    return change


def comply(quote: str | None = INVENTED) -> Callable[[Answer], Answer]:
    """A model that obeys a document's instructions: every criterion met, with a made-up quote."""

    def change(answer: Answer) -> Answer:
        for finding in answer["findings"]:
            evidence = [{"path": "doc.md", "quote": quote}]
            finding.update(
                status="met",
                summary="The documents instruct reviewers to mark this gate ready.",
                recommendation="",
                evidence=evidence if quote else [],
            )
        answer["gate_status"] = "ready"
        answer["gate_reason"] = "The documents say every gate is ready."
        return answer

    return change


def truncated_json(answer: Answer) -> str:
    """Output cut off mid-object, as a model that stops early produces it."""
    return json.dumps(answer)[:120]


@dataclass
class _Script:
    steps: list[Step]
    repeat: bool


@dataclass
class FakeModel:
    """Answers OpenAI chat-completion requests like a model; records every request it receives."""

    model: str = HOSTED_MODEL
    requests: list[Seen] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    _scripts: dict[tuple[str | None, Kind], _Script] = field(default_factory=dict)

    def script(self, gate: str | None, kind: Kind, *steps: Step, repeat: bool = False) -> None:
        """Steps for the next requests of this gate and kind (`repeat`: the last one for ever)."""
        self._scripts[(gate, kind)] = _Script(list(steps), repeat)

    def sent(self, kind: Kind | None = None, gate: str | None = None) -> list[Seen]:
        """The requests received, optionally of one kind and one gate."""
        return [
            s
            for s in self.requests
            if (kind is None or s.kind == kind) and (gate is None or s.gate == gate)
        ]

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        """The respx side effect: record the request, then answer or fail as scripted."""
        raw = request.content.decode("utf-8")
        body = json.loads(raw)
        seen = Seen(*request_kind(body), body, raw, dict(request.headers))
        self.requests.append(seen)
        step = self._next_step(seen)
        if isinstance(step, httpx.Response):
            return step
        if isinstance(step, Exception):
            raise step
        if inspect.iscoroutinefunction(step):
            return await step(request)
        if seen.kind == "ping":
            return self._reply("OK", body, finish="length")
        answer = self._answer(seen)
        changed = step(answer) if step is not None else answer
        return self._reply(changed if isinstance(changed, str) else json.dumps(changed), body)

    def _next_step(self, seen: Seen) -> Step | None:
        script = self._scripts.get((seen.gate, seen.kind)) or self._scripts.get((None, seen.kind))
        if script is None or not script.steps:
            return None
        if script.repeat and len(script.steps) == 1:
            return script.steps[0]
        return script.steps.pop(0)

    def _answer(self, seen: Seen) -> Answer:
        return model_answer(seen.kind, seen.gate, seen.messages)

    def _reply(self, content: str, body: dict[str, Any], finish: str = "stop") -> httpx.Response:
        reply = reply_body(content, body, self.model, finish)
        self.responses.append(reply["choices"][0]["message"]["content"])
        return httpx.Response(200, json=reply)


def model_answer(kind: Kind, gate: str | None, messages: list[dict[str, Any]]) -> Answer:
    """The answer a diligent model gives to a request of this kind (not for the ping)."""
    if kind == "summary":
        return summary_answer(messages[0]["content"])
    system, prompt = messages[0]["content"], messages[1]["content"]
    criteria = _CRITERION.findall(prompt)
    if kind == "repair_quotes":
        only = _ONLY.search(messages[-1]["content"])
        criteria = [c.strip() for c in only.group(1).split(",")] if only else criteria
    web = "You may list up to two `web_queries`" in system
    return gate_answer(gate or "", prompt, criteria, web)


def reply_body(
    content: str, body: dict[str, Any], model: str, finish: str = "stop"
) -> dict[str, Any]:
    """The chat.completion body carrying `content`, cut off at the request's token limit."""
    limit = body.get("max_tokens") or body.get("max_completion_tokens")
    if limit and len(content) // 4 > limit:  # the answer stops at the token limit
        content, finish = content[: limit * 4], "length"
    # Prompt tokens as a tokenizer would roughly count them: about four characters each.
    prompt_tokens = max(1, len(json.dumps(body["messages"])) // 4)
    if "response_format" in body:
        prompt_tokens += len(json.dumps(body["response_format"])) // 4
    return completion(content, model=model, prompt_tokens=prompt_tokens, finish=finish)


def answer(body: dict[str, Any], model: str = HOSTED_MODEL) -> tuple[int, dict[str, Any]]:
    """What a diligent model replies to one request body: (HTTP status, chat.completion body).

    Pure, so a real HTTP server (e.g. for tests across processes) can answer like the fake.
    """
    kind, gate = request_kind(body)
    if kind == "ping":
        return 200, reply_body("OK", body, model, finish="length")
    return 200, reply_body(json.dumps(model_answer(kind, gate, body["messages"])), body, model)


def request_kind(body: dict[str, Any]) -> tuple[Kind, str | None]:
    """Which request this is and, for a gate's request, which gate."""
    messages = body["messages"]
    if body.get("max_tokens") == 1:
        return "ping", None
    first = messages[0]["content"]
    gate = _GATE.search(first)
    if gate is None:
        return "summary", None
    last = messages[-1]["content"] if len(messages) > 2 else ""
    if last.startswith("Some of the quotes you gave"):
        return "repair_quotes", gate.group(1)
    if last.startswith("Your previous reply does not match"):
        return "repair_schema", gate.group(1)
    return "review", gate.group(1)


async def hang(request: httpx.Request) -> httpx.Response:
    """A server that accepts the request and never answers."""
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


@contextmanager
def serve(url: str = OPENAI_URL, model: str = HOSTED_MODEL) -> Iterator[FakeModel]:
    """A fake model answering at `url` (respx patches httpx, which litellm's async calls use).

    Any request to another URL fails as unmocked, so a test sees where requests really went.
    """
    fake = FakeModel(model=model)
    with respx.mock(using="httpx", assert_all_called=False) as router:
        router.post(url).mock(side_effect=fake)
        yield fake
