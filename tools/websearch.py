"""Web search for external context, cited as external evidence; bounded in time, never raises."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from vocabulary.models import Evidence

# Named backends: with "auto", ddgs on a hung network waits about four times its timeout.
DEFAULT_BACKENDS = "duckduckgo,brave"
DEFAULT_DEADLINE_S = 8.0
Hit = dict[str, Any]


class Searcher(Protocol):
    """A blocking web search: a query and a result count in, ddgs-style hits out."""

    def __call__(self, query: str, max_results: int) -> list[Hit]:
        """Hits as dicts with `title`, `href` and `body`; may raise or hang."""
        ...


class WebSearchOutcome(BaseModel):
    """What a search returned, or why it did not: a failure is a value, not an exception."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    query: str
    results: list[Evidence] = Field(default_factory=list)
    error: str | None = None
    latency_s: float = 0.0


def ddgs_searcher(
    *, backend: str = DEFAULT_BACKENDS, timeout_s: int = 5, proxy: str | None = None
) -> Searcher:
    """A Searcher over ddgs with named backends and a per-request timeout."""

    def search(query: str, max_results: int) -> list[Hit]:
        from ddgs import DDGS
        from ddgs.exceptions import DDGSException

        try:
            hits = DDGS(proxy=proxy, timeout=timeout_s).text(
                query, max_results=max_results, backend=backend
            )
        except DDGSException as exc:
            if "No results found" in str(exc):  # ddgs raises for an empty answer
                return []
            raise
        return list(hits)

    return search


def _in_daemon_thread(work: Callable[[], list[Hit]]) -> Future[list[Hit]]:
    """Run work in a daemon thread, so a hung search can neither block us nor the exit."""
    future: Future[list[Hit]] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to the waiting caller via the future
            future.set_exception(exc)

    threading.Thread(target=run, name="gatereview-websearch", daemon=True).start()
    return future


def _evidence(hits: list[Hit], max_results: int) -> list[Evidence]:
    """Hits with a url as external evidence; never verified, never document evidence."""
    found = []
    for hit in hits:
        url = hit.get("href") or hit.get("url")
        if not url:
            continue
        title = str(hit.get("title") or url)
        quote = " ".join(str(hit.get("body") or "").split())
        found.append(Evidence(kind="external", url=url, title=title, quote=quote, verified=False))
    return found[:max_results]


def _outcome(
    query: str, started: float, hits: list[Hit] | None, error: str | None, n: int
) -> WebSearchOutcome:
    """Package a result or a failure with its latency."""
    latency = round(time.perf_counter() - started, 3)
    if hits is None:
        return WebSearchOutcome(ok=False, query=query, error=error, latency_s=latency)
    return WebSearchOutcome(ok=True, query=query, results=_evidence(hits, n), latency_s=latency)


def _reason(exc: BaseException) -> str:
    """One line saying why a search failed."""
    detail = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def search_web(
    query: str,
    *,
    max_results: int = 5,
    searcher: Searcher | None = None,
    deadline_s: float = DEFAULT_DEADLINE_S,
) -> WebSearchOutcome:
    """Search the web within a hard deadline; failures come back as ok=False with the reason."""
    return asyncio.run(
        search_web_async(query, max_results=max_results, searcher=searcher, deadline_s=deadline_s)
    )


async def search_web_async(
    query: str,
    *,
    max_results: int = 5,
    searcher: Searcher | None = None,
    deadline_s: float = DEFAULT_DEADLINE_S,
) -> WebSearchOutcome:
    """search_web for agents on an event loop: the loop is never blocked while it waits."""
    started = time.perf_counter()
    search = searcher or ddgs_searcher()
    future = _in_daemon_thread(lambda: search(query, max_results))
    try:
        hits = await asyncio.wait_for(asyncio.wrap_future(future), deadline_s)
    except TimeoutError:
        return _outcome(query, started, None, f"no answer within {deadline_s:g} s", max_results)
    except Exception as exc:  # any search failure is reported, the review carries on
        return _outcome(query, started, None, _reason(exc), max_results)
    return _outcome(query, started, hits, None, max_results)
