"""The one module that talks to litellm: structured completions, retries, repair, usage, budget."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from agents.budget import Budget, make_limiter
from agents.model_errors import (
    FATAL,
    RETRYABLE,
    Attempt,
    ErrorKind,
    ModelCallError,
    Outcome,
    classify,
    describe,
)
from agents.prompts import render
from vocabulary.models import Usage

__all__ = [
    "FATAL", "RETRYABLE", "Attempt", "Budget", "ErrorKind", "ModelCallError", "ModelSettings",
    "Outcome", "StructuredResult", "check_credentials", "complete_structured", "estimate_cost",
    "make_limiter",
]  # fmt: skip

T = TypeVar("T", bound=BaseModel)
# Responses litellm could not price under either name, as (answering model, configured model,
# size of litellm's map): pricing raises slowly, and a model registered later is priced again.
_UNMAPPED: set[tuple[str | None, str, int]] = set()
Message = dict[str, Any]


class ModelSettings(BaseModel):
    """How to reach one model; resolved once from flags/environment and passed down."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(description="A litellm model string, e.g. openai/gpt-4.1-mini")
    api_base: str | None = None
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    api_auth: SecretStr | None = Field(
        default=None, exclude=True, repr=False, description="user:password sent as Basic auth"
    )
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0)
    retry_wait_s: float = Field(default=1.0, ge=0, description="Backoff base; 0 in tests")
    temperature: float = 0.0
    price_in: float | None = Field(default=None, ge=0, description="USD per million input tokens")
    price_out: float | None = Field(default=None, ge=0, description="USD per million output")
    expected_output_tokens: int = Field(
        default=4096, ge=1, description="Cap on a structured answer; reserved against the budget"
    )


@dataclass
class StructuredResult(Generic[T]):
    """A validated model answer with what it cost and how it was obtained."""

    parsed: T
    raw: str
    usage: Usage
    model: str
    attempts: list[Attempt]
    purpose: str = ""
    repaired: bool = False


def _litellm() -> ModuleType:
    """Import litellm on first use (3-5 s), offline and quiet."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOG", "ERROR")
    import litellm

    litellm.suppress_debug_info = True  # else it prints "Give Feedback" banners on stdout
    litellm.telemetry = False
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return litellm


def _prices(lt: ModuleType, settings: ModelSettings) -> tuple[float, float] | None:
    """USD per input and output token, from the settings or litellm's bundled map."""
    if settings.price_in is not None and settings.price_out is not None:
        return settings.price_in / 1e6, settings.price_out / 1e6
    try:
        info = lt.get_model_info(settings.model)
    except Exception:  # litellm raises several types for unmapped models: price unknown
        return None
    price_in, price_out = info.get("input_cost_per_token"), info.get("output_cost_per_token")
    if not price_in and not price_out:
        return None
    return float(price_in or 0.0), float(price_out or 0.0)


def estimate_cost(
    settings: ModelSettings, messages: list[Message], schema: type[BaseModel] | None = None
) -> float | None:
    """Estimated USD of one call (prompt, schema, expected output); None if unpriced."""
    lt = _litellm()
    prices = _prices(lt, settings)
    if prices is None:
        return None
    tokens = lt.token_counter(model=settings.model, messages=messages)
    if schema is not None:
        tokens += lt.token_counter(model=settings.model, text=str(schema.model_json_schema()))
    return tokens * prices[0] + settings.expected_output_tokens * prices[1]


def _cost(
    lt: ModuleType, response: Any, settings: ModelSettings, tin: int, tout: int
) -> float | None:
    """The call's USD cost, or None when unknown (litellm says 0.0 or raises for unmapped names)."""
    if settings.price_in is not None and settings.price_out is not None:
        return (tin * settings.price_in + tout * settings.price_out) / 1e6
    # litellm prices each response as it arrives (for its own logging): use that figure rather
    # than pricing the response a second time.
    priced = (getattr(response, "_hidden_params", None) or {}).get("response_cost")
    if isinstance(priced, int | float) and priced > 0:
        return float(priced)
    names = (getattr(response, "model", None), settings.model, len(lt.model_cost))
    if names in _UNMAPPED:
        return None
    unknown = 0
    for model in (None, settings.model):  # the answering model's name first, then ours
        try:
            cost = lt.completion_cost(completion_response=response, model=model)
        except Exception:  # unmapped model: try the next name, else unknown
            unknown += 1
            continue
        if cost and cost > 0:
            return float(cost)
    if unknown == 2:
        _UNMAPPED.add(names)
    return None


