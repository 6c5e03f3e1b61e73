"""The fake model behind real HTTP on 127.0.0.1, for reviews running in other processes.

respx only patches the test's own process; a review started with `python main.py review ...
--api-base URL` reaches this server instead. It answers like `fakes.openai_server` (a diligent
model), logs every request by kind and gate, and can hold chosen requests unanswered until the
test releases them, so a test can kill the client while it waits on a known request.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any

from fakes.openai_server import Kind, answer, request_kind

from evals.replay_server import LocalServer

MODEL = "test-model"
Request = tuple[Kind, str | None]


class ServedModel:
    """An OpenAI-compatible server answering like a model; holds scripted requests."""

    def __init__(self, model: str = MODEL) -> None:
        self.model = model
        self.requests: list[Request] = []
        self.bodies: list[dict[str, Any]] = []
        self._holds: dict[Request, int] = {}
        self._changed = threading.Condition()
        self._release = threading.Event()
        self._server = LocalServer(self._answer)
        # A held answer goes to a client killed meanwhile: a broken pipe, not worth a traceback.
        self._server._server.handle_error = lambda request, address: None  # type: ignore[method-assign]

    @property
    def api_base(self) -> str:
        """The base URL to pass as --api-base."""
        return self._server.api_base

    def hold(self, kind: Kind, gate: str | None = None, times: int = 1) -> None:
        """Leave the next `times` requests of this kind (and gate) unanswered until released."""
        with self._changed:
            self._holds[(kind, gate)] = times

    @property
    def flags(self) -> list[str]:
        """The review options that point `main.py` at this server."""
        return ["--model", f"openai/{self.model}", "--api-base", self.api_base]

    def per_gate(self, kind: Kind = "review") -> Counter[str | None]:
        """How many requests of this kind each gate sent."""
        with self._changed:
            return Counter(g for k, g in self.requests if k == kind)

    def last_body(self, kind: Kind, gate: str | None = None) -> dict[str, Any]:
        """The body of the latest request of this kind (and gate)."""
        with self._changed:
            pairs = zip(self.requests, self.bodies, strict=True)
            return [b for (k, g), b in pairs if k == kind and (gate is None or g == gate)][-1]

    def count(self, kind: Kind, gate: str | None = None) -> int:
        """How many requests of this kind (and gate, when given) arrived."""
        with self._changed:
            return sum(1 for k, g in self.requests if k == kind and (gate is None or g == gate))

    def wait_for(self, condition: Callable[[], bool], what: str, timeout_s: float = 120) -> None:
        """Block until `condition` holds, re-checked whenever a request arrives."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout_s):
                raise AssertionError(f"timed out waiting for {what}; requests: {self.requests}")

    def _answer(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request = request_kind(body)
        with self._changed:
            self.requests.append(request)
            self.bodies.append(body)
            held = self._holds.get(request, 0) > 0
            if held:
                self._holds[request] -= 1
            self._changed.notify_all()
        if held:
            self._release.wait(300)  # the client is killed meanwhile; nobody reads this answer
            return 503, {"error": {"message": "released", "type": "server_error"}}
        return answer(body, self.model)

    def __enter__(self) -> ServedModel:
        self._server.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._release.set()
        self._server.__exit__(kind, exc, tb)
