"""A screened verdict says so wherever it appears: terminal, JSON, reports, SARIF, PR comment."""

from __future__ import annotations

import json
from pathlib import Path

from fakes.cli import cli_json
from typer.testing import CliRunner

from cli.app import app

ROOT = Path(__file__).resolve().parents[2]
STRONG = str(ROOT / "examples" / "strong-contract-search.md")
runner = CliRunner()


def test_an_offline_review_is_called_a_screen_in_every_output() -> None:
    review = cli_json("review", STRONG)
    verdict = review["verdict"]
    assert verdict["screened"] and "screened offline" in verdict["summary"]
    assert verdict["overall"] != "ready"
    assert all(g["screened"] and g["status"] != "ready" for g in verdict["gates"].values())
    run = review["run_id"]

    table = runner.invoke(app, ["show", run], env={"COLUMNS": "100"})
    assert table.exit_code == 0 and "(screened)" in table.stdout
    sarif = json.loads(runner.invoke(app, ["show", run, "--format", "sarif"]).stdout)
    assert sarif["runs"][0]["properties"]["screened"] is True
    comment = runner.invoke(app, ["show", run, "--format", "github"]).stdout
    assert "screened offline, not certified" in comment.splitlines()[0]
    page = runner.invoke(app, ["show", run, "--format", "html"]).stdout
    assert "screened offline, not certified" in page

    approved = cli_json("approve", run, "--reviewer", "ana")
    markdown = Path(approved["report"]["markdown"]).read_text(encoding="utf-8")
    assert "(screened offline, not certified)" in markdown
    report = json.loads(Path(approved["report"]["json"]).read_text(encoding="utf-8"))
    assert report["verdict"]["screened"] is True