def _usage(lt: ModuleType, response: Any, settings: ModelSettings, latency_s: float) -> Usage:
    """Tokens and cost reported for one response."""
    reported = getattr(response, "usage", None)
    tin = int(getattr(reported, "prompt_tokens", 0) or 0)
    tout = int(getattr(reported, "completion_tokens", 0) or 0)
    cost = _cost(lt, response, settings, tin, tout)
    return Usage(calls=1, input_tokens=tin, output_tokens=tout, cost_usd=cost, latency_s=latency_s)


def _request(settings: ModelSettings, messages: list[Message], **extra: Any) -> dict[str, Any]:
    """The keyword arguments of one litellm.acompletion call."""
    key = settings.api_key.get_secret_value() if settings.api_key else None
    if settings.api_auth is not None:  # credentials from the api_base URL, as curl sends them
        basic = base64.b64encode(settings.api_auth.get_secret_value().encode()).decode()
        extra = {"extra_headers": {"Authorization": f"Basic {basic}"}, **extra}
    return {
        "model": settings.model, "messages": messages, "timeout": settings.timeout_s,
        "num_retries": 0, "api_base": settings.api_base, "api_key": key,
        "temperature": settings.temperature, "drop_params": True, **extra,
    }  # fmt: skip


@dataclass
class _Exchange:
    """The state of one logical call: attempts and usage so far, budget and limiter."""

    lt: ModuleType
    settings: ModelSettings
    budget: Budget | None
    limiter: asyncio.Semaphore | None
    attempts: list[Attempt] = field(default_factory=list)
    usage: Usage = field(default_factory=lambda: Usage(cost_usd=0.0))

    async def send(self, request: dict[str, Any], *, repair: bool = False) -> Any:
        """One request with retries, held to the budget; returns the litellm response."""
        estimate = None
        if self.budget is not None and self.budget.limit_usd is not None:
            # Tokenising the prompt costs time: done only when there is a limit to hold.
            estimate = estimate_cost(
                self.settings, request["messages"], request.get("response_format")
            )
            if not self.budget.reserve(estimate):
                msg = f"model {self.settings.model}: budget of ${self.budget.limit_usd} reached"
                raise ModelCallError("budget", msg)
        spent = Usage()
        try:
            response = await self._retrying()(self._attempt, request, repair)
            spent = _usage(self.lt, response, self.settings, self.attempts[-1].latency_s)
            self.usage = self.usage.plus(spent)
            return response
        finally:
            if self.budget is not None:
                self.budget.settle(estimate, spent)

    def _retrying(self) -> AsyncRetrying:
        """Exponential backoff with full jitter, only on transient errors."""
        base = self.settings.retry_wait_s
        return AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_retries + 1),
            wait=wait_random_exponential(multiplier=base, max=base * 30),
            retry=retry_if_exception(lambda e: isinstance(e, ModelCallError) and e.retryable),
            reraise=True,
        )

    async def _attempt(self, request: dict[str, Any], repair: bool) -> Any:
        """One HTTP request under the limiter and a hard deadline.

        Latency counts from when the request leaves; the wait for a free slot is kept apart,
        so a gate queued behind others does not look like a slow model.
        """
        from openai import OpenAIError  # litellm's exceptions all derive from it

        queued = time.perf_counter()
        async with self.limiter if self.limiter else contextlib.nullcontext():
            started = time.perf_counter()
            wait = started - queued
            try:
                async with asyncio.timeout(self.settings.timeout_s):
                    response = await self.lt.acompletion(**request)
            except (TimeoutError, OpenAIError) as exc:
                kind, status = classify(self.lt, exc)
                self._record(kind, status, started, wait, repair)
                raise ModelCallError(
                    kind, describe(self.lt, kind, self.settings, exc), status=status
                ) from exc
        self._record("ok", 200, started, wait, repair, _client_seconds(response))
        return response

    def _record(
        self,
        outcome: Outcome,
        status: int | None,
        t0: float,
        wait: float,
        repair: bool,
        client: float = 0.0,
    ) -> None:
        """Note one attempt for the trace: its latency without the client's own work."""
        elapsed = time.perf_counter() - t0
        client = min(client, elapsed)
        self.attempts.append(
            Attempt(
                outcome=outcome,
                status=status,
                latency_s=round(elapsed - client, 4),
                wait_s=round(wait, 4),
                client_s=round(client, 4),
                repair=repair,
            )
        )


