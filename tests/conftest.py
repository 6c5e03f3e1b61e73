"""Shared fixtures: every test gets its own workspace and never touches the real network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.openai_server import FakeModel, serve

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private GATEREVIEW_HOME per test, and no provider keys, user settings file or trace
    key from the developer's shell."""
    home = tmp_path / "home"
    monkeypatch.setenv("GATEREVIEW_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user-config"))
    monkeypatch.delenv("GATEREVIEW_TRACE_KEY", raising=False)
    monkeypatch.delenv("GATEREVIEW_MODEL", raising=False)
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_API_KEY", "CONFLUENCE_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    return home


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModel]:
    """A fake OpenAI endpoint (respx at api.openai.com) with a key in the environment."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with serve() as model:
        yield model


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str | None]:
    """The checkpoint database of a test run on both backends: None (SQLite in the workspace),
    or a fresh Postgres database on the server `.ci/run` started, set as
    GATEREVIEW_DATABASE_URL for this process and the processes it starts."""
    if request.param == "sqlite":
        yield None
        return
    import os
    import secrets

    server = os.environ.get("GATEREVIEW_TEST_DATABASE_URL")
    if not server:
        pytest.skip("no Postgres: GATEREVIEW_TEST_DATABASE_URL is unset (.ci/run starts one)")
    import psycopg

    name = f"gr_{secrets.token_hex(6)}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    url = f"{server.rsplit('/', 1)[0]}/{name}"
    monkeypatch.setenv("GATEREVIEW_DATABASE_URL", url)
    yield url
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
