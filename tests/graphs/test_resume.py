"""Resuming runs whose process stopped: between steps, or after claiming a decision."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from graphs.claims import claim_decision
from graphs.context import make_context
from graphs.review import build_graph
from graphs.settings import Settings
from graphs.workspace import Workspace
from runs.operations import load_run, resume, start_review
from vocabulary.errors import DecisionError
from vocabulary.models import Decision

ROOT = Path(__file__).resolve().parents[2]
DOC = str(ROOT / "examples" / "strong-contract-search.md")


async def _stop_before(node: str, settings: Settings, run_id: str) -> list[str]:
    """Run a review that stops before `node`, as a process killed between steps would."""
    workspace = Workspace(settings.home).ensure()
    seen: list[str] = []
    async with AsyncSqliteSaver.from_conn_string(str(workspace.database)) as saver:
        graph = build_graph().compile(checkpointer=saver, interrupt_before=[node])
        config = {"configurable": {"thread_id": run_id}}
        payload = {"run_id": run_id, "created_at": "2026-11-25T00:00:00+00:00", "paths": [DOC]}
        async for chunk in graph.astream(payload, config, context=make_context(settings),
                                         stream_mode="updates", durability="sync"):
            seen.extend(k for k in chunk if k != "__interrupt__")
    return seen


def test_run_stopped_between_steps_is_interrupted_and_resumes_only_what_is_left(
    workspace: Path,
) -> None:
    settings = Settings(home=workspace)
    before = asyncio.run(_stop_before("coordinator", settings, "crashed-run"))
    assert "coordinator" not in before and len(before) == 6
    assert load_run("crashed-run", settings).state == "interrupted"
    after: list[str] = []
    view = asyncio.run(resume("crashed-run", settings, lambda n, _: after.append(n)))
    assert after == ["coordinator"]
    assert view.state == "awaiting_decision"
    assert {f.gate for f in view.findings} == {"data", "risk", "platform", "product", "change"}


def test_claimed_but_unapplied_decision_is_applied_by_resume(workspace: Path) -> None:
    settings = Settings(home=workspace)
    run = asyncio.run(start_review([DOC], settings))
    workspace_ = Workspace(workspace)

    async def checkpoint() -> str:
        async with AsyncSqliteSaver.from_conn_string(str(workspace_.database)) as saver:
            graph = build_graph().compile(checkpointer=saver)
            state = await graph.aget_state({"configurable": {"thread_id": run.run_id}})
            return state.config["configurable"]["checkpoint_id"]

    decision = Decision(action="approve", reviewer="ana", comment="ok")
    claim_decision(workspace_.database, run.run_id, asyncio.run(checkpoint()), decision)
    assert load_run(run.run_id, settings).state == "awaiting_decision"
    view = asyncio.run(resume(run.run_id, settings))
    assert view.state == "approved"
    assert [(d.action, d.reviewer) for d in view.decisions] == [("approve", "ana")]


def test_resume_of_a_run_awaiting_a_fresh_decision_says_so(workspace: Path) -> None:
    settings = Settings(home=workspace)
    run = asyncio.run(start_review([DOC], settings))
    with pytest.raises(DecisionError, match="awaiting a decision"):
        asyncio.run(resume(run.run_id, settings))


def test_a_run_held_by_a_live_process_is_running_not_interrupted(workspace: Path) -> None:
    from runs.liveness import driving

    settings = Settings(home=workspace)
    asyncio.run(_stop_before("coordinator", settings, "busy-run"))
    with driving(Workspace(workspace), "busy-run"):
        assert load_run("busy-run", settings).state == "running"
        with pytest.raises(DecisionError, match="another process"):
            asyncio.run(resume("busy-run", settings))
    assert load_run("busy-run", settings).state == "interrupted"
