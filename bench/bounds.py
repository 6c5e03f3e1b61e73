"""What the model client alone costs, measured beside the figures it bounds.

Two goals of a model-backed review are bounded by the client library before any of gatereview's
own work: a whole review process must import litellm (the one module that talks to models, by
design), and every model call pays litellm's CPU for building the request and reading the
answer. Both are measured here on this machine, in the same run as the figures they bound:

- the import: `python -c` of the model path's own import of litellm (`agents.llm._litellm`,
  offline price map, quiet), as a whole process with the collector held as the CLI holds it,
  beside a bare interpreter and the openai SDK;
- the calls: the six requests of a review of the bench document (taken from its trace: the
  messages as sent, the answer schema), sent one after another to the zero-latency bench model
  through `litellm.acompletion` as `agents.llm` sends them, and through the openai SDK alone
  with the same body; CPU of this process per review's worth of calls.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from processes import Run, median_code_run

from agents.answers import GateAnswer, SummaryAnswer
from agents.llm import ModelSettings, _litellm, _request
from traces.viewer import load_records

# What the model path caps a structured answer at (agents.llm sends it with every call).
CAP = ModelSettings(model="openai/x").expected_output_tokens

# Each with the garbage collector held, as `main.py` holds it during start-up.
_HELD = "import gc; gc.disable(); "
IMPORTS = {
    "`python -c pass`": "pass",
    "`import openai`": _HELD + "import openai",
    "`import litellm` as agents.llm does": _HELD + "from agents.llm import _litellm; _litellm()",
}


def import_processes(repeats: int = 3) -> dict[str, Run]:
    """The median whole process of each import, wall and CPU."""
    return {name: median_code_run(code, repeats=repeats) for name, code in IMPORTS.items()}


@dataclass(frozen=True)
class CallCost:
    """CPU seconds of one review's model calls through each client, and how many calls."""

    calls: int
    litellm_cpu_s: float
    openai_cpu_s: float


def review_requests(trace: Path) -> list[tuple[list[dict[str, Any]], type]]:
    """The messages and answer schema of every model call a review's trace records."""
    requests = []
    for record in load_records(trace):
        if record.kind != "llm_call":
            continue
        attributes = record.attributes
        summary = attributes["gatereview.purpose"] == "summary"
        schema = SummaryAnswer if summary else GateAnswer
        requests.append((attributes["gen_ai.input.messages"], schema))
    return requests


def _json_schema(schema: type) -> dict[str, Any]:
    body = {"name": schema.__name__, "schema": schema.model_json_schema()}
    return {"type": "json_schema", "json_schema": body}


async def _litellm_calls(settings: ModelSettings, requests: list[tuple[list, type]]) -> None:
    lt = _litellm()
    for messages, schema in requests:
        request = _request(settings, messages, response_format=schema, max_tokens=CAP)
        await lt.acompletion(**request)


async def _openai_calls(settings: ModelSettings, requests: list[tuple[list, type]]) -> None:
    from openai import AsyncOpenAI

    async with AsyncOpenAI(base_url=settings.api_base, api_key="bench") as client:
        for messages, schema in requests:
            await client.chat.completions.create(
                model=settings.model.split("/", 1)[1],
                messages=messages,
                response_format=_json_schema(schema),
                temperature=settings.temperature,
                max_tokens=CAP,
            )


def _cpu(call: Any, rounds: int) -> float:
    """The median CPU seconds of one round of calls (after a warm-up round)."""
    asyncio.run(call())
    samples = []
    for _ in range(rounds):
        started = time.process_time()
        asyncio.run(call())
        samples.append(time.process_time() - started)
    return sorted(samples)[len(samples) // 2]


def call_cost(api_base: str, model: str, trace: Path, rounds: int = 5) -> CallCost:
    """CPU of a review's calls through litellm and through the openai SDK, alternated."""
    settings = ModelSettings(model=model, api_base=api_base)
    requests = review_requests(trace)
    litellm_s = _cpu(lambda: _litellm_calls(settings, requests), rounds)
    openai_s = _cpu(lambda: _openai_calls(settings, requests), rounds)
    return CallCost(len(requests), litellm_s, openai_s)
