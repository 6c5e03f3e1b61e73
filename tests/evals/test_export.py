"""export-case: a decided run becomes an eval case that eval runs as it is."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fakes.cli import cli_json
from typer.testing import CliRunner

from agents.rubric_set import load_rubric_set
from evals.cases import Case, Expected
from evals.make_recordings import MODEL, ScriptedModel
from evals.replay_server import LocalServer
from main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "strong-contract-search.md"
RUBRICS = ROOT / "examples" / "rubrics"
runner = CliRunner()


def _eval(folder: Path, model: str) -> Any:
    return runner.invoke(app, ["eval", str(folder), "--model", model])


def _blocker_met(review: dict[str, Any], rubrics_dir: Path | None = None) -> dict[str, Any]:
    """A met (or, screened, found) blocker of a gate that is not not_ready: amending it to
    contradicted changes that gate."""
    rubrics = load_rubric_set(rubrics_dir).rubrics
    live = {g for g, v in review["verdict"]["gates"].items() if v["status"] != "not_ready"}
    return next(
        f
        for f in review["findings"]
        if f["gate"] in live
        and f["status"] in ("met", "found")
        and rubrics[f["gate"]].criterion(f["criterion"]).severity == "blocker"
    )


def _amend_and_decide(run: str, review: dict[str, Any], rubrics_dir: Path | None = None) -> tuple:
    """Re-grade a met blocker to contradicted, dismiss an unmet finding, approve; return all."""
    regraded = _blocker_met(review, rubrics_dir)
    cli_json("amend", run, "--reviewer", "ana", "--finding", regraded["id"], "--status",
             "contradicted", "--reason", "the section defers it past go-live")  # fmt: skip
    dismissed = next(  # a condition: dismissing it changes the verdict the summary is of
        f
        for f in review["findings"]
        if f["gate"] != regraded["gate"]
        and any(c.startswith(f"{f['id']}:") for c in review["verdict"]["conditions"])
    )
    cli_json("amend", run, "--reviewer", "ana", "--finding", dismissed["id"], "--status",
             "dismissed", "--reason", "not applicable to this project")  # fmt: skip
    approved = cli_json("approve", run, "--reviewer", "ana")
    return regraded, dismissed, approved


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder: a project holding the example as design.md."""
    work = tmp_path / "project"
    work.mkdir()
    shutil.copy(EXAMPLE, work / "design.md")
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def scripted_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "scripted")  # sent to the loopback server only


@pytest.mark.usefixtures("scripted_key")
def test_an_amended_run_exported_as_a_case_passes_eval_and_fails_it_with_the_amendment_reverted(
    tmp_path: Path, project: Path
) -> None:
    work = project
    scripted = ScriptedModel()
    scripted.use(Case(name="t", folder=work, expected=Expected(description="t", gates={})))
    with LocalServer(scripted.answer) as server:  # the model writes a summary after each amend
        review = cli_json("review", "design.md", "--model", MODEL, "--api-base", server.api_base)
        run = review["run_id"]
        regraded, dismissed, approved = _amend_and_decide(run, review)

    case = tmp_path / "cases" / "claims-corrected"
    exported = cli_json("export-case", run, str(case))  # the answers come from the run's trace
    assert exported["mode"] == "replay" and exported["reproduced"], exported["problems"]
    assert sorted(p.name for p in case.iterdir()) == [
        "decisions.json", "design.md", "expected.json", "recording.jsonl"
    ]  # fmt: skip
    assert (case / "design.md").read_bytes() == EXAMPLE.read_bytes()
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert expected["gates"][regraded["gate"]] != "ready"  # the amended status, not the model's
    assert regraded["criterion"] in expected["must_flag"]
    assert dismissed["criterion"] in expected["must_not_flag"]  # dismissed: expected absent
    recorded = [json.loads(line) for line in (case / "recording.jsonl").open(encoding="utf-8")]
    assert len(recorded) == exported["exchanges"] and {e["status"] for e in recorded} == {200}
    purposes = sorted(e["request"]["purpose"] for e in recorded)
    assert purposes == ["review"] * 5 + ["summary"] * 3  # a summary per verdict: first, 2 amends
    assert approved["state"] == "approved"

    passed = _eval(case, "replay")
    assert passed.exit_code == 0, passed.output

    decisions = json.loads((case / "decisions.json").read_text(encoding="utf-8"))
    kept = [d for d in decisions if d["amendment"]["finding_id"] != regraded["id"]]
    (case / "decisions.json").write_text(json.dumps(kept), encoding="utf-8")
    reverted = _eval(case, "replay")
    assert reverted.exit_code == 1
    assert "gate_accuracy" in reverted.output


def test_an_offline_run_with_a_sixth_gate_exports_as_an_offline_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "project"
    (work / "docs").mkdir(parents=True)
    shutil.copy(EXAMPLE, work / "docs" / "design.md")
    shutil.copytree(RUBRICS, work / "ours")
    monkeypatch.chdir(work)
    review = cli_json("review", "docs", "--rubrics", "ours")
    regraded, _, _ = _amend_and_decide(review["run_id"], review, work / "ours")

    case = tmp_path / "offline-case"
    exported = cli_json("export-case", review["run_id"], str(case))
    assert exported["mode"] == "offline" and exported["reproduced"], exported["problems"]
    assert exported["exchanges"] == 0 and not (case / "recording.jsonl").exists()
    assert (case / "docs" / "design.md").is_file()  # the reviewed path, kept
    assert load_rubric_set(case / "rubrics").digest == review["rubrics"]["digest"]
    assert "security" in json.loads((case / "expected.json").read_text())["gates"]

    passed = _eval(case, "offline")
    assert passed.exit_code == 0, passed.output
    (case / "decisions.json").unlink()  # every amendment reverted
    reverted = runner.invoke(app, ["eval", str(case), "--model", "offline", "--json"])
    wrong = json.loads(reverted.stdout)["cases"][0]["scores"]["wrong_gates"]
    assert regraded["gate"] in wrong


def test_export_case_refuses_an_undecided_run_an_unknown_run_and_a_used_folder(
    tmp_path: Path,
) -> None:
    run = cli_json("review", str(EXAMPLE))["run_id"]
    undecided = runner.invoke(app, ["export-case", run, str(tmp_path / "a")])
    assert undecided.exit_code == 2
    assert f"run {run} is awaiting_decision: only a decided run" in undecided.stderr
    assert not (tmp_path / "a").exists()

    unknown = runner.invoke(app, ["export-case", "nope", str(tmp_path / "b")])
    assert unknown.exit_code == 2 and "no run nope" in unknown.stderr

    cli_json("approve", run, "--reviewer", "ana")
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine", encoding="utf-8")
    refused = runner.invoke(app, ["export-case", run, str(used)])
    assert refused.exit_code == 2 and "exists and is not empty" in refused.stderr
    assert [p.name for p in used.iterdir()] == ["keep.txt"]


def test_a_document_changed_since_the_run_is_refused_and_nothing_is_written(
    project: Path,
) -> None:
    work = project
    run = cli_json("review", "design.md")["run_id"]
    cli_json("approve", run, "--reviewer", "ana")
    (work / "design.md").write_text("# Edited since\n", encoding="utf-8")
    result = runner.invoke(app, ["export-case", run, "case"])
    assert result.exit_code == 2
    assert "design.md: not found as the run reviewed it" in result.stderr
    assert sorted(p.name for p in work.iterdir()) == ["design.md"]
