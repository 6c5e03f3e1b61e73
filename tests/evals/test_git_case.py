"""An eval case can be a repository at a past commit: its bundle is cloned, read at the
case's commit and path, and the later commit's text never reaches the review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.app import app
from evals.cases import load_case
from tools.intake import load_sources

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "evals" / "cases" / "git-past-commit-travel-bot"
LATER = (ROOT / "evals" / "cases" / "strong-supplier-queries" / "design.md").read_text()
PAST = (ROOT / "evals" / "cases" / "demo-grade-travel-bot" / "design.md").read_text()


def test_the_case_reads_the_bundle_at_its_commit_not_the_later_one() -> None:
    case = load_case(CASE)
    assert case.documents() == []  # the bundle and git.toml are the case's, not documents
    with case.sources() as (paths, options, _):
        documents = load_sources(paths, options).documents
    assert [d.path.endswith("docs/design.md") for d in documents] == [True]
    text = "\n".join(documents[0].lines)
    assert text.strip() == PAST.strip() and text.strip() != LATER.strip()
    assert documents[0].origin  # the commit it was read at is recorded


@pytest.mark.parametrize("model", ["offline", "replay"])
def test_the_git_case_is_scored_in_both_modes(model: str) -> None:
    result = CliRunner().invoke(app, ["eval", str(CASE), "--model", model, "--json"])
    [case] = json.loads(result.stdout)["cases"]
    assert case["status"] == "scored", case["problems"]
    assert case["overall"] != "ready"
