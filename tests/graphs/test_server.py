"""langgraph.json names a graph a LangGraph server can load."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_langgraph_json_points_at_the_compiled_review_graph() -> None:
    config = json.loads((ROOT / "langgraph.json").read_text())
    path, attribute = config["graphs"]["review"].split(":")
    module = importlib.import_module(path.removeprefix("./").removesuffix(".py").replace("/", "."))
    graph = getattr(module, attribute)
    nodes = set(graph.get_graph().nodes)
    assert {"ingest", "data", "risk", "platform", "product", "change", "coordinator",
            "human_review", "finalise"} <= nodes