def _client_seconds(response: Any) -> float:
    """litellm's own time in a call (building the request, reading and pricing the answer),
    as it reports it beside every response; 0 when it does not."""
    hidden = getattr(response, "_hidden_params", None) or {}
    try:
        return max(0.0, float(hidden.get("litellm_overhead_time_ms") or 0.0) / 1000)
    except (TypeError, ValueError):
        return 0.0


def _content(response: Any, settings: ModelSettings) -> str:
    """The first choice's text; a typed error for no choices, a refusal or a truncated answer."""
    head = f"model {settings.model}:"
    if not getattr(response, "choices", None):
        raise ModelCallError("malformed", f"{head} the response has no choices")
    choice = response.choices[0]
    refusal = getattr(choice.message, "refusal", None)
    if refusal or choice.finish_reason == "content_filter":
        reason = str(refusal or "content filter")[:200]
        raise ModelCallError("refusal", f"{head} the model refused: {reason}")
    if choice.finish_reason == "length":
        raise ModelCallError("truncated", f"{head} the answer was cut off at the token limit")
    return choice.message.content or ""


def _errors(err: ValidationError) -> str:
    """A validation error as one compact line the model can act on."""
    parts = [f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in err.errors()]
    return "; ".join(parts)[:2000]


async def complete_structured(
    settings: ModelSettings,
    messages: list[Message],
    schema: type[T],
    *,
    purpose: str = "",
    budget: Budget | None = None,
    limiter: asyncio.Semaphore | None = None,
) -> StructuredResult[T]:
    """Ask the model for one `schema` instance; repair invalid output once, else ModelCallError."""
    lt = _litellm()
    call = _Exchange(lt, settings, budget, limiter)
    repaired = False
    try:
        cap = settings.expected_output_tokens
        response = await call.send(
            _request(settings, messages, response_format=schema, max_tokens=cap)
        )
        raw = _content(response, settings)
        parsed, problem = _checked(schema, raw)
        if parsed is None or problem is not None:
            repaired = True
            retry = [
                *messages,
                {"role": "assistant", "content": raw},
                {"role": "user", "content": render("repair_schema", errors=problem).text},
            ]
            response = await call.send(
                _request(settings, retry, response_format=schema, max_tokens=cap), repair=True
            )
            raw = _content(response, settings)
            parsed = _validate_again(schema, raw, settings)
    except ModelCallError as exc:
        exc.attempts, exc.usage = call.attempts, _total(call)
        raise
    model = str(getattr(response, "model", None) or settings.model)
    return StructuredResult(parsed, raw, _total(call), model, call.attempts, purpose, repaired)


def _checked(schema: type[T], raw: str) -> tuple[T | None, str | None]:
    """The answer and what is wrong with it: the schema's errors, or, for a schema-valid
    answer, why it is hollow (an answer type's own `hollow()`; None when nothing is)."""
    try:
        parsed = schema.model_validate_json(raw)
    except ValidationError as err:
        return None, _errors(err)
    hollow = getattr(parsed, "hollow", None)
    return parsed, hollow() if callable(hollow) else None


def _validate_again(schema: type[T], raw: str, settings: ModelSettings) -> T:
    """Validate the repaired output; a second failure, invalid or hollow, is final."""
    parsed, problem = _checked(schema, raw)
    if parsed is not None and problem is None:
        return parsed
    what = "hollow" if parsed is not None else "invalid"
    msg = f"model {settings.model}: {what} {schema.__name__} after one repair: {problem}"
    raise ModelCallError("malformed", msg[:300])


def _total(call: _Exchange) -> Usage:
    """The call's usage, with latency summed over every attempt including failed ones."""
    latency = round(sum(a.latency_s for a in call.attempts), 4)
    return call.usage.model_copy(update={"latency_s": latency})


def check_credentials(settings: ModelSettings) -> None:
    """Fail before any request on what is known locally: an unknown provider, or its key
    variable not set (both fatal `ModelCallError`s).

    There is no ping: a review's first calls stand in for one (see `agents.gate.Preflight`), so
    a model that works is not kept waiting for an extra round trip.
    """
    lt = _litellm()
    try:
        lt.get_llm_provider(settings.model, api_base=settings.api_base)
    except lt.BadRequestError as exc:  # "LLM Provider NOT provided"
        kind, _ = classify(lt, exc)
        raise ModelCallError(kind, describe(lt, kind, settings, exc)) from None
    if settings.api_key is None and settings.api_base is None:
        missing = lt.validate_environment(settings.model).get("missing_keys") or []
        keys = [name for name in missing if name.endswith("_KEY")]
        if keys:
            raise ModelCallError("auth", f"model {settings.model}: {keys[0]} is not set")
