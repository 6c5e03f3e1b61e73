"""The CI gate: --fail-on turns a verdict at or below a threshold into exit status 3."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.cli import cli_json
from typer.testing import CliRunner

from main import app

ROOT = Path(__file__).resolve().parent.parent
DEMO = str(ROOT / "tests" / "fixtures" / "docs" / "demo.md")  # not_ready: silent on four gates
STRONG = str(ROOT / "examples" / "strong-contract-search.md")  # ready_with_conditions
runner = CliRunner()


@pytest.mark.parametrize(
    ("doc", "fail_on", "code"),
    [
        (DEMO, "not_ready", 3),
        (DEMO, "conditional", 3),
        (DEMO, "never", 0),
        (STRONG, "not_ready", 0),
        (STRONG, "conditional", 3),
    ],
    ids=["demo-not_ready", "demo-conditional", "demo-never", "strong-not_ready",
         "strong-conditional"],
)
def test_review_exits_3_at_or_below_the_threshold(doc: str, fail_on: str, code: int) -> None:
    result = runner.invoke(app, ["review", doc, "--fail-on", fail_on])
    assert result.exit_code == code, result.output
    if code == 3:
        assert f"fails --fail-on {fail_on}" in result.stderr


def test_review_without_fail_on_exits_0_on_not_ready() -> None:
    assert runner.invoke(app, ["review", DEMO]).exit_code == 0


def test_show_applies_the_same_gate() -> None:
    run_id = cli_json("review", DEMO)["run_id"]
    assert runner.invoke(app, ["show", run_id, "--fail-on", "not_ready"]).exit_code == 3
    assert runner.invoke(app, ["show", run_id, "--fail-on", "never"]).exit_code == 0


def test_an_unknown_threshold_is_a_user_mistake() -> None:
    result = runner.invoke(app, ["review", DEMO, "--fail-on", "sometimes"])
    assert result.exit_code == 2
    assert "sometimes" in result.output
