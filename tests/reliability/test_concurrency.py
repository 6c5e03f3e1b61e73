"""Concurrent reviewers: processes deciding the same run at the same moment, and many reviews
running at once in one workspace (SQLite busy handling).

Each process imports everything first, then waits at a barrier file (`at_barrier.py`); the
test opens the barrier once all are ready, so the decisive part starts together.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest
from processes import EXAMPLES, together, trace_records
from typer.testing import CliRunner

from graphs.settings import Settings
from main import app
from runs.operations import load_run, load_runs, start_review
from traces.verify import verify_trace
from vocabulary.models import GATES

DOCUMENTS = ("strong-contract-search.md", "demo-grade-poc.md", "middling-claims-triage.md")


@pytest.mark.parametrize("deciders", [2, 8], ids=lambda n: f"{n}-processes")
def test_deciders_at_the_same_moment_exactly_one_decision_applies(
    workspace: Path, tmp_path: Path, deciders: int, database_url: str | None
) -> None:
    settings = Settings(home=workspace, database_url=database_url)
    run_id = asyncio.run(start_review([str(EXAMPLES / DOCUMENTS[0])], settings)).run_id
    commands = [
        ["approve", run_id, "--reviewer", f"reviewer-{i}", "--comment", "ok"]
        if i % 2
        else ["reject", run_id, "--reviewer", f"reviewer-{i}", "--comment", "not yet"]
        for i in range(deciders)
    ]
    results = together(tmp_path, commands)
    assert sorted(code for code, _, _ in results) == [0] + [2] * (deciders - 1), results
    view = load_run(run_id, settings)
    assert len(view.decisions) == 1
    winner = view.decisions[0]
    assert view.state == ("approved" if winner.action == "approve" else "rejected")
    losers = [err.strip() for code, _, err in results if code == 2]
    told = f"already decided ({winner.action}) by {winner.reviewer} at {winner.at}"
    assert all(told in err or "being worked on by another process" in err for err in losers)
    assert all(len(err.splitlines()) == 1 for err in losers), losers  # one line, no traceback
    records = trace_records(workspace, run_id)
    decided = [r["attributes"] for r in records if r["kind"] == "decision"]
    assert [d["gatereview.decision.reviewer"] for d in decided] == [winner.reviewer]
    report = json.loads((workspace / "reports" / f"{run_id}.json").read_text())
    assert verify_trace(
        workspace / "traces" / f"{run_id}.jsonl", report["report"]["trace_last_hash"]
    ).ok


def test_six_reviews_at_once_in_one_fresh_workspace_all_finish_intact(
    workspace: Path, tmp_path: Path, database_url: str | None
) -> None:
    paths = [str(EXAMPLES / DOCUMENTS[i % 3]) for i in range(6)]
    results = together(tmp_path, [["review", path, "--json"] for path in paths])
    assert [code for code, _, _ in results] == [0] * 6, [err for _, _, err in results]
    views = [json.loads(out) for _, out, _ in results]
    assert len({v["run_id"] for v in views}) == 6
    settings = Settings(home=workspace, database_url=database_url)
    stored = {v.run_id: v for v in load_runs(settings)}
    assert set(stored) == {v["run_id"] for v in views}
    # The offline reviewer is deterministic: a run reviewed alongside five others holds
    # exactly the findings a run of the same document holds alone.
    alone = {
        path: asyncio.run(start_review([path], Settings(home=tmp_path / "alone")))
        for path in set(paths)
    }
    for view, path in zip(views, paths, strict=True):
        run = stored[view["run_id"]]
        assert run.state == "awaiting_decision"
        assert Counter(f.gate for f in run.findings) == Counter(
            f.gate for f in alone[path].findings
        )
        assert [(f.id, f.status) for f in run.findings] == [
            (f.id, f.status) for f in alone[path].findings
        ]
        assert set(run.gates) == set(GATES)
        trace = workspace / "traces" / f"{view['run_id']}.jsonl"
        assert verify_trace(trace).ok
        assert {r["trace_id"] for r in trace_records(workspace, view["run_id"])} == {run.run_id}
    listed = CliRunner().invoke(app, ["runs", "--json"])
    states = Counter(r["state"] for r in json.loads(listed.stdout)["runs"])
    assert states == {"awaiting_decision": 6}
