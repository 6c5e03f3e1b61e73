"""The README's source examples work as written: each exported example gets the verdict of the
Markdown it was exported from, this repository can be reviewed at a commit, and the loopback
stand-in wiki serves a page tree over real HTTP."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.cli import cli_json

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
from evals.wiki_server import serving  # noqa: E402

RECORDED = ROOT / "tests" / "fixtures" / "confluence"


def _gates(*args: str) -> dict[str, str]:
    view = cli_json("review", *args)
    return {gate: v["status"] for gate, v in view["verdict"]["gates"].items()}


@pytest.mark.parametrize(
    ("export", "original"),
    [
        pytest.param("claimsense-confluence-export.html", "middling-claims-triage.md", id="html"),
        pytest.param("lexa-contract-search.odt", "strong-contract-search.md", id="odt"),
        pytest.param("askhr-business-case.pptx", "demo-grade-poc.md", id="pptx"),
    ],
)
def test_an_exported_example_reads_as_the_markdown_it_came_from(export: str, original: str) -> None:
    assert _gates(str(EXAMPLES / "exports" / export)) == _gates(str(EXAMPLES / original))


def test_this_repository_can_be_reviewed_as_in_its_latest_commit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inside = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True)
    if inside.returncode != 0:
        pytest.skip("not a git checkout (an unpacked archive): nothing to read at a commit")
    monkeypatch.chdir(ROOT)
    view = cli_json("review", ".", "--rev", "HEAD", "--path", "examples/strong-contract-search.md")
    [document] = view["documents"]
    assert document["path"] == "examples/strong-contract-search.md"
    assert document["origin"]["commit"] == inside.stdout.decode().strip()


@pytest.fixture
def stand_in_wiki(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """What `python examples/fake_confluence.py` serves, on a free port."""
    with serving(RECORDED) as base:
        monkeypatch.setenv("CONFLUENCE_URL", base)
        monkeypatch.setenv("CONFLUENCE_TOKEN", "any-token")
        monkeypatch.delenv("CONFLUENCE_USER", raising=False)
        yield base


def test_the_stand_in_wiki_serves_a_page_tree_over_http(stand_in_wiki: str) -> None:
    view = cli_json("review", "confluence:ENG/1001", "--with-children")
    assert [d["origin"]["url"] for d in view["documents"]] == [
        f"{stand_in_wiki}/spaces/ENG/pages/1001/Claims+assistant",
        f"{stand_in_wiki}/spaces/ENG/pages/1002/Model+and+platform",
        f"{stand_in_wiki}/spaces/ENG/pages/1003/Change+plan",
    ]
    assert os.environ["CONFLUENCE_TOKEN"] not in str(view)


def test_a_pr_comment_links_extracted_formats_to_their_file_without_a_line_anchor() -> None:
    from typer.testing import CliRunner

    from main import app

    view = cli_json("review", str(EXAMPLES / "exports" / "claimsense-confluence-export.html"))
    comment = CliRunner().invoke(app, ["show", view["run_id"], "--format", "github"]).output
    links = [line for line in comment.splitlines() if "claimsense-confluence-export.html" in line
             and "](" in line]  # fmt: skip
    assert links and not any("#L" in line for line in links)
