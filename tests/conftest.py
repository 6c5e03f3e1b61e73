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
    for key in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    return home


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModel]:
    """A fake OpenAI endpoint (respx at api.openai.com) with a key in the environment."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with serve() as model:
        yield model
