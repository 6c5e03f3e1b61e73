"""Only decisions that went through the human-review node count, whoever writes the state.

A Python program opens a CLI run's checkpoints with its own graph (as anyone with the database
can) and writes around the node: `update_state` as the node, a `Command` that jumps to
finalise, a verdict edited before approval, a decision carrying its own time and another
reviewer's amendment, a second input on a decided thread. None of it yields a report or an
approval the CLI, `doctor` or `trace --verify` would take as real.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fakes.cli import cli_json
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from typer.testing import CliRunner

from graphs.context import make_context
from graphs.review import build_graph
from graphs.settings import Settings
from graphs.workspace import Workspace
from main import app
from runs.catalogue import load_run
from runs.operations import decide, start_review
from vocabulary.errors import DecisionError
from vocabulary.models import Decision

ROOT = Path(__file__).resolve().parents[2]
DOC = str(ROOT / "examples" / "middling-claims-triage.md")


@contextmanager
def their_graph(home: Path) -> Iterator[CompiledStateGraph]:
    """The review graph on the workspace's own checkpoint database, outside the CLI."""
    with SqliteSaver.from_conn_string(str(Workspace(home).database)) as saver:
        yield build_graph().compile(checkpointer=saver)


def _config(run_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": run_id}}


def _pending_run(home: Path) -> str:
    return asyncio.run(start_review([DOC], Settings(home=home))).run_id


def _drive(home: Path, run_id: str, payload: Any) -> Any:
    """Run their graph on from the run's checkpoint with `payload`; the state it leaves."""

    async def go() -> Any:
        database = str(Workspace(home).database)
        async with AsyncSqliteSaver.from_conn_string(database) as saver:
            graph = build_graph().compile(checkpointer=saver)
            context = make_context(Settings(home=home))
            await graph.ainvoke(payload, _config(run_id), context=context)
            return await graph.aget_state(_config(run_id))

    return asyncio.run(go())


def _forged_approval(run_id: str) -> dict[str, Any]:
    decision = Decision(action="approve", reviewer="Mallory", comment="lgtm")
    return {"decisions": [decision.model_dump()], "outcome": "approved"}


def _verify_fails(run_id: str) -> str:
    result = CliRunner().invoke(app, ["trace", run_id, "--verify", "--json"])
    assert result.exit_code != 0, result.output
    return result.output


def _doctor_problems(run_id: str) -> list[str]:
    result = CliRunner().invoke(app, ["doctor", "--json"])
    assert result.exit_code == 1, result.output
    checks = [c for c in json.loads(result.stdout)["checks"] if c["subject"] == run_id]
    assert all("resume" not in c["fix"] for c in checks)  # resuming would not make it real
    return [c["detail"] for c in checks if c["status"] == "problem"]


def _reports(home: Path, run_id: str) -> list[Path]:
    folder = Workspace(home).reports
    return sorted(folder.glob(f"{run_id}*")) if folder.is_dir() else []


def test_an_approval_written_with_update_state_as_the_node_does_not_count(
    workspace: Path,
) -> None:
    run_id = _pending_run(workspace)
    with their_graph(workspace) as graph:
        graph.update_state(_config(run_id), _forged_approval(run_id), as_node="human_review")
        assert graph.get_state(_config(run_id)).values["outcome"] == "approved"
    view = load_run(run_id, Settings(home=workspace))
    assert view.state == "interrupted"
    assert any("never claimed" in w and "Mallory" in w for w in view.warnings)
    shown = cli_json("show", run_id)  # what a reviewer in another shell sees
    assert shown["state"] == "interrupted" and any("Mallory" in w for w in shown["warnings"])
    assert {r["run_id"]: r["state"] for r in cli_json("runs")["runs"]}[run_id] == "interrupted"
    assert "never claimed" in _verify_fails(run_id)
    assert any("never claimed" in p for p in _doctor_problems(run_id))
    assert not _reports(workspace, run_id)


def test_a_command_jumping_to_finalise_writes_no_report(workspace: Path) -> None:
    run_id = _pending_run(workspace)
    jump = Command(goto="finalise", update=_forged_approval(run_id))
    with pytest.raises(DecisionError, match=r"never claimed.*no report was written"):
        _drive(workspace, run_id, jump)
    assert not _reports(workspace, run_id)
    assert load_run(run_id, Settings(home=workspace)).state == "interrupted"
    assert "never claimed" in _verify_fails(run_id)
    assert any("never claimed" in p for p in _doctor_problems(run_id))


def test_a_bare_jump_to_finalise_with_no_decision_writes_no_report(workspace: Path) -> None:
    run_id = _pending_run(workspace)
    with pytest.raises(DecisionError, match="no approval or rejection"):
        _drive(workspace, run_id, Command(goto="finalise"))
    assert not _reports(workspace, run_id)


def test_a_verdict_lifted_with_update_state_cannot_be_approved(workspace: Path) -> None:
    run_id = _pending_run(workspace)
    with their_graph(workspace) as graph:
        verdict = dict(graph.get_state(_config(run_id)).values["verdict"])
        assert verdict["overall"] != "ready"
        lifted = {**verdict, "overall": "ready"}
        graph.update_state(_config(run_id), {"verdict": lifted}, as_node="coordinator")
    assert _drive(workspace, run_id, None).interrupts  # it asks again, on the lifted verdict
    settings = Settings(home=workspace)
    # The CLI refuses before claiming; a Python caller's resume is refused inside the node.
    with pytest.raises(DecisionError, match="not the one the coordinator recorded"):
        asyncio.run(decide(run_id, Decision(action="approve", reviewer="Ana"), settings))
    after = _drive(workspace, run_id, Command(resume={"action": "approve", "reviewer": "Ana"}))
    question = after.interrupts[0].value["action_request"]["args"]
    assert "not the one the coordinator recorded" in question["error"]
    assert not after.values.get("decisions") and not _reports(workspace, run_id)
    assert "verdict" in _verify_fails(run_id)


def test_the_node_sets_the_time_and_the_amending_reviewer(workspace: Path) -> None:
    run_id = _pending_run(workspace)
    with their_graph(workspace) as graph:
        values = graph.get_state(_config(run_id)).values
    finding = values["reviews"]["data"]["findings"][0]["id"]
    backdated = {
        "action": "amend", "reviewer": "Ana", "at": "1999-01-01T00:00:00+00:00",
        "comment": "checked with the data owner",
        "amendment": {"finding_id": finding, "status": "met", "reason": "checked with them",
                      "reviewer": "Bo", "at": "1999-01-01T00:00:00+00:00"},
    }  # fmt: skip
    after = _drive(workspace, run_id, Command(resume=backdated))
    recorded = after.values["decisions"][-1]
    assert not recorded["at"].startswith("1999")
    assert recorded["amendment"]["reviewer"] == "Ana"
    assert not recorded["amendment"]["at"].startswith("1999")
    assert after.values["amendments"][finding]["reviewer"] == "Ana"
    approved = _drive(workspace, run_id, Command(resume={"action": "approve", "reviewer": "Ana",
                                                         "at": "1999-01-01T00:00:00+00:00"}))
    assert not approved.values["decisions"][-1]["at"].startswith("1999")
    assert approved.values["outcome"] == "approved"
    assert cli_json("trace", run_id, "--verify")["ok"]


def test_new_input_on_a_decided_thread_is_refused_without_a_second_approval(
    workspace: Path,
) -> None:
    run_id = _pending_run(workspace)
    cli_json("approve", run_id, "--reviewer", "Ana")
    with pytest.raises(DecisionError, match="already reviewed"):
        _drive(workspace, run_id, {"paths": [DOC], "run_id": run_id})
    with their_graph(workspace) as graph:
        decisions = graph.get_state(_config(run_id)).values["decisions"]
    assert [d["reviewer"] for d in decisions] == ["Ana"]
