"""What a LangGraph server loads (langgraph.json): the compiled graph, and the checkpointer of
the server's workspace, so that its runs are checkpointed where `runs` and `show` read them.

The workspace is the server's own (`GATEREVIEW_HOME`, `GATEREVIEW_DATABASE_URL` or a
settings file in its environment), not a run's: checkpoints, decision claims, traces and
reports of a server run all live there.

The served graph takes a client's input as data only (`graphs.submission`), one review per
thread, and no state written from outside its nodes: `update_state` and commands other than a
resume are refused before anything is checkpointed. Who may call it is `graphs.auth`'s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import ValidationError
from typing_extensions import TypedDict

from graphs.context import ServerContext
from graphs.review import build_graph
from graphs.settings import resolve_settings
from graphs.storage import async_saver
from graphs.submission import read_submission
from graphs.workspace import Workspace
from vocabulary.errors import GateReviewError, RefusedError

WRITTEN_BY_NODES = (
    "a review's state is written by its own steps only; decide with a resume "
    "(Command(resume=...)), or start a new thread"
)


class ServerInput(TypedDict, total=False):
    """A server run's input (graphs.submission.Submission): documents, paths, a project."""

    paths: list[str]  # files under the server's documents root, relative to it
    documents: list[dict[str, Any]]  # {"name": "design.md", "text": "..."}
    project: str


def _command_problem(command: Command) -> str | None:
    if command.update is not None or command.goto or command.graph is not None:
        return f"a command may only resume the review with a decision: {WRITTEN_BY_NODES}"
    if command.resume is None:
        return "a command resumes the review with a decision"
    return None


def _thread(config: RunnableConfig) -> RunnableConfig:
    """The config of the thread's latest checkpoint."""
    return {"configurable": {"thread_id": config["configurable"]["thread_id"]}}


class ServedReviewGraph(CompiledStateGraph):
    """The review graph as a server runs it: input checked before a checkpoint is written."""

    async def _admit(self, payload: Any, config: RunnableConfig | None, context: Any) -> None:
        if isinstance(context, dict):
            try:
                ServerContext.model_validate(context)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(p) for p in first["loc"]) or "context"
                raise RefusedError(f"context {where}: {first['msg']}") from None
        await self._latest_only(config)
        if isinstance(payload, Command):
            problem = _command_problem(payload)
            if problem is not None:
                raise RefusedError(problem)
            return
        if payload is None:
            return  # go on from the latest checkpoint: the nodes check what they find
        try:
            read_submission(payload)
        except GateReviewError as exc:
            raise RefusedError(str(exc)) from None
        if self.checkpointer is not None and config is not None:
            run = (await self.aget_state(_thread(config))).values.get("run_id")
            if run:  # ingest has run: the thread holds a review (pending or decided)
                raise RefusedError(
                    f"run {run} already holds a review: a thread holds one review; "
                    "start another thread for a new one"
                )

    async def _latest_only(self, config: RunnableConfig | None) -> None:
        """Refuse a run from an earlier checkpoint: a fork of a decided review would be a
        second review, or a second decision, of the same run."""
        asked = ((config or {}).get("configurable") or {}).get("checkpoint_id")
        if asked is None or self.checkpointer is None or config is None:
            return
        latest = (await self.aget_state(_thread(config))).config.get("configurable", {})
        if asked != latest.get("checkpoint_id"):
            raise RefusedError(
                "a review goes on from its latest checkpoint only: "
                "an earlier one would review or decide the run a second time"
            )

    async def astream(  # type: ignore[override]
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        """Stream the graph once its input is admitted (see the module docstring)."""
        await self._admit(input, config, kwargs.get("context"))
        try:
            async for chunk in super().astream(input, config, **kwargs):
                yield chunk
        except GateReviewError as exc:  # a step's refusal: its message reaches the client
            if isinstance(exc, ValueError):
                raise
            raise RefusedError(str(exc)) from exc

    def stream(  # type: ignore[override]
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[Any]:
        """The synchronous stream is not served: a server drives the graph asynchronously."""
        raise RefusedError("the served review graph runs asynchronously (astream)")

    async def aupdate_state(self, *args: Any, **kwargs: Any) -> RunnableConfig:
        """Refused: the state is written by the graph's steps only."""
        raise RefusedError(WRITTEN_BY_NODES)

    async def abulk_update_state(self, *args: Any, **kwargs: Any) -> RunnableConfig:
        """Refused: the state is written by the graph's steps only."""
        raise RefusedError(WRITTEN_BY_NODES)

    def update_state(self, *args: Any, **kwargs: Any) -> RunnableConfig:
        """Refused: the state is written by the graph's steps only."""
        raise RefusedError(WRITTEN_BY_NODES)

    def bulk_update_state(self, *args: Any, **kwargs: Any) -> RunnableConfig:
        """Refused: the state is written by the graph's steps only."""
        raise RefusedError(WRITTEN_BY_NODES)


def served_graph() -> ServedReviewGraph:
    """The review graph of the built-in gates, with the server's input schema and guards."""
    compiled = build_graph(input_schema=ServerInput).compile()
    attributes = {k: v for k, v in compiled.__dict__.items() if k != "__orig_class__"}
    return ServedReviewGraph(**attributes)


graph = served_graph()


def checkpointer() -> AbstractAsyncContextManager[BaseCheckpointSaver]:
    """The server workspace's checkpointer: SQLite in its home, or its Postgres database."""
    settings = resolve_settings()
    return async_saver(Workspace(settings.home, settings.database_url))
