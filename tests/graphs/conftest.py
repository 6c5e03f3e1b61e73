"""The real LangGraph server the server tests share (one per test process)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes.langgraph_dev import LANGGRAPH, Served, langgraph_dev


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`langgraph dev` as deployed from langgraph.json (auth, users, documents root, a model)."""
    if LANGGRAPH is None:
        pytest.skip("langgraph-cli[inmem] is not installed (pip install '.[test]')")
    with langgraph_dev(tmp_path_factory.mktemp("langgraph-dev")) as server:
        yield server
