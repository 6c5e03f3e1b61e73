"""The CLI as a tool: --version, completion, hints as the user ran it, help and tables at 80."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fakes.cli import cli_json, run_main
from rich.console import Console
from typer.testing import CliRunner

from cli.render.catalogue import runs_table
from cli.render.run import gate_table
from exports.view import GateInfo, RunView
from graphs.settings import SETTING_NAMES
from main import app
from runs.catalogue import RunSummary
from vocabulary.models import Usage

ROOT = Path(__file__).resolve().parent.parent
DOC = str(ROOT / "examples" / "strong-contract-search.md")
runner = CliRunner()


def test_version_prints_the_name_and_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"gatereview \S+\n", result.stdout)


def test_shell_completion_script_is_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    # Typer's own switch: take the shell named here instead of guessing it from the parent
    # processes, which a test started outside a shell does not have.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    done = run_main("--show-completion", "bash")
    assert done.returncode == 0, done.stderr
    assert "complete" in done.stdout


def test_hints_use_the_name_the_user_ran(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["/usr/local/bin/gatereview", "review", DOC])
    as_tool = runner.invoke(app, ["review", DOC])
    assert as_tool.exit_code == 0, as_tool.output
    assert "gatereview approve" in as_tool.stdout and "python main.py" not in as_tool.stdout
    as_script = run_main("review", DOC)
    assert "python main.py approve" in as_script.stdout


def test_an_empty_workspace_hint_uses_the_name_the_user_ran(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.argv", ["/usr/local/bin/gatereview", "runs"])
    assert "Start one with: gatereview review PATH" in runner.invoke(app, ["runs"]).stdout
    assert "Start one with: python main.py review PATH" in run_main("runs").stdout


def _help(*args: str) -> str:
    return runner.invoke(app, [*args, "--help"], terminal_width=80).stdout


def test_every_gatereview_variable_shows_in_help_at_80_columns() -> None:
    text = " ".join(_help().split())
    for name in SETTING_NAMES:
        assert f"GATEREVIEW_{name.upper()}" in text, name
    review = " ".join(_help("review").split())
    for name in ("HOME", "MODEL", "API_BASE", "BUDGET_USD", "MAX_CONCURRENCY",
                 "MAX_CONTEXT_TOKENS", "TIMEOUT_S", "WEB", "MAX_BYTES", "PRICE_IN", "PRICE_OUT"):
        assert f"GATEREVIEW_{name}" in review, name
    assert "GATEREVIEW_OTLP_ENDPOINT" in " ".join(_help("trace").split())
    assert all(len(line) <= 80 for line in _help("review").splitlines())


def _at(width: int, renderable: object) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.mark.parametrize("width", [80, 120], ids=["80", "120"])
def test_tables_never_cut_a_status_at_narrow_widths(width: int) -> None:
    view = RunView.model_validate(cli_json("review", DOC))
    usage = Usage(calls=3, input_tokens=123456, output_tokens=65432, cost_usd=0.12345,
                  latency_s=12.3)
    gates = {
        g: GateInfo(reviewer="openai/gpt-4.1-mini", usage=usage, degraded=g == "risk",
                    degraded_reason="timeout: the model did not answer within 60 s")
        for g in view.gates
    }
    priced = view.model_copy(update={"gates": gates, "usage": usage})
    table = _at(width, gate_table(priced, width))
    assert "…" not in table
    assert all(len(line) <= width for line in table.splitlines())
    for gate, verdict in priced.verdict.gates.items():
        assert re.search(rf"{gate}\s.*\b{verdict.status}\b", table), (gate, table)
    assert "$0.1235" in table
    runs = _at(width, runs_table([RunSummary.of(priced)] * 2, width))
    # Only the documents column may be cut; the run id, state and verdict never are.
    for line in runs.splitlines()[1:]:
        run_id, state, verdict = line.split()[:3]
        assert "…" not in run_id + state + verdict and len(line) <= width
    assert "awaiting_decision" in runs and "ready_with_conditions" in runs
    assert all(len(line) <= width for line in runs.splitlines())
