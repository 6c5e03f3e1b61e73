"""The compiled graph a LangGraph server loads (langgraph.json); it adds its own checkpointer."""

from __future__ import annotations

from graphs.review import build_graph

graph = build_graph().compile()
