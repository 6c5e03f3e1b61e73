"""Exports travel (CI artefacts, PR comments, code-scanning alerts): they mask as reports do."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.cli import cli_json
from fakes.personal_data import PERSONAL_DOC, SEEDED
from typer.testing import CliRunner

from main import app

runner = CliRunner()


@pytest.mark.parametrize("fmt", ["sarif", "html", "github"])
def test_exports_mask_the_personal_data_the_quotes_hold(fmt: str, workspace: Path) -> None:
    run = cli_json("review", str(PERSONAL_DOC))
    quotes = " ".join(e["quote"] for f in run["findings"] for e in f["evidence"])
    assert any(value in quotes for value in SEEDED)  # the run quotes them, for its owner
    result = runner.invoke(app, ["show", run["run_id"], "--format", fmt])
    assert result.exit_code == 0, result.output
    assert [v for v in SEEDED if v in result.stdout] == []
    if fmt != "sarif":  # SARIF carries locations and summaries, not the quotes
        assert "REDACTED" in result.stdout


def test_the_html_report_written_on_a_decision_masks_them(workspace: Path) -> None:
    run_id = cli_json("review", str(PERSONAL_DOC))["run_id"]
    cli_json("approve", run_id, "--reviewer", "ana", "--comment", "ok: 4111-1111-1111-1111")
    page = (workspace / "reports" / f"{run_id}.html").read_text(encoding="utf-8")
    assert [v for v in SEEDED if v in page] == [] and "4111-1111-1111-1111" not in page
