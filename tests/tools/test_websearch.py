"""tools.websearch: results become external evidence; failures and hangs come back in time."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tools.websearch import ddgs_searcher, search_web, search_web_async

HITS = [
    {
        "title": "Regulation (EU) 2024/1689 (AI Act)",
        "href": "https://eur-lex.europa.eu/eli/reg/2024/1689/oj",
        "body": "Laying down harmonised rules on artificial intelligence\n and amending ...",
    },
    {"title": "no link", "body": "a hit without a url is not citable"},
    {
        "title": "Data residency",
        "href": "https://example.com/residency",
        "body": "Customer data is stored in the EU region.",
    },
]


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event a hanging searcher waits on; set at teardown so its thread ends."""
    event = threading.Event()
    yield event
    event.set()


def test_results_become_external_evidence() -> None:
    asked: list[tuple[str, int]] = []

    def fake(query: str, max_results: int) -> list[dict[str, Any]]:
        asked.append((query, max_results))
        return HITS

    outcome = search_web("EU AI Act high-risk obligations", max_results=5, searcher=fake)
    assert outcome.ok and outcome.error is None
    assert asked == [("EU AI Act high-risk obligations", 5)]
    assert [e.url for e in outcome.results] == [HITS[0]["href"], HITS[2]["href"]]
    first = outcome.results[0]
    assert (first.kind, first.verified, first.title) == ("external", False, HITS[0]["title"])
    assert first.quote == "Laying down harmonised rules on artificial intelligence and amending ..."
    assert first.location == HITS[0]["href"]


def test_max_results_is_respected() -> None:
    outcome = search_web("q", max_results=1, searcher=lambda query, n: HITS)
    assert len(outcome.results) == 1


def test_a_failing_searcher_is_reported_not_raised() -> None:
    def broken(query: str, max_results: int) -> list[dict[str, Any]]:
        raise ConnectionError("error sending request: dns error")

    outcome = search_web("q", searcher=broken)
    assert not outcome.ok and outcome.results == []
    assert outcome.error == "ConnectionError: error sending request: dns error"


def test_a_hanging_searcher_returns_at_the_deadline(release: threading.Event) -> None:
    def hangs(query: str, max_results: int) -> list[dict[str, Any]]:
        release.wait()
        return HITS

    outcome = search_web("q", searcher=hangs, deadline_s=0.3)
    assert not outcome.ok and outcome.error == "no answer within 0.3 s"


def test_the_async_search_does_not_block_the_loop(release: threading.Event) -> None:
    def hangs(query: str, max_results: int) -> list[dict[str, Any]]:
        release.wait()
        return HITS

    async def both() -> tuple[Any, Any]:
        hung = search_web_async("q", searcher=hangs, deadline_s=0.3)
        fine = search_web_async("q", searcher=lambda query, n: HITS)
        return await asyncio.gather(hung, fine)

    hung, fine = asyncio.run(both())
    assert not hung.ok and hung.error == "no answer within 0.3 s"
    assert fine.ok and len(fine.results) == 2


def test_real_ddgs_without_a_reachable_network_fails_fast() -> None:
    # A proxy on a name that can never resolve (RFC 2606 .invalid): no request leaves the
    # machine, on this sandbox or on one with internet, and ddgs fails as with no network.
    searcher = ddgs_searcher(proxy="http://proxy.gatereview.invalid:3128")
    outcome = search_web("EU AI Act data governance obligations", searcher=searcher, deadline_s=8)
    assert not outcome.ok and outcome.error and outcome.results == []


def test_real_ddgs_through_a_refusing_proxy_fails_fast() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
    searcher = ddgs_searcher(proxy=f"http://127.0.0.1:{port}")  # closed port: refused
    outcome = search_web("q", searcher=searcher, deadline_s=8)
    assert not outcome.ok and "DDGSException" in (outcome.error or "")


def test_real_ddgs_on_a_hung_network_stops_at_the_deadline() -> None:
    with socket.create_server(("127.0.0.1", 0)) as blackhole:  # accepts, never answers
        proxy = f"http://127.0.0.1:{blackhole.getsockname()[1]}"
        # ddgs's own pool threads are joined at exit: keep its timeout short in tests.
        searcher = ddgs_searcher(proxy=proxy, timeout_s=2)
        outcome = search_web("q", searcher=searcher, deadline_s=0.5)
    assert not outcome.ok and outcome.error == "no answer within 0.5 s"
