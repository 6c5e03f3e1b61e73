"""Tamper evidence anchored outside the trace, and decisions that a damaged trace cannot block.

What each mode detects is listed in RELIABILITY.md ("Tamper evidence"): without a key, the
chain, its anchor in the checkpoint database, the decisions' verdict hashes and the reports'
hashes catch a cut, a swap, a duplicate key, a forged verdict and an edited report; rewriting
a record, the rest of the chain, the anchor and the report together needs GATEREVIEW_TRACE_KEY
(an HMAC chain) to be caught.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
from fakes.cli import cli_json
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from typer.testing import CliRunner

from graphs.claims import claim_decision
from graphs.review import build_graph
from main import app
from traces.schema import record_hash
from vocabulary.models import Decision

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = str(ROOT / "tests" / "fixtures" / "docs" / "demo.md")
OTHER = str(ROOT / "examples" / "strong-contract-search.md")
runner = CliRunner()


def _verify(run_id: str) -> tuple[int, str]:
    done = runner.invoke(app, ["trace", run_id, "--verify"])
    return done.exit_code, (done.stdout + done.stderr).replace("\n", " ")


def _trace(workspace: Path, run_id: str) -> Path:
    return workspace / "traces" / f"{run_id}.jsonl"


def test_a_duplicate_key_with_forged_content_is_named(workspace: Path) -> None:
    run_id = cli_json("review", DOCUMENT)["run_id"]
    path = _trace(workspace, run_id)
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:-1] + ',"name":"forged"}'  # a reader taking the last key sees "forged"
    path.write_text("\n".join(lines) + "\n")
    code, said = _verify(run_id)
    assert code == 1 and "line 3: not valid JSON (duplicate key 'name')" in said


def test_another_runs_trace_in_its_place_is_caught(workspace: Path) -> None:
    first = cli_json("review", DOCUMENT)["run_id"]
    second = cli_json("review", OTHER)["run_id"]
    _trace(workspace, first).write_bytes(_trace(workspace, second).read_bytes())
    code, said = _verify(first)
    assert code == 1 and f"the trace is run {second}'s, not {first}'s" in said


def test_a_cut_tail_of_a_run_awaiting_its_decision_is_caught(workspace: Path) -> None:
    run_id = cli_json("review", DOCUMENT)["run_id"]
    path = _trace(workspace, run_id)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-3]))
    code, said = _verify(run_id)
    assert code == 1 and "cut from the end" in said


def _forge_verdict(workspace: Path, run_id: str, overall: str) -> None:
    """Rewrite the verdict in the latest checkpoint, as someone with the database file could."""
    serde = JsonPlusSerializer()
    with sqlite3.connect(workspace / "checkpoints.sqlite") as conn:
        checkpoint_id, kind, blob = conn.execute(
            "SELECT checkpoint_id, type, checkpoint FROM checkpoints WHERE thread_id=? "
            "AND checkpoint_ns='' ORDER BY checkpoint_id DESC LIMIT 1",
            (run_id,),
        ).fetchone()
        checkpoint = serde.loads_typed((kind, blob))
        checkpoint["channel_values"]["verdict"]["overall"] = overall
        kind, blob = serde.dumps_typed(checkpoint)
        conn.execute(
            "UPDATE checkpoints SET type=?, checkpoint=? WHERE thread_id=? AND checkpoint_id=?",
            (kind, blob, run_id, checkpoint_id),
        )


def test_a_verdict_forged_in_the_database_is_caught_at_approve_and_at_verify(
    workspace: Path,
) -> None:
    run = cli_json("review", DOCUMENT)
    assert run["verdict"]["overall"] == "not_ready"
    _forge_verdict(workspace, run["run_id"], "ready")
    # `show` reads the run catalogue, saved when the verdict was made (not the forged blob).
    assert cli_json("show", run["run_id"])["verdict"]["overall"] == "not_ready"
    done = runner.invoke(app, ["approve", run["run_id"], "--reviewer", "ana"])
    assert done.exit_code == 2
    assert "is not the one the coordinator recorded in the trace" in done.stderr
    assert not (workspace / "reports" / f"{run['run_id']}.md").exists()
    code, said = _verify(run["run_id"])
    assert code == 1 and "the verdict in the checkpoint database is not the last one" in said
    _forge_verdict(workspace, run["run_id"], "not_ready")  # put back: deciding works again
    assert cli_json("approve", run["run_id"], "--reviewer", "ana")["state"] == "approved"


def test_an_edited_report_is_caught(workspace: Path) -> None:
    run_id = cli_json("review", DOCUMENT)["run_id"]
    cli_json("approve", run_id, "--reviewer", "ana")
    assert _verify(run_id)[0] == 0
    report = workspace / "reports" / f"{run_id}.md"
    report.write_text(report.read_text().replace("**Verdict: not_ready**", "**Verdict: ready**"))
    code, said = _verify(run_id)
    assert code == 1 and "was edited after it was written" in said


def test_each_decision_carries_the_hash_of_the_verdict_it_approved(workspace: Path) -> None:
    run_id = cli_json("review", DOCUMENT)["run_id"]
    final = cli_json("approve", run_id, "--reviewer", "ana")
    records = [json.loads(line) for line in _trace(workspace, run_id).read_text().splitlines()]
    verdicts = [
        r["attributes"]["gatereview.verdict.sha256"] for r in records if r["kind"] == "verdict"
    ]
    decision = next(r for r in records if r["kind"] == "decision")
    assert decision["attributes"]["gatereview.decision.verdict_sha256"] == verdicts[0]
    assert final["decisions"][0]["verdict_sha256"] == verdicts[0]


def test_an_hmac_chain_needs_the_key_and_catches_a_chain_rewritten_without_it(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GATEREVIEW_TRACE_KEY", "k3y-only-the-operator-holds")
    run_id = cli_json("review", DOCUMENT)["run_id"]
    monkeypatch.delenv("GATEREVIEW_TRACE_KEY")
    code, said = _verify(run_id)
    assert code == 1 and "HMAC-chained: set GATEREVIEW_TRACE_KEY" in said
    done = runner.invoke(app, ["approve", run_id, "--reviewer", "ana"])
    assert done.exit_code == 2 and "GATEREVIEW_TRACE_KEY" in done.stderr
    monkeypatch.setenv("GATEREVIEW_TRACE_KEY", "k3y-only-the-operator-holds")
    assert cli_json("approve", run_id, "--reviewer", "ana")["state"] == "approved"  # released
    assert _verify(run_id)[0] == 0
    monkeypatch.setenv("GATEREVIEW_TRACE_KEY", "a-wrong-key")
    code, said = _verify(run_id)
    assert code == 1 and "line 1: hash does not match" in said

    # Without the key, a forger rewrites a record and re-chains everything after it.
    monkeypatch.setenv("GATEREVIEW_TRACE_KEY", "k3y-only-the-operator-holds")
    path = _trace(workspace, run_id)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    decision = next(r for r in records if r["kind"] == "decision")
    decision["attributes"]["gatereview.decision.reviewer"] = "mallory"
    prev = records[decision["seq"] - 1]["hash"]
    for record in records[decision["seq"] :]:
        record["prev_hash"] = prev
        record["hash"] = prev = record_hash(record)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    code, said = _verify(run_id)
    assert code == 1 and f"line {decision['seq'] + 1}: hash does not match" in said


@pytest.mark.parametrize("damage", ["first-record-torn", "deleted"])
def test_a_damaged_or_missing_trace_does_not_block_the_decision(
    workspace: Path, damage: str
) -> None:
    run_id = cli_json("review", DOCUMENT)["run_id"]
    path = _trace(workspace, run_id)
    if damage == "deleted":
        path.unlink()
    else:
        lines = path.read_text().splitlines(keepends=True)
        path.write_text(lines[0][:30] + "\n" + "".join(lines[1:]))
    done = runner.invoke(app, ["approve", run_id, "--reviewer", "ana", "--json"])
    assert done.exit_code == 0, done.output
    assert f"warning: the trace of run {run_id} was damaged" in done.stderr
    final = json.loads(done.stdout)
    assert final["state"] == "approved" and [d["reviewer"] for d in final["decisions"]] == ["ana"]
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert records[0]["attributes"]["gatereview.trace.segment"] == 2
    assert records[0]["attributes"]["gatereview.trace.previous_segment"]["problem"]
    assert [r["kind"] for r in records].count("decision") == 1
    kept = workspace / "traces" / f"{run_id}.segment-1.jsonl"
    assert kept.exists() is (damage != "deleted")
    code, said = _verify(run_id)
    assert code == 1 and "set aside as damaged" in said and "this segment is intact" in said
    again = runner.invoke(app, ["approve", run_id, "--reviewer", "bob"])
    assert again.exit_code == 2 and "already decided (approve) by ana" in again.stderr


def test_resume_applies_a_claimed_decision_whatever_state_the_trace_is_in(
    workspace: Path,
) -> None:
    run_id = cli_json("review", DOCUMENT)["run_id"]

    async def checkpoint() -> str:
        async with AsyncSqliteSaver.from_conn_string(str(workspace / "checkpoints.sqlite")) as s:
            graph = build_graph().compile(checkpointer=s)
            state = await graph.aget_state({"configurable": {"thread_id": run_id}})
            return state.config["configurable"]["checkpoint_id"]

    decision = Decision(action="approve", reviewer="ana", comment="ok")
    claim_decision(workspace / "checkpoints.sqlite", run_id, asyncio.run(checkpoint()), decision)
    _trace(workspace, run_id).write_text("not a trace\n")
    done = runner.invoke(app, ["resume", run_id, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["state"] == "approved"
