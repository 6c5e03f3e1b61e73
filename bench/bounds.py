"""What the libraries the design prescribes cost on their own, beside the figures they bound.

A model-backed review must import litellm (the one module that talks to models), pay its CPU for
building every request and reading every answer, and run LangGraph's graph with a checkpoint
after every step, before any of gatereview's own work. Each is measured here on this machine,
in the same run as the figures it bounds:

- the import: `python -c` of the model path's own import of litellm (`agents.llm._litellm`,
  offline price map, quiet), as a whole process with the collector held as the CLI holds it,
  beside a bare interpreter and the openai SDK;
- the calls: the six requests of a review of the bench document (taken from its trace: the
  messages as sent, the answer schema), sent one after another to the zero-latency bench model
  through `litellm.acompletion` as `agents.llm` sends them, and through the openai SDK alone
  with the same body; CPU of this process per review's worth of calls;
- the graph runtime: LangGraph alone running a graph of a review's shape whose nodes do nothing,
  on a SQLite checkpointer, to the human decision (CPU of this process per run).
"""

from __future__ import annotations

import asyncio
import operator
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypedDict

from processes import Run, median_code_run

from agents.answers import GateAnswer, SummaryAnswer
from agents.llm import ModelSettings, _litellm, _request
from traces.viewer import load_records
from vocabulary.models import GATES

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


class _Shape(TypedDict, total=False):
    run_id: str
    reviews: Annotated[dict[str, Any], operator.or_]
    verdict: dict[str, Any]


def _await_decision(state: _Shape) -> dict[str, Any]:
    """Pause for a decision, as a review's `human_review` node does (never resumed here)."""
    from langgraph.types import interrupt

    interrupt({})
    return {}


def _no_op_graph() -> Any:
    """A review's graph shape with nodes that do nothing: ingest, the five gates side by side,
    the coordinator, then a human decision (an interrupt)."""
    from langgraph.graph import END, START, StateGraph

    graph = StateGraph(_Shape)
    graph.add_node("ingest", lambda state: {})
    for gate in GATES:
        graph.add_node(gate, lambda state, gate=gate: {"reviews": {gate: {}}})
        graph.add_edge("ingest", gate)
    graph.add_node("coordinator", lambda state: {"verdict": {}})
    graph.add_node("human_review", _await_decision)
    graph.add_edge(START, "ingest")
    graph.add_edge(list(GATES), "coordinator")
    graph.add_edge("coordinator", "human_review")
    graph.add_edge("human_review", END)
    return graph.compile()


def graph_cpu(folder: Path, rounds: int = 9) -> float:
    """The median CPU seconds of LangGraph alone running that shape up to the decision on a
    SQLite checkpointer, as a review runs (durable after every step), and reading its state."""
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    compiled = _no_op_graph()
    database = str(folder / "no-op-graph.sqlite")

    async def one(run: int) -> None:
        async with AsyncSqliteSaver.from_conn_string(database) as saver:
            graph = compiled.copy({"checkpointer": saver})
            config = {"configurable": {"thread_id": f"run-{run}"}}
            async for _ in graph.astream({"run_id": str(run)}, config, durability="sync"):
                pass
            await graph.aget_state(config)

    runs = iter(range(rounds + 1))
    return _cpu(lambda: one(next(runs)), rounds)
