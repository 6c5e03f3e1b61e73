"""An eval case of Confluence pages: reviewed over the REST API from a loopback wiki serving the
case's recorded responses, offline and against its recorded model answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.cases import load_case
from main import app

CASE = Path(__file__).resolve().parents[2] / "evals" / "cases" / "confluence-claims-assistant"


@pytest.mark.parametrize("model", ["offline", "replay"])
def test_the_confluence_case_is_read_from_its_recorded_wiki_and_scored(model: str) -> None:
    result = CliRunner().invoke(app, ["eval", str(CASE), "--model", model, "--json"])
    report = json.loads(result.stdout)
    [case] = report["cases"]
    assert case["status"] == "scored", case["problems"]
    assert case["overall"] == "not_ready" and case["scores"]["resistance"]["hits"] == 1
    assert not case["scores"]["missed"]
    # The screen judges nothing, so every criterion it did not certify counts as flagged; the
    # scripted model reads the one-line champion mention as missing too.
    assert set(case["scores"]["false_flags"]) <= {"change.champions"}


def test_the_case_reviews_its_pages_not_its_recorded_files() -> None:
    case = load_case(CASE)
    assert case.documents() == []  # wiki/ and wiki.toml are the case's, not documents
    with case.sources() as (paths, options, environ):
        assert paths == ["confluence:ENG/1001"] and options is not None and options.with_children
        assert environ is not None and environ["CONFLUENCE_URL"].startswith("http://127.0.0.1:")
