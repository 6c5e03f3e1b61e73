"""The run context handed to every node: resolved settings, the workspace, the model runtime,
and what the gates of one invocation share (the documents as they read them, one index)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlparse

from pydantic import Field, SecretStr

from agents.gate import ModelRuntime, Preflight
from agents.llm import Budget, ModelSettings, make_limiter
from graphs.runtrace import anchor_trace, open_trace
from graphs.settings import Settings, resolve_settings
from graphs.workspace import Workspace
from guard import ReviewerInstruction, without_instructions
from tools.documents import Document
from tools.retrieval import SectionIndex
from traces.recorder import TraceRecorder
from vocabulary.errors import GateReviewError
from vocabulary.models import Strict

LOCAL_PROVIDERS = ("ollama/", "ollama_chat/", "lm_studio/", "llamafile/")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class GateDocuments:
    """The documents as every gate reads them (lines aimed at reviewers blanked) and their
    section index: prepared by the first gate of an invocation, shared by the others."""

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._prepared: tuple[list[Document], SectionIndex] | None = None

    def prepare(
        self, documents: list[dict[str, Any]], instructions: list[dict[str, Any]]
    ) -> tuple[list[Document], SectionIndex]:
        """The cleaned documents and their index for this state (built once per content)."""
        key = (
            tuple((d["path"], d["sha256"]) for d in documents),
            tuple((h["path"], h["line_start"], h["line_end"]) for h in instructions),
        )
        if self._prepared is None or key != self._key:
            hits = [ReviewerInstruction.model_validate(h) for h in instructions]
            cleaned = without_instructions([Document.model_validate(d) for d in documents], hits)
            self._key, self._prepared = key, (cleaned, SectionIndex(cleaned))
        return self._prepared


@dataclass(frozen=True)
class ReviewContext:
    """Per-invocation context; built again by whichever process resumes the run."""

    settings: Settings
    workspace: Workspace
    runtime: ModelRuntime | None = None
    recorder: TraceRecorder | None = None
    documents: GateDocuments = field(default_factory=GateDocuments, compare=False)


class ServerContext(Strict):
    """The plain, JSON context a LangGraph server passes (`context` of a run); all optional.

    Keys, endpoints, masking, web search and the workspace are not in it: they come from the
    server's environment, so a caller of a shared server cannot point the server's key at a
    host of its choosing or send unmasked text, and every run is checkpointed, claimed and
    traced in the one workspace the server uses. The model may only be the operator's, or
    offline.
    """

    model: str | None = Field(default=None, description="offline, or the server's model")
    budget_usd: float | None = Field(default=None, ge=0, description="Most one node may spend")
    max_concurrency: int | None = Field(default=None, ge=1, le=64)
    max_context_tokens: int | None = Field(default=None, ge=500)
    timeout_s: float | None = Field(default=None, gt=0)
    max_bytes: int | None = Field(default=None, ge=1)
    document_timeout_s: float | None = Field(default=None, gt=0)


NodeContext = ReviewContext | ServerContext | dict[str, Any] | None


def _traced_server_context(value: NodeContext, run_id: str) -> ReviewContext:
    """A context built from a server's JSON, with a recorder on the run's trace file."""
    config = ServerContext.model_validate(value or {})
    operator = resolve_settings()
    if config.model not in (None, "offline", operator.model):
        raise GateReviewError(
            f"context model {config.model!r}: this server reviews with {operator.model} or offline"
        )
    # context (limits, and offline) > GATEREVIEW_* of the server's environment > files > default
    ctx = make_context(resolve_settings(config.model_dump(exclude_none=True)))
    return replace(ctx, recorder=open_trace(ctx.workspace.ensure(), run_id, ctx.settings.model))


def _untraced(ctx: ReviewContext, run_id: str) -> bool:
    """A Python caller's context with no recorder on a run that has a trace: its nodes must
    still record (a decision is checked against the verdict the trace last recorded)."""
    return ctx.recorder is None and ctx.workspace.trace_file(run_id).is_file()


def _traced(value: NodeContext, run_id: str) -> ReviewContext:
    if isinstance(value, ReviewContext):
        recorder = open_trace(value.workspace.ensure(), run_id, value.settings.model)
        return replace(value, recorder=recorder)
    return _traced_server_context(value, run_id)


def _close_trace(ctx: ReviewContext) -> None:
    if ctx.recorder is not None:
        ctx.recorder.close()
        anchor_trace(ctx.workspace, ctx.recorder)


@contextmanager
def node_context(value: NodeContext, run_id: str) -> Iterator[ReviewContext]:
    """The context a node works with: the caller's own, or (a server's JSON) one whose trace
    records this node in the run's trace file, anchored in the workspace when the node ends."""
    if isinstance(value, ReviewContext) and not _untraced(value, run_id):
        yield value
        return
    ctx = _traced(value, run_id)
    try:
        yield ctx
    finally:
        _close_trace(ctx)


@asynccontextmanager
async def async_node_context(value: NodeContext, run_id: str) -> AsyncIterator[ReviewContext]:
    """`node_context` for an async node: the trace file is opened and closed off the loop."""
    if isinstance(value, ReviewContext) and not _untraced(value, run_id):
        yield value
        return
    ctx = await asyncio.to_thread(_traced, value, run_id)
    try:
        yield ctx
    finally:
        await asyncio.to_thread(_close_trace, ctx)


def is_local_model(settings: Settings) -> bool:
    """True when the endpoint is on this machine (a local provider or a loopback api_base).

    Only used to spare a local server a key; masking does not depend on it, since a local
    proxy often forwards to a hosted provider.
    """
    if settings.api_base:
        return urlparse(settings.api_base).hostname in LOCAL_HOSTS
    return settings.model.startswith(LOCAL_PROVIDERS)


def model_settings(settings: Settings) -> ModelSettings:
    """How to reach the configured model."""
    key = settings.api_key
    if settings.api_auth is not None:
        key = SecretStr("no-key")  # the URL's credentials are sent instead of any key
    elif key is None and settings.api_base and is_local_model(settings):
        # A server on this machine takes any key, but the openai client refuses to send none.
        key = SecretStr(os.environ.get("OPENAI_API_KEY") or "no-key")
    return ModelSettings(
        model=settings.model,
        api_base=settings.api_base,
        api_key=key,
        api_auth=settings.api_auth,
        timeout_s=settings.timeout_s,
        price_in=settings.price_in,
        price_out=settings.price_out,
    )


def make_context(
    settings: Settings,
    spent_usd: float = 0.0,
    recorder: TraceRecorder | None = None,
    *,
    preflight: bool = False,
) -> ReviewContext:
    """The context of one invocation; `spent_usd` is what earlier invocations already spent;
    with `preflight`, its first calls stand in for a preflight request (see `Preflight`)."""
    workspace = Workspace(settings.home, settings.database_url)
    if settings.offline:
        return ReviewContext(settings=settings, workspace=workspace, recorder=recorder)
    limit = None if settings.budget_usd is None else max(0.0, settings.budget_usd - spent_usd)
    runtime = ModelRuntime(
        settings=model_settings(settings),
        budget=Budget(limit),
        limiter=make_limiter(settings.max_concurrency),
        max_context_tokens=settings.max_context_tokens,
        redact=settings.mask,
        web=settings.web,
        preflight=Preflight() if preflight else None,
    )
    return ReviewContext(settings=settings, workspace=workspace, runtime=runtime, recorder=recorder)
