"""Eval test helpers: copies of committed cases in a temporary suite, and running a suite."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from evals.cases import CASES_DIR, load_suite
from evals.runner import SuiteResult, SuiteRunner, run_suite
from evals.thresholds import Thresholds


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """An empty suite folder; `add_case` copies committed cases into it."""
    folder = tmp_path / "suite"
    folder.mkdir()
    return folder


def add_case(suite: Path, name: str) -> Path:
    """Copy a committed case (documents, expected.json, recording) into the suite."""
    return Path(shutil.copytree(CASES_DIR / name, suite / name))


def run(suite: Path, runner: SuiteRunner, thresholds: Thresholds | None = None) -> SuiteResult:
    """Run every case of a suite folder."""
    return asyncio.run(run_suite(suite, load_suite(suite), runner, thresholds or Thresholds()))
