"""A new user's first hour: finding a run, reading a review, the CI gate's honesty about its
model, and hints and mistakes that are one clear line."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest
from fakes.cli import cli_json
from fakes.openai_server import FakeModel
from typer.testing import CliRunner

from main import app

ROOT = Path(__file__).resolve().parent.parent
DEMO = str(ROOT / "tests" / "fixtures" / "docs" / "demo.md")  # not_ready: silent on four gates
STRONG = str(ROOT / "examples" / "strong-contract-search.md")  # ready_with_conditions
runner = CliRunner()
MODEL = ["--model", "openai/gpt-4.1-mini"]


def _invoke(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def _run_ids() -> list[str]:
    return [r["run_id"] for r in cli_json("runs")["runs"]]


# Finding a run ---------------------------------------------------------------------------


def test_latest_names_the_newest_run() -> None:
    cli_json("review", DEMO)
    newest = cli_json("review", STRONG)["run_id"]
    assert cli_json("show", "latest")["run_id"] == newest
    _invoke("approve", "latest", "--reviewer", "ana")
    assert cli_json("show", newest)["state"] == "approved"


def test_latest_in_an_empty_workspace_is_one_line() -> None:
    cli_json("review", DEMO)  # creates the workspace
    result = runner.invoke(app, ["show", "latest", "--home", "elsewhere-empty"])
    assert result.exit_code == 2 and "no run" in result.stderr


def test_a_unique_start_of_a_run_id_names_it() -> None:
    run_id = cli_json("review", DEMO)["run_id"]
    assert cli_json("show", run_id[:-2])["run_id"] == run_id
    assert "chain intact" in _invoke("trace", run_id[:-1], "--verify").stdout


def test_an_ambiguous_start_names_the_candidates() -> None:
    first = cli_json("review", DEMO)["run_id"]
    second = cli_json("review", DEMO)["run_id"]
    common = next(i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b)
    result = runner.invoke(app, ["show", first[:common]])
    assert result.exit_code == 2
    assert first in result.stderr and second in result.stderr and "give more" in result.stderr


@pytest.mark.parametrize(
    "name", ["../../outside", "..", "runs/../x", "a\\b"], ids=["up-up", "dotdot", "sep", "back"]
)
def test_a_run_id_that_names_a_folder_is_refused_before_any_file_is_read(
    tmp_path: Path, workspace: Path, name: str
) -> None:
    cli_json("review", DEMO)
    outside = workspace.parent / "outside.jsonl"
    outside.write_text('{"seq": 0}\n')
    for command in (["trace", name], ["trace", name, "--verify"], ["show", name]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "is not a run id" in result.stderr and "outside.jsonl" not in result.output


def test_a_mistyped_finding_is_answered_with_the_nearest_ids() -> None:
    run_id = cli_json("review", DEMO)["run_id"]
    result = runner.invoke(app, ["amend", run_id, "--reviewer", "ana", "--finding",
                                 "data.source", "--status", "met", "--reason", "x"])
    assert result.exit_code == 2
    assert "did you mean data.sources" in result.stderr
    assert cli_json("show", run_id)["decisions"] == []


# Reading a review ------------------------------------------------------------------------


def test_show_lists_every_condition_and_filters_findings() -> None:
    run = cli_json("review", DEMO)
    text = _invoke("show", run["run_id"]).stdout
    flat = " ".join(text.split())
    assert f"Conditions to lift ({len(run['verdict']['conditions'])})" in text
    for condition in run["verdict"]["conditions"]:
        assert " ".join(condition.split()) in flat
    unmet = cli_json("show", run["run_id"], "--unmet", "--gate", "data")["findings"]
    assert unmet and {f["gate"] for f in unmet} == {"data"}
    assert all(f["status"] != "met" for f in unmet)
    shown = _invoke("show", run["run_id"], "--unmet", "--gate", "risk").stdout
    ids = set(re.findall(r"^(\w+\.\w+)\s", shown, re.MULTILINE))
    assert ids and all(i.startswith("risk.") for i in ids)


def test_show_refuses_an_unknown_gate_filter() -> None:
    run_id = cli_json("review", DEMO)["run_id"]
    result = runner.invoke(app, ["show", run_id, "--gate", "dta"])
    assert result.exit_code == 2 and "unknown gate 'dta'" in result.stderr


def test_the_decisions_list_names_what_an_amendment_changed() -> None:
    run_id = cli_json("review", DEMO)["run_id"]
    _invoke("amend", run_id, "--reviewer", "ana", "--finding", "data.owners", "--status",
            "partial", "--reason", "annex B names the owners")
    decisions = _invoke("show", run_id).stdout.split("Decisions", 1)[1]
    assert "amend by ana (data.owners to partial)" in decisions
    assert "annex B names the owners" in decisions


def test_a_quote_is_indented_under_its_finding_at_80_columns() -> None:
    run_id = cli_json("review", DEMO)["run_id"]
    result = runner.invoke(app, ["show", run_id], terminal_width=80)
    lines = result.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith('      "')]
    assert starts
    for i in starts:  # every line of the quote, to its closing mark, sits under its opening
        j = i
        while not lines[j].rstrip().endswith('"'):
            j += 1
            assert lines[j].startswith("       "), lines[i : j + 1]


# The CI gate and its model ---------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_model_server_fails_the_review() -> None:
    base = f"http://127.0.0.1:{_closed_port()}/v1"
    result = runner.invoke(app, ["review", STRONG, "--model", "openai/local", "--api-base", base])
    assert result.exit_code == 2, result.output
    assert "no gate got an answer from openai/local" in result.stderr
    assert f"cannot connect to {base}" in " ".join(result.stderr.split())
    assert "InternalServerError" not in result.stderr


def _hollow(answer: dict[str, Any]) -> dict[str, Any]:
    return {**answer, "findings": []}


def test_hollow_answers_on_every_gate_fail_the_review(fake: FakeModel) -> None:
    fake.script(None, "review", _hollow, repeat=True)
    fake.script(None, "repair_schema", _hollow, repeat=True)
    result = runner.invoke(app, ["review", STRONG, *MODEL])
    assert result.exit_code == 2, result.output
    assert "hollow GateAnswer" in result.stderr


def test_a_hollow_answer_degrades_its_gate_and_says_so(fake: FakeModel) -> None:
    fake.script("data", "review", _hollow)
    fake.script("data", "repair_schema", _hollow)
    run = cli_json("review", STRONG, *MODEL)
    data = run["gates"]["data"]
    assert data["degraded"] and "hollow GateAnswer" in data["degraded_reason"]
    assert not run["gates"]["risk"]["degraded"]
    shown = _invoke("show", run["run_id"]).stdout
    assert "data degraded" in shown and "hollow" in shown


def test_fail_on_fails_a_degraded_gate_unless_allowed(fake: FakeModel) -> None:
    fake.script("data", "review", _hollow)
    fake.script("data", "repair_schema", _hollow)
    result = runner.invoke(app, ["review", STRONG, *MODEL, "--fail-on", "not_ready", "--json"])
    assert result.exit_code == 3, result.output
    assert "degraded gate(s) data fail --fail-on not_ready" in result.stderr
    run_id = json.loads(result.stdout)["run_id"]
    _invoke("show", run_id, "--fail-on", "not_ready", "--allow-degraded")
    _invoke("show", run_id, "--fail-on", "not_ready", code=3)
    _invoke("show", run_id)  # without --fail-on a person at a terminal reads it: exit 0


# Hints and mistakes ----------------------------------------------------------------------


def test_interactive_without_a_terminal_stops_before_the_review() -> None:
    result = runner.invoke(app, ["review", DEMO, "--interactive"])
    assert result.exit_code == 2 and "needs a terminal" in result.stderr
    assert "Reviewing" not in result.stderr
    cli_json("review", STRONG)
    assert len(_run_ids()) == 1  # only the second review left a run


def test_export_case_hint_names_the_command_as_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = cli_json("review", DEMO)["run_id"]
    _invoke("approve", run_id, "--reviewer", "ana")
    monkeypatch.setattr("sys.argv", ["/usr/local/bin/gatereview", "export-case"])
    text = _invoke("export-case", run_id, str(tmp_path / "case")).stdout
    assert "Run it with: gatereview eval" in text and "python main.py" not in text


def test_export_case_into_a_dangling_link_is_one_line(tmp_path: Path) -> None:
    run_id = cli_json("review", DEMO)["run_id"]
    _invoke("approve", run_id, "--reviewer", "ana")
    link = tmp_path / "case"
    link.symlink_to(tmp_path / "gone")
    result = runner.invoke(app, ["export-case", run_id, str(link)])
    assert result.exit_code == 2 and "symbolic link" in result.stderr
    assert not (tmp_path / "gone").exists()


@pytest.mark.parametrize("suffix", [".toml", ".yaml"])
def test_a_manifest_nested_thousands_deep_is_one_line(tmp_path: Path, suffix: str) -> None:
    text = ("projects = " if suffix == ".toml" else "projects: ") + "[" * 5000 + "]" * 5000
    manifest = tmp_path / f"portfolio{suffix}"
    manifest.write_text(text)
    result = runner.invoke(app, ["review-batch", str(manifest)])
    assert result.exit_code == 2, result.output
    assert "nested too deeply" in result.stderr


def test_a_settings_file_nested_thousands_deep_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "deep.toml"
    config.write_text("model = " + "[" * 5000 + "]" * 5000)
    result = runner.invoke(app, ["runs", "--config", str(config)])
    assert result.exit_code == 2 and "nested too deeply" in result.stderr


@pytest.mark.parametrize(
    "edit",
    ["append", "truncate", "swap-for-link"],
)
def test_an_edited_markdown_report_is_noticed_by_verify(tmp_path: Path, workspace: Path,
                                                        edit: str) -> None:
    run_id = cli_json("review", DEMO)["run_id"]
    _invoke("approve", run_id, "--reviewer", "ana")
    report = workspace / "reports" / f"{run_id}.md"
    text = report.read_text()
    if edit == "append":
        report.write_text(text + "\nApproved without conditions.\n")
    elif edit == "truncate":
        report.write_text(text[: len(text) // 2])
    else:
        forged = tmp_path / "forged.md"
        forged.write_text(text.replace("not_ready", "ready"))
        report.unlink()
        report.symlink_to(forged)
    result = runner.invoke(app, ["trace", run_id, "--verify"])
    assert result.exit_code == 1
    assert "markdown report" in result.stderr
