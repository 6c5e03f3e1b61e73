"""A tiny OpenAI-compatible HTTP server on 127.0.0.1 that replays or records chat completions.

litellm is pointed at it with `api_base`, so a replayed response goes through the openai client,
retries, repair, verification, budget and coordinator exactly as a live one would.

- replay: `POST /v1/chat/completions` is answered with the recorded body for the request's
  canonical key; a request with no recording gets HTTP 400 and is logged in `misses`, so the
  runner can fail the case (a 400 would otherwise only degrade one gate to offline).
- capture: as replay, and a request with no recording is also saved whole as `<key>.json` in
  a folder, so it can be answered by other means and stored (see evals.capture).
- record: the request is forwarded to the upstream base URL with httpx and the provider's
  answer is stored under the request's key (never the Authorization header).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from evals.recording import Entry, RequestInfo, canonical_key, describe, what_changed

COMPLETIONS = "/v1/chat/completions"
Answer = Callable[[dict[str, Any], dict[str, str]], tuple[int, dict[str, Any]]]
FORWARDED_HEADERS = ("authorization", "api-key", "x-api-key", "openai-organization")


@dataclass(frozen=True)
class Miss:
    """A request the recording could not answer, and what differs from what was recorded."""

    request: RequestInfo
    changed: str

    @property
    def message(self) -> str:
        """One line naming the request and the change."""
        return f"{self.request.label}: {self.changed}"


class LocalServer:
    """An HTTP server on 127.0.0.1 (a free port) in a daemon thread, answering chat completions."""

    def __init__(self, answer: Answer) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answer))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_base(self) -> str:
        """The OpenAI-style base URL of the server."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


class ReplayServer(LocalServer):
    """Serves a set of recorded entries, or records new ones through an upstream."""

    def __init__(
        self, upstream: str | None = None, timeout_s: float = 120.0, capture: Path | None = None
    ) -> None:
        self.upstream = upstream.rstrip("/") if upstream else None
        self.capture = capture
        self.timeout_s = timeout_s
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()
        self.misses: list[Miss] = []
        self.recorded: list[Entry] = []
        super().__init__(self.answer)

    def load(self, entries: list[Entry]) -> None:
        """Serve these entries from now on; forget earlier entries, misses and recordings."""
        with self._lock:
            self._entries = {e.key: e for e in entries}
            self.misses, self.recorded = [], []

    def answer(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The status and body for one request (called from the server's threads)."""
        key = canonical_key(body)
        info = describe(body)
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            return entry.status, entry.response
        if self.upstream is not None:
            return self._forward(key, info, body, headers)
        with self._lock:
            recorded = [e.request for e in self._entries.values()]
            miss = Miss(info, what_changed(info, recorded))
            self.misses.append(miss)
        if self.capture is not None:  # keep the exact request, to be answered and stored later
            request = self.capture / f"{key}.json"
            request.write_text(json.dumps(body, indent=1, ensure_ascii=False), encoding="utf-8")
        error = {
            "message": f"no recording for this request ({miss.message}); re-record with "
            "`python main.py eval --record --model MODEL`",
            "type": "invalid_request_error",
            "code": "stale_recording",
        }
        return HTTPStatus.BAD_REQUEST, {"error": error}

    def _forward(
        self, key: str, info: RequestInfo, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        sent = {k: v for k, v in headers.items() if k.lower() in FORWARDED_HEADERS}
        with httpx.Client(timeout=self.timeout_s) as client:
            reply = client.post(f"{self.upstream}/chat/completions", json=body, headers=sent)
        try:
            payload = reply.json()
        except ValueError:
            payload = {"error": {"message": reply.text[:500], "type": "upstream_error"}}
        if reply.status_code == HTTPStatus.OK:
            entry = Entry(key=key, request=info, status=reply.status_code, response=payload)
            with self._lock:
                self._entries[key] = entry
                self.recorded.append(entry)
        return reply.status_code, payload


def _handler(answer: Answer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Routes POST /v1/chat/completions to `answer`; everything else is 404."""

        # Headers and body are two writes: with Nagle's algorithm on, the body waits for the
        # client's delayed acknowledgement of the headers (40 ms on Linux), as no API server does.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            if self.path.rstrip("/") != COMPLETIONS:
                self._send(HTTPStatus.NOT_FOUND, {"error": {"message": f"no route {self.path}"}})
                return
            length = int(self.headers.get("content-length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, {"error": {"message": "body is not JSON"}})
                return
            try:
                status, payload = answer(body, dict(self.headers.items()))
            except httpx.HTTPError as exc:
                status, payload = HTTPStatus.BAD_GATEWAY, {"error": {"message": str(exc)}}
            self._send(status, payload)

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: nothing below main.py prints."""

    return Handler
