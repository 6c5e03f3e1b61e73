"""The run context handed to every node: resolved settings, the workspace, the model runtime."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlparse

from pydantic import SecretStr

from agents.gate import ModelRuntime
from agents.llm import Budget, ModelSettings, make_limiter
from graphs.settings import Settings
from graphs.workspace import Workspace
from traces.recorder import TraceRecorder

LOCAL_PROVIDERS = ("ollama/", "ollama_chat/", "lm_studio/", "llamafile/")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class ReviewContext:
    """Per-invocation context; built again by whichever process resumes the run."""

    settings: Settings
    workspace: Workspace
    runtime: ModelRuntime | None = None
    recorder: TraceRecorder | None = None


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
    settings: Settings, spent_usd: float = 0.0, recorder: TraceRecorder | None = None
) -> ReviewContext:
    """The context of one invocation; `spent_usd` is what earlier invocations already spent."""
    workspace = Workspace(settings.home)
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
    )
    return ReviewContext(settings=settings, workspace=workspace, runtime=runtime, recorder=recorder)
