"""The command line: JSON shapes, exit statuses and one-line errors."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from fakes.cli import cli_json, run_main
from typer.testing import CliRunner

from cli.boundary import YOUNG_OBJECTS, run_async
from main import app
from traces.verify import verify_trace

ROOT = Path(__file__).resolve().parent.parent
DOC = str(ROOT / "examples" / "middling-claims-triage.md")
runner = CliRunner()


def _review() -> dict:
    return cli_json("review", DOC)


def test_review_json_has_the_documented_shape() -> None:
    payload = _review()
    assert payload["state"] == "awaiting_decision"
    assert payload["verdict"]["overall"] in ("ready", "ready_with_conditions", "not_ready")
    for gate in ("data", "risk", "platform", "product", "change"):
        assert payload["verdict"]["gates"][gate]["status"] in ("ready", "conditional", "not_ready")
        assert payload["gates"][gate]["degraded"] is False
    finding = payload["findings"][0]
    assert {"id", "gate", "criterion", "status", "severity", "summary", "evidence"} <= set(finding)
    quoted = [f for f in payload["findings"] if f["status"] != "missing"]
    evidence = quoted[0]["evidence"][0]
    assert {"path", "line_start", "line_end", "quote", "verified"} <= set(evidence)
    assert evidence["path"].endswith("middling-claims-triage.md")
    assert {"input_tokens", "output_tokens", "cost_usd"} <= set(payload["usage"])


def test_runs_show_and_decisions_through_the_cli() -> None:
    run_id = _review()["run_id"]
    listed = cli_json("runs")["runs"]
    assert [(r["run_id"], r["state"]) for r in listed] == [(run_id, "awaiting_decision")]
    shown = cli_json("show", run_id)
    assert shown["run_id"] == run_id and len(shown["findings"]) >= 30
    finding = shown["findings"][0]["id"]
    amended = cli_json("amend", run_id, "--reviewer", "ana", "--finding", finding,
                    "--status", "dismissed", "--reason", "duplicate")
    assert amended["state"] == "awaiting_decision"
    approved = cli_json("approve", run_id, "--reviewer", "ana", "--comment", "fine")
    assert approved["state"] == "approved"
    assert Path(approved["report"]["markdown"]).is_file()
    assert cli_json("runs")["runs"][0]["state"] == "approved"


def test_review_prints_the_gate_table_and_how_to_decide() -> None:
    result = runner.invoke(app, ["review", DOC])
    assert result.exit_code == 0, result.output
    for word in ("data", "risk", "platform", "product", "change", "Verdict", "approve"):
        assert word in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["review", "missing.md"], "missing.md: no such file", id="missing-path"),
        pytest.param(["show", "nope"], "no run nope", id="show-unknown-run"),
        pytest.param(["approve", "nope", "--reviewer", "a"], "no run nope", id="approve-unknown"),
        pytest.param(["amend", "nope", "--reviewer", "a", "--finding", "x", "--status", "good",
                      "--reason", "r"], "unknown status 'good'", id="unknown-status"),
        pytest.param(["approve", "nope", "--reviewer", ""], "reviewer", id="empty-reviewer"),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    if args[0] != "review":
        _review()
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0]


def test_empty_document_is_refused(tmp_path: Path, workspace: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("  \n\n")
    result = runner.invoke(app, ["review", str(empty)])
    assert result.exit_code == 2 and "empty document" in result.stderr
    assert not workspace.exists()


def test_runs_with_no_workspace_says_so() -> None:
    result = runner.invoke(app, ["runs"])
    assert result.exit_code == 0 and "No runs yet" in result.stdout


def test_a_bad_setting_names_its_flag_and_variable() -> None:
    result = runner.invoke(app, ["review", DOC, "--budget-usd", "-1"])
    assert result.exit_code == 2
    assert "--budget-usd (or GATEREVIEW_BUDGET_USD)" in result.stderr


def test_a_setting_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEREVIEW_MAX_BYTES", "10")
    result = runner.invoke(app, ["review", DOC])
    assert result.exit_code == 2 and "too large" in result.stderr


@pytest.mark.parametrize(
    ("columns", "header"),
    [
        ("80", ["run", "state", "verdict", "documents"]),  # the run id starts with its time
    ],
    ids=["80-columns"],  # the wide layout: tests/test_cli_polish.py renders it at 120
)
def test_runs_prints_one_aligned_line_per_run(columns: str, header: list[str]) -> None:
    first, second = _review()["run_id"], _review()["run_id"]
    result = runner.invoke(app, ["runs"], env={"COLUMNS": columns})
    head, *lines = result.stdout.splitlines()
    assert head.split() == header
    assert all(len(line) <= int(columns) for line in lines)
    # Both runs may start within the same second: newest first leaves their order open.
    assert sorted(line.split()[:3] for line in lines) == sorted(
        [[second, "awaiting_decision", "ready_with_conditions"],
         [first, "awaiting_decision", "ready_with_conditions"]]
    )
    assert len({line.index("awaiting_decision") for line in [*lines]}) == 1


def test_a_command_in_its_own_process_leaves_with_everything_written(workspace: Path) -> None:
    done = run_main("review", DOC, "--json")
    assert done.returncode == 0, done.stderr
    run_id = json.loads(done.stdout)["run_id"]  # the whole output was flushed before leaving
    assert verify_trace(workspace / "traces" / f"{run_id}.jsonl").ok
    listed = run_main("runs", "--json")
    assert [r["run_id"] for r in json.loads(listed.stdout)["runs"]] == [run_id]
    refused = run_main("show", "nope")
    assert refused.returncode == 2
    assert refused.stderr.strip() == f"error: no run nope in {workspace}"


async def _collector_state() -> tuple[bool, int]:
    return gc.isenabled(), gc.get_freeze_count()


def test_the_collector_held_for_start_up_runs_again_for_the_commands_work() -> None:
    threshold = gc.get_threshold()
    gc.disable()  # as `cli` does before the imports
    try:
        enabled, frozen = run_async(_collector_state())
        young = gc.get_threshold()[0]
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        gc.enable()
    assert enabled
    assert young == YOUNG_OBJECTS
    assert frozen > 0  # what start-up built is out of its reach, not collected again and again


def test_a_collector_left_running_is_left_as_it_is() -> None:
    before, threshold = gc.get_freeze_count(), gc.get_threshold()
    assert run_async(_collector_state()) == (True, before)
    assert gc.get_threshold() == threshold
