"""Fixtures for the trace tests: a private workspace and a complete synthetic run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from synthetic_run import RUN_ID, decide_and_finish, review_until_interrupt

from traces.recorder import TraceRecorder


@pytest.fixture
def trace_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where this test's run writes its trace, inside its own workspace."""
    monkeypatch.setenv("GATEREVIEW_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "traces" / f"{RUN_ID}.jsonl"


@pytest.fixture
def full_run(trace_path: Path) -> Callable[[], Path]:
    """Write a complete run (review, then decision in a second recorder) and return its path."""

    def write() -> Path:
        """Run both halves."""
        review_until_interrupt(TraceRecorder(trace_path, RUN_ID))
        decide_and_finish(TraceRecorder(trace_path, RUN_ID))
        return trace_path

    return write
