"""How a model call fails: error kinds, the typed error, and the mapping from provider errors.

Nothing here imports litellm: the functions that inspect its exceptions are handed the module.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from vocabulary.errors import ModelError
from vocabulary.models import Usage

if TYPE_CHECKING:
    from agents.llm import ModelSettings

ErrorKind = Literal[
    "auth", "not_found", "rate_limit", "server", "timeout", "connection",
    "malformed", "refusal", "truncated", "bad_request", "budget",
]  # fmt: skip
Outcome = Literal["ok"] | ErrorKind
RETRYABLE: frozenset[str] = frozenset({"rate_limit", "server", "timeout", "connection"})
FATAL: frozenset[str] = frozenset({"auth", "not_found"})
_STATUS_KINDS: dict[int, ErrorKind] = {
    401: "auth", 403: "auth", 404: "not_found", 408: "timeout", 429: "rate_limit",
}  # fmt: skip
# Providers whose credentials are not one API key variable.
_CREDENTIALS = {"bedrock": "AWS credentials", "sagemaker": "AWS credentials"}
_CREDENTIALS["vertex_ai"] = "Google Cloud credentials"


class Attempt(BaseModel):
    """One HTTP request to the model: its outcome, HTTP status if any, its latency (from when
    the request left), how long it waited before that for a free slot (`max_concurrency`), and
    the client's own work around it (litellm building the request and reading the answer, as
    litellm measures it), kept apart from the latency like the wait."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    status: int | None = None
    latency_s: float
    wait_s: float = 0.0
    client_s: float = 0.0
    repair: bool = False


class ModelCallError(ModelError):
    """A model call that failed; `kind` says how, `fatal` says the whole review should stop."""

    def __init__(self, kind: ErrorKind, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind: ErrorKind = kind
        self.status = status
        self.attempts: list[Attempt] = []
        self.usage = Usage()

    @property
    def fatal(self) -> bool:
        """True for errors no other gate would escape either: bad credentials, unknown model."""
        return self.kind in FATAL

    @property
    def retryable(self) -> bool:
        """True for transient errors: rate limits, 5xx, timeouts, connection failures."""
        return self.kind in RETRYABLE


def classify(lt: ModuleType, exc: BaseException) -> tuple[ErrorKind, int | None]:
    """Map a litellm/openai exception (or our deadline) to an error kind and HTTP status."""
    text = str(exc).lower()
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    if isinstance(exc, TimeoutError | lt.Timeout):
        return "timeout", status
    if "missing credentials" in text or "api_key client option" in text:
        return "auth", None
    if "llm provider not provided" in text:
        return "not_found", None
    if isinstance(exc, lt.APIConnectionError) or "connection error" in text:
        return "connection", None
    if status is not None:
        return ("server" if status >= 500 else _STATUS_KINDS.get(status, "bad_request")), status
    classes: list[tuple[Any, ErrorKind]] = [
        (lt.AuthenticationError, "auth"), (lt.PermissionDeniedError, "auth"),
        (lt.NotFoundError, "not_found"), (lt.RateLimitError, "rate_limit"),
        (lt.BadRequestError, "bad_request"),
    ]  # fmt: skip
    return next((kind for cls, kind in classes if isinstance(exc, cls)), "server"), None


def describe(lt: ModuleType, kind: ErrorKind, settings: ModelSettings, exc: BaseException) -> str:
    """One line for the user: what failed and what to check."""
    head = f"model {settings.model}:"
    if kind == "auth":
        return f"{head} authentication failed (check {credential_hint(lt, settings)})"
    if kind == "not_found":
        return f"{head} unknown model (use provider/model, e.g. openai/gpt-4.1-mini)"
    if kind == "timeout":
        return f"{head} no answer within {settings.timeout_s:g} s"
    if kind == "connection":  # litellm's text repeats its class names around "Connection error"
        return f"{head} cannot connect to {settings.api_base or 'the provider'}"
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return f"{head} {kind.replace('_', ' ')}: {detail}"


def credential_hint(lt: ModuleType, settings: ModelSettings) -> str:
    """The credential a user should check for this model."""
    if settings.api_auth is not None:
        return "the user and password in --api-base"
    if settings.api_key is not None and settings.api_base is not None:
        return "the key your server expects: GATEREVIEW_API_KEY or OPENAI_API_KEY"
    if settings.api_key is not None:
        return "GATEREVIEW_API_KEY, or api_key in your settings file"
    try:
        provider = lt.get_llm_provider(settings.model)[1]
    except Exception:  # unparsable model string: no specific hint
        return "the provider's API key"
    return _CREDENTIALS.get(provider, f"{provider.upper()}_API_KEY")
