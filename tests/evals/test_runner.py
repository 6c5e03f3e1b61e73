"""`main.py eval`: tables and totals, the results file, and the exit status on a regression."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from main import app
from tests.evals.conftest import add_case

PASSING = "middling-field-service"  # offline it clears every minimum on its own


def invoke(*args: str) -> tuple[int, str]:
    """Run the CLI; exit status and stdout."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def results(workspace: Path) -> dict:
    """The newest results file in the test's workspace."""
    return json.loads(sorted((workspace / "evals").glob("*.json"))[-1].read_text())


def baseline_with(path: Path, data: dict, **metrics: float) -> Path:
    """A results file like `data` with some metrics replaced.

    Wall-time latency is left out, as in the committed baselines: it varies from run to run
    on a loaded machine, and a test must not depend on the clock.
    """
    kept = {k: v for k, v in data["metrics"].items() if k != "latency_s"}
    path.write_text(json.dumps({**data, "metrics": {**kept, **metrics}}))
    return path


def test_a_clean_run_prints_cases_and_totals_and_writes_results(
    suite: Path, workspace: Path
) -> None:
    add_case(suite, PASSING)
    status, out = invoke("eval", str(suite))
    assert status == 0, out
    assert PASSING in out and "gate_accuracy" in out and "PASS" in out
    data = results(workspace)
    assert data["mode"] == "offline" and data["cases"][0]["status"] == "scored"
    assert data["cases"][0]["run_id"]  # the case really went through a run


def test_a_regression_against_the_baseline_exits_1(
    suite: Path, workspace: Path, tmp_path: Path
) -> None:
    add_case(suite, PASSING)
    assert invoke("eval", str(suite))[0] == 0
    same = baseline_with(tmp_path / "same.json", results(workspace))
    assert invoke("eval", str(suite), "--baseline", str(same))[0] == 0
    # A baseline that was better than today beyond the tolerance: today regressed.
    data = results(workspace)
    better = baseline_with(tmp_path / "better.json", data, unmet_precision=1.5)
    status, out = invoke("eval", str(suite), "--baseline", str(better))
    assert status == 1
    assert "unmet_precision dropped from 1.500" in out


def test_a_baseline_from_another_mode_is_a_user_error(
    suite: Path, workspace: Path, tmp_path: Path
) -> None:
    add_case(suite, PASSING)
    invoke("eval", str(suite))
    other = tmp_path / "replay.json"
    other.write_text(json.dumps({**results(workspace), "mode": "replay"}))
    assert invoke("eval", str(suite), "--baseline", str(other))[0] == 2


def test_a_criterion_no_rubric_defines_fails_the_case(suite: Path) -> None:
    case = add_case(suite, PASSING)
    expected = json.loads((case / "expected.json").read_text())
    expected["must_flag"].append("data.deleted_criterion")
    (case / "expected.json").write_text(json.dumps(expected))
    status, out = invoke("eval", str(suite))
    assert status == 1
    assert "INVALID" in out and "data.deleted_criterion" in out


def test_every_rubric_criterion_is_labelled_by_some_case() -> None:
    from agents.rubric import load_rubrics
    from evals.cases import load_suite

    labelled = {c for case in load_suite() for c in case.expected.must_flag}
    labelled |= {c for case in load_suite() for c in case.expected.must_not_flag}
    criteria = {c.id for rubric in load_rubrics().values() for c in rubric.criteria}
    # So deleting any criterion fails the offline suite as well as the replay suite.
    assert criteria <= labelled, sorted(criteria - labelled)


@pytest.mark.parametrize(
    "args", [["--record"], ["--record", "--model", "replay"]], ids=["offline", "replay"]
)
def test_record_needs_a_live_model(args: list[str], suite: Path) -> None:
    add_case(suite, PASSING)
    assert invoke("eval", str(suite), *args)[0] == 2
