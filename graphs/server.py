"""What a LangGraph server loads (langgraph.json): the compiled graph, and the checkpointer of
the server's workspace, so that its runs are checkpointed where `runs` and `show` read them.

The workspace is the server's own (`GATEREVIEW_HOME`, `GATEREVIEW_DATABASE_URL` or a
settings file in its environment), not a run's: checkpoints, decision claims, traces and
reports of a server run all live there.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from langgraph.checkpoint.base import BaseCheckpointSaver

from graphs.review import build_graph
from graphs.settings import resolve_settings
from graphs.storage import async_saver
from graphs.workspace import Workspace

graph = build_graph().compile()


def checkpointer() -> AbstractAsyncContextManager[BaseCheckpointSaver]:
    """The server workspace's checkpointer: SQLite in its home, or its Postgres database."""
    settings = resolve_settings()
    return async_saver(Workspace(settings.home, settings.database_url))
