"""The PR comment and the example workflow: Markdown under GitHub's limit, real actions only."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from fakes.exports import HOSTILE, ROOT, quoted
from typer.testing import CliRunner

from agents.models import Finding
from exports.github import COMMENT_LIMIT, blob_base, render_github
from exports.sources import Source
from graphs.view import RunView
from main import app

runner = CliRunner()
WORKFLOW = ROOT / "examples" / "github-action.yml"
# Published actions the example may use, each at a major version that exists.
REAL_ACTIONS = {
    "actions/checkout@v4",
    "actions/setup-python@v5",
    "actions/upload-artifact@v4",
    "github/codeql-action/upload-sarif@v3",
    "marocchino/sticky-pull-request-comment@v2",
}


def test_comment_has_a_collapsible_section_per_gate_and_line_links(
    flagged: tuple[RunView, dict[str, Source]],
) -> None:
    view, _ = flagged
    text = render_github(view, base="https://github.com/o/r/blob/abc/")
    assert text.count("<details>") == text.count("</details>") == 5
    assert "(https://github.com/o/r/blob/abc/doc.md#L4)" in text
    assert "Disputed: offline finds nothing" in text
    assert "Unsupported: off topic" in text
    assert "`mentioned`" in text and "(dismissed)" in text


def test_comment_escapes_document_text(flagged: tuple[RunView, dict[str, Source]]) -> None:
    view, _ = flagged
    text = render_github(view)
    assert "<script>" not in text and HOSTILE not in text
    assert r"\<script\>" in text


def test_a_huge_run_still_fits_in_one_comment(flagged: tuple[RunView, dict[str, Source]]) -> None:
    view, _ = flagged
    long_quote = "x" * 3000
    many = [
        Finding.model_validate(
            {**view.findings[1].model_dump(), "id": f"data.sources{i}",
             "evidence": [quoted(5, long_quote).model_dump()] * 3}
        )
        for i in range(200)
    ]
    text = render_github(view.model_copy(update={"findings": many}))
    assert len(text) <= COMMENT_LIMIT
    assert text.count("<details>") == text.count("</details>")


def test_links_point_at_the_commit_inside_github_actions() -> None:
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
           "GITHUB_SHA": "abc"}
    assert blob_base(env) == "https://github.com/o/r/blob/abc/"
    assert blob_base({}) == ""


def test_show_prints_the_comment(demo_run: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", demo_run, "--format", "github"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## ") and "not_ready" in result.stdout
    assert len(result.stdout) < COMMENT_LIMIT


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_example_workflow_parses_and_names_only_real_actions() -> None:
    steps = _workflow()["jobs"]["gatereview"]["steps"]
    used = {s["uses"] for s in steps if "uses" in s}
    assert used <= REAL_ACTIONS, used - REAL_ACTIONS
    assert "github/codeql-action/upload-sarif@v3" in used


def _commands() -> list[list[str]]:
    steps = _workflow()["jobs"]["gatereview"]["steps"]
    script = "\n".join(s.get("run", "") for s in steps).replace("\\\n", " ")
    found = []
    for line in script.splitlines():
        if "gatereview " in line and "pip install" not in line:
            words = shlex.split(line[line.index("gatereview ") :].split(">")[0])
            found.append(words[1:])
    return found


@pytest.mark.parametrize("command", _commands(), ids=lambda c: c[0])
def test_example_workflow_uses_only_options_the_cli_has(command: list[str]) -> None:
    helped = runner.invoke(app, [command[0], "--help"], terminal_width=200)
    options = [w.split("=")[0] for w in command if w.startswith("-")]
    assert options
    for option in options:
        assert re.search(rf"{re.escape(option)}\b", helped.stdout), option
