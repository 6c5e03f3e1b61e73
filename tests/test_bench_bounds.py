"""The benchmark's measure of the model client's own cost: it sends what a review sent.

`bench/bounds.py` is what BENCHMARKS.md rests the bounded goals on; this checks it measures
the calls it says (every model call of a review, through both clients), never how fast.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench_modules():
    # tests/reliability has a `processes` module too: once a test there has imported it, the
    # bench's own must be imported afresh here, and the other put back afterwards.
    shadowed = sys.modules.pop("processes", None)
    sys.path.insert(0, str(BENCH))
    try:
        import bounds
        import fanout
        import model_server

        yield bounds, fanout, model_server
    finally:
        sys.path.remove(str(BENCH))
        sys.modules.pop("processes", None)
        if shadowed is not None:
            sys.modules["processes"] = shadowed


def test_a_reviews_calls_are_replayed_through_litellm_and_the_openai_sdk(
    bench_modules, tmp_path, monkeypatch
):
    bounds, fanout, model_server = bench_modules
    monkeypatch.setenv("OPENAI_API_KEY", "bench")
    with model_server.ModelProcess(0.0) as model:
        view, _ = asyncio.run(fanout.review_once(model.api_base, tmp_path, 8))
        trace = tmp_path / "traces" / f"{view.run_id}.jsonl"
        requests = bounds.review_requests(trace)
        cost = bounds.call_cost(model.api_base, f"openai/{model_server.MODEL}", trace, rounds=1)

    # Five gates and the summary, each with the messages it sent and its answer's schema.
    assert len(requests) == view.usage.calls == 6
    assert [schema.__name__ for _, schema in requests].count("SummaryAnswer") == 1
    gates = [messages for messages, schema in requests if schema.__name__ == "GateAnswer"]
    assert len(gates) == 5 and all(messages[0]["role"] == "system" for messages in gates)
    assert all(messages[-1]["role"] == "user" for messages, _ in requests)
    assert cost.calls == 6
    assert cost.litellm_cpu_s > 0 and cost.openai_cpu_s > 0


def test_an_import_is_timed_as_a_process_of_its_own(bench_modules):
    import processes

    run = processes.median_code_run("import json", repeats=1)
    assert run.returncode == 0
    assert run.wall_s > 0 and run.cpu_s > 0 and run.peak_mib > 0


def test_the_graph_runtime_alone_runs_a_reviews_shape_to_the_decision(bench_modules, tmp_path):
    from langgraph.checkpoint.memory import InMemorySaver

    bounds, _, _ = bench_modules
    graph = bounds._no_op_graph().copy({"checkpointer": InMemorySaver()})
    config = {"configurable": {"thread_id": "one"}}
    graph.invoke({"run_id": "one"}, config)
    state = graph.get_state(config)
    assert state.next == ("human_review",)  # held for the decision, as a review is
    assert set(state.values["reviews"]) == {"data", "risk", "platform", "product", "change"}
    assert bounds.graph_cpu(tmp_path, rounds=1) > 0


def test_a_failing_import_is_an_error_not_a_figure(bench_modules):
    import processes

    with pytest.raises(RuntimeError, match="exited 1"):
        processes.median_code_run("import no_such_module_here", repeats=1)
