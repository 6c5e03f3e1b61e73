"""A model for benchmarks: an OpenAI-compatible server on 127.0.0.1 with a fixed delay per call.

It answers like the diligent fake model of the tests (`tests/fakes/openai_server.py`: the
offline reviewer's findings on the excerpts it was sent), caches each answer by request body
and holds every reply until `delay` seconds after the request arrived. It runs in its own
process (`ModelProcess`), so working out an answer never competes with the review measured;
a warm-up review fills the cache, after which a call costs the delay and a loopback round trip.

Run alone: `python bench/model_server.py DELAY` prints the base URL and serves until stdin
closes.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODEL = "bench-model"


class CachedModel:
    """Answers chat completions like a diligent model, from a cache after the first time."""

    def __init__(self, delay_s: float) -> None:
        sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
        from fakes.openai_server import answer

        self._answer = answer
        self.delay_s = delay_s
        self._cache: dict[str, tuple[int, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The reply to one request, sent `delay_s` after it arrived."""
        arrived = time.perf_counter()
        key = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self._lock:
            reply = self._cache.get(key)
        if reply is None:
            reply = self._answer(body, MODEL)
            with self._lock:
                self._cache[key] = reply
        time.sleep(max(0.0, arrived + self.delay_s - time.perf_counter()))
        return reply


class ModelProcess:
    """`python bench/model_server.py DELAY` in a child process, for a `with` block."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.api_base = ""
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> ModelProcess:
        self._process = subprocess.Popen(
            [sys.executable, __file__, str(self.delay_s)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        self.api_base = self._process.stdout.readline().strip()
        if not self.api_base.startswith("http"):
            raise RuntimeError("the benchmark model server did not start")
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)

    @property
    def flags(self) -> list[str]:
        """The review options that point `main.py` at this server."""
        return ["--model", f"openai/{MODEL}", "--api-base", self.api_base]


def main() -> None:
    """Serve until stdin closes."""
    sys.path.insert(0, str(ROOT))
    from evals.replay_server import LocalServer

    server = LocalServer(CachedModel(float(sys.argv[1])))
    # Keep connections open between calls, as a provider's API does.
    server._server.RequestHandlerClass.protocol_version = "HTTP/1.1"
    with server:
        print(server.api_base, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
