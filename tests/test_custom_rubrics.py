"""A sixth gate from a rubric file alone: reviewed, decided, re-reviewed, reported and traced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes.cli import cli_json
from typer.testing import CliRunner

from main import app

ROOT = Path(__file__).resolve().parent.parent
DOC = str(ROOT / "examples" / "strong-contract-search.md")
RUBRICS = str(ROOT / "examples" / "rubrics")
runner = CliRunner()


def test_a_sixth_gate_reviews_decides_and_reports_end_to_end(workspace: Path) -> None:
    review = cli_json("review", DOC, "--rubrics", RUBRICS)
    assert list(review["gates"]) == ["data", "risk", "platform", "product", "change", "security"]
    assert review["verdict"]["gates"]["security"]["status"] == "conditional"  # screened
    security = [f for f in review["findings"] if f["gate"] == "security"]
    assert {f["criterion"] for f in security} == {
        "security.access_control", "security.secrets", "security.infosec_review",
        "security.encryption",
    }
    found = [f for f in security if f["status"] == "found"]
    assert found and all(e["verified"] for f in found for e in f["evidence"])
    assert review["rubrics"]["gates"][-1] == "security"
    run = review["run_id"]

    again = cli_json("reject", run, "--reviewer", "ana", "--comment", "look again",
                     "--gate", "security")
    assert again["state"] == "awaiting_decision"
    # The screen certifies nothing: the reviewer reads each criterion and amends it to met.
    for criterion in sorted(f["criterion"] for f in security):
        amended = cli_json("amend", run, "--reviewer", "ana", "--finding", criterion,
                           "--status", "met", "--reason", "read the quoted passages")
    assert amended["verdict"]["gates"]["security"]["status"] == "ready"
    approved = cli_json("approve", run, "--reviewer", "ana")
    report = json.loads(Path(approved["report"]["json"]).read_text(encoding="utf-8"))
    assert report["rubrics"]["digest"] == review["rubrics"]["digest"]
    assert report["verdict"]["gates"]["security"]["status"] == "ready"
    markdown = Path(approved["report"]["markdown"]).read_text(encoding="utf-8")
    assert f"Rubric set `{review['rubrics']['digest']}`" in markdown
    assert "| security | ready |" in markdown
    page = Path(approved["report"]["html"]).read_text(encoding="utf-8")
    assert "<td>security</td>" in page  # the HTML report's gate table has the sixth gate
    sarif = runner.invoke(app, ["show", run, "--format", "sarif"])
    rules = json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert "security.infosec_review" in {r["id"] for r in rules}  # rules from the run's rubrics

    start = json.loads((workspace / "traces" / f"{run}.jsonl").read_text().splitlines()[0])
    attributes = start["attributes"]
    assert attributes["gatereview.rubric_set"] == review["rubrics"]["digest"]
    assert set(attributes["gatereview.rubrics"]) >= {"security", "data"}


def test_the_rubric_set_digest_tells_built_in_and_custom_runs_apart() -> None:
    built_in = cli_json("review", DOC)
    custom = cli_json("review", DOC, "--rubrics", RUBRICS)
    assert built_in["rubrics"]["source"] == "built-in"
    assert built_in["rubrics"]["digest"] != custom["rubrics"]["digest"]
    assert "security" not in built_in["gates"]


def test_a_trusted_settings_file_names_the_rubric_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "data.toml").write_text('drop = ["data.freshness"]\n', encoding="utf-8")
    (tmp_path / "team.toml").write_text('rubrics = "ours"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    review = cli_json("review", DOC, "--config", "team.toml")
    assert review["rubrics"]["source"] == "ours"
    assert "data.freshness" not in {f["criterion"] for f in review["findings"]}


def test_the_reviewed_repository_s_settings_file_cannot_change_the_rubrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ours").mkdir()
    (tmp_path / "gatereview.toml").write_text('rubrics = "ours"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["review", DOC])
    assert result.exit_code == 2
    assert "rubrics cannot be set by a settings file in the current directory" in result.stderr


def test_reject_names_a_gate_the_run_does_not_have() -> None:
    run = cli_json("review", DOC)["run_id"]
    result = runner.invoke(app, ["reject", run, "--reviewer", "a", "--comment", "x",
                                 "--gate", "security"])
    assert result.exit_code == 2
    assert f"unknown gate 'security': run {run} has data, risk" in result.stderr


def test_a_bad_rubric_file_stops_the_review_before_anything_is_written(
    tmp_path: Path, workspace: Path
) -> None:
    (tmp_path / "risk.toml").write_text(
        '[[criteria]]\nid = "risk.testing"\nseverity = "high"\n', encoding="utf-8"
    )
    result = runner.invoke(app, ["review", DOC, "--rubrics", str(tmp_path)])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "risk.toml: criterion risk.testing: severity:" in result.stderr
    assert "Traceback" not in result.output
    assert not workspace.exists()


CASE = ROOT / "evals" / "cases" / "custom-security-gate"


@pytest.mark.parametrize("model", ["offline", "replay"])
def test_eval_picks_up_a_case_with_its_own_sixth_gate(model: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["eval", str(CASE), "--model", model, "--json", "--home", str(tmp_path)]
    )
    # One case alone may fall below the suite's minimums (exit 1); it must still be scored.
    assert result.exit_code in (0, 1), result.output
    case = json.loads(result.stdout)["cases"][0]
    assert case["status"] == "scored"
    assert case["gates"]["security"] == "conditional"
    assert case["scores"]["gate_accuracy"] == {"hits": 1, "total": 1}


def test_a_case_whose_rubric_file_is_bad_is_reported_invalid(tmp_path: Path) -> None:
    case = tmp_path / "case"
    (case / "rubrics").mkdir(parents=True)
    (case / "design.md").write_text((CASE / "design.md").read_text(encoding="utf-8"))
    (case / "expected.json").write_text((CASE / "expected.json").read_text(encoding="utf-8"))
    (case / "rubrics" / "security.toml").write_text("title = 1\n", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(case), "--json", "--home", str(tmp_path / "h")])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["cases"][0]["problems"]
    assert "security.toml" in problems[0]
