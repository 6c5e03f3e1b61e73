"""The review graph end to end: run to the interrupt, decide from other processes, loop."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

import pytest
from fakes.cli import ROOT, main_command, run_main

from graphs.settings import Settings
from runs.operations import decide, load_run, load_runs, start_review
from vocabulary.errors import DecisionError, DocumentError, RunNotFoundError
from vocabulary.models import GATES, Amendment, Decision

STRONG = str(ROOT / "examples" / "strong-contract-search.md")
DEMO = str(ROOT / "examples" / "demo-grade-poc.md")


@pytest.fixture
def settings(workspace: Path) -> Settings:
    return Settings(home=workspace)


def _start(settings: Settings, path: str = STRONG) -> str:
    view = asyncio.run(start_review([path], settings))
    assert view.state == "awaiting_decision"
    return view.run_id


def test_review_runs_every_gate_to_the_human_decision(settings: Settings) -> None:
    seen: list[str] = []
    view = asyncio.run(start_review([STRONG], settings, lambda node, _: seen.append(node)))
    assert view.state == "awaiting_decision"
    assert set(view.verdict.gates) == set(GATES)
    assert {f.gate for f in view.findings} == set(GATES)
    assert seen[:2] == ["load_documents", "ingest"] and seen[-1] == "coordinator"
    assert sorted(seen[2:7]) == sorted(GATES)
    assert view.documents[0].sha256 and view.documents[0].sections > 5


def test_decision_from_a_separate_process_finalises_and_writes_the_report(
    settings: Settings, workspace: Path
) -> None:
    run_id = _start(settings)
    done = run_main("approve", run_id, "--reviewer", "Ana Ruiz", "--comment", "ok", "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["state"] == "approved"
    assert payload["decisions"][-1]["reviewer"] == "Ana Ruiz"
    report = json.loads((workspace / "reports" / f"{run_id}.json").read_text())
    assert report["decisions"][0]["action"] == "approve"
    markdown = (workspace / "reports" / f"{run_id}.md").read_text()
    assert "approve** by Ana Ruiz" in markdown and "## Findings" in markdown
    assert load_run(run_id, settings).state == "approved"


def test_second_decision_on_a_decided_run_names_who_decided(settings: Settings) -> None:
    run_id = _start(settings)
    asyncio.run(decide(run_id, Decision(action="approve", reviewer="ana"), settings))
    with pytest.raises(DecisionError, match="already decided \\(approve\\) by ana"):
        asyncio.run(decide(run_id, Decision(action="approve", reviewer="bob"), settings))


def test_concurrent_deciders_exactly_one_applies(settings: Settings, workspace: Path) -> None:
    run_id = _start(settings)
    procs = [
        subprocess.Popen(
            main_command("approve", run_id, "--reviewer", f"r{i}"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )
        for i in range(4)
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2, 2, 2], results
    assert all("already decided" in e or "not awaiting" in e for c, e in results if c == 2)
    view = load_run(run_id, settings)
    assert view.state == "approved" and len(view.decisions) == 1


def test_amend_recomputes_the_verdict_and_keeps_waiting(settings: Settings) -> None:
    run_id = _start(settings, DEMO)
    before = load_run(run_id, settings)
    target = next(f for f in before.findings if f.status != "met")
    amendment = Amendment(finding_id=target.id, status="dismissed", reason="not relevant",
                          reviewer="ana")
    view = asyncio.run(
        decide(run_id, Decision(action="amend", reviewer="ana", amendment=amendment), settings)
    )
    assert view.state == "awaiting_decision"
    amended = next(f for f in view.findings if f.id == target.id)
    assert amended.dismissed and amended.amended_by == "ana"
    assert all(not c.startswith(f"{target.id}:") for c in view.verdict.conditions)
    assert view.decisions[-1].action == "amend"


def test_amend_of_unknown_finding_is_refused(settings: Settings) -> None:
    run_id = _start(settings)
    amendment = Amendment(finding_id="data.nope", status="met", reason="x", reviewer="ana")
    with pytest.raises(DecisionError, match=r"no finding data\.nope"):
        asyncio.run(decide(run_id, Decision(action="amend", reviewer="a", amendment=amendment),
                           settings))
    assert load_run(run_id, settings).state == "awaiting_decision"


def test_reject_with_gates_rereviews_them_and_returns_to_waiting(settings: Settings) -> None:
    run_id = _start(settings)
    seen: list[str] = []
    decision = Decision(action="reject", reviewer="bob", comment="owners in annex", gates=["data"])
    view = asyncio.run(decide(run_id, decision, settings, lambda n, _: seen.append(n)))
    assert seen == ["human_review", "data", "coordinator"]
    assert view.state == "awaiting_decision"
    final = asyncio.run(decide(run_id, Decision(action="reject", reviewer="bob",
                                                comment="no"), settings))
    assert final.state == "rejected" and [d.action for d in final.decisions] == ["reject"] * 2


def test_rereview_loop_is_bounded(settings: Settings) -> None:
    run_id = _start(settings)
    again = Decision(action="reject", reviewer="bob", comment="again", gates=["risk"])
    for _ in range(3):
        asyncio.run(decide(run_id, again, settings))
    with pytest.raises(DecisionError, match="the limit"):
        asyncio.run(decide(run_id, again, settings))


def test_unknown_run_is_a_clear_error(settings: Settings) -> None:
    _start(settings)
    with pytest.raises(RunNotFoundError, match="no run nope"):
        asyncio.run(decide("nope", Decision(action="approve", reviewer="a"), settings))
    with pytest.raises(RunNotFoundError):
        load_run("nope", settings)


def test_failed_ingestion_leaves_nothing_behind(settings: Settings, workspace: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        asyncio.run(start_review(["does-not-exist.md"], settings))
    assert not workspace.exists()
    run_id = _start(settings)
    with pytest.raises(DocumentError):
        asyncio.run(start_review(["does-not-exist.md"], settings))
    assert [v.run_id for v in load_runs(settings)] == [run_id]


def test_workspace_files_are_owner_only(settings: Settings, workspace: Path) -> None:
    _start(settings)
    assert (workspace.stat().st_mode & 0o777) == 0o700
    assert (workspace / "checkpoints.sqlite").stat().st_mode & 0o077 == 0
