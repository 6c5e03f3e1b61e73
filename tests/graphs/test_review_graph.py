"""The review graph runs use: compiled once per set of gates, bound to each run's checkpointer."""

from __future__ import annotations

from langgraph.checkpoint.memory import InMemorySaver

from graphs.review import review_graph
from vocabulary.models import GATES


def test_each_run_gets_the_graph_on_its_own_checkpointer() -> None:
    first, second = InMemorySaver(), InMemorySaver()
    a, b = review_graph(GATES, first), review_graph(list(GATES), second)
    assert a.checkpointer is first and b.checkpointer is second  # never shared between runs
    assert a.nodes.keys() == b.nodes.keys()
    assert a.builder is b.builder  # compiled once for these gates


def test_a_rubric_set_with_another_gate_gets_a_graph_with_that_node() -> None:
    gates = (*GATES, "security")
    graph = review_graph(gates, InMemorySaver())
    assert (
        "security" in graph.nodes and "security" not in review_graph(GATES, InMemorySaver()).nodes
    )
