"""The graph itself refuses invalid decisions, keeps the run awaiting a valid one, and lets
exactly one decider apply a decision to a pending interrupt.

These tests drive the compiled graph as a Python caller would (no CLI, no claim of its own),
so they protect the guarantees every way of running the graph shares.
"""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from graphs.context import make_context
from graphs.decisions import MAX_REREVIEWS
from graphs.review import build_graph
from graphs.settings import Settings
from vocabulary.errors import DecisionError

ROOT = Path(__file__).resolve().parents[2]
DOC = str(ROOT / "examples" / "middling-claims-triage.md")
CONFIG = {"configurable": {"thread_id": "python-caller"}}


class Caller:
    """A Python program driving the review graph with its own checkpointer."""

    def __init__(self, home: Path) -> None:
        self.graph = build_graph().compile(checkpointer=InMemorySaver())
        self.context = make_context(Settings(home=home))

    def send(self, payload: Any) -> dict[str, Any]:
        async def go() -> dict[str, Any]:
            await self.graph.ainvoke(payload, CONFIG, context=self.context)
            return await self.graph.aget_state(CONFIG)  # type: ignore[return-value]

        return asyncio.run(go())

    def start(self) -> Any:
        self.send({"run_id": "python-caller", "created_at": "2026-11-29T00:00:00+00:00",
                   "paths": [DOC]})
        return self.graph.get_state(CONFIG)

    def resume(self, value: Any) -> Any:
        self.send(Command(resume=value))
        return self.graph.get_state(CONFIG)


def _pending_error(snapshot: Any) -> str | None:
    assert snapshot.interrupts, "the run should still await a decision"
    return _question(snapshot).get("error")


def _question(snapshot: Any) -> dict[str, Any]:
    """The arguments of the pending HumanInterrupt (what Agent Inbox shows)."""
    return snapshot.interrupts[0].value["action_request"]["args"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("approve", "not a decision"),
        ({"action": "approve"}, "reviewer"),
        ({"action": "ship-it", "reviewer": "Ana"}, "action"),
        ({"action": "amend", "reviewer": "Ana"}, "amend needs a finding"),
        ({"action": "amend", "reviewer": "Ana",
          "amendment": {"finding_id": "data.nope", "status": "met", "reason": "r",
                        "reviewer": "Ana"}},
         "no finding data.nope"),
    ],
    ids=["bare-string", "no-reviewer", "unknown-action", "amend-without-amendment",
         "amend-unknown-finding"],
)
def test_an_invalid_resume_is_refused_and_the_run_still_awaits_a_valid_one(
    workspace: Path, value: Any, message: str
) -> None:
    caller = Caller(workspace)
    first = caller.start()
    assert first.interrupts and "error" not in _question(first)
    refused = caller.resume(value)
    assert message in (_pending_error(refused) or "")
    assert not refused.values.get("decisions")
    approved = caller.resume({"action": "approve", "reviewer": "Ana"})
    assert not approved.interrupts and not approved.next
    assert approved.values["outcome"] == "approved"
    assert [d["reviewer"] for d in approved.values["decisions"]] == ["Ana"]


def test_the_re_review_cap_holds_for_a_python_caller(workspace: Path) -> None:
    caller = Caller(workspace)
    caller.start()
    for _ in range(MAX_REREVIEWS):
        snapshot = caller.resume({"action": "reject", "reviewer": "Bo", "gates": ["data"],
                                  "comment": "look again"})
        assert snapshot.interrupts and "error" not in _question(snapshot)
    capped = caller.resume({"action": "reject", "reviewer": "Bo", "gates": ["data"]})
    assert "the limit" in (_pending_error(capped) or "")
    assert len(capped.values["decisions"]) == MAX_REREVIEWS
    final = caller.resume({"action": "reject", "reviewer": "Bo", "comment": "no"})
    assert final.values["outcome"] == "rejected" and not final.next


def test_of_two_deciders_resuming_the_same_interrupt_only_the_first_applies(
    workspace: Path,
) -> None:
    ana = Caller(workspace)
    ana.start()
    # Bo's process read the same checkpoint before Ana's decision was written: a copy of it.
    bo = Caller(workspace)
    bo.graph = build_graph().compile(checkpointer=copy.deepcopy(ana.graph.checkpointer))
    assert bo.graph.get_state(CONFIG).interrupts
    ana.resume({"action": "approve", "reviewer": "Ana"})
    with pytest.raises(DecisionError, match=r"already decided \(approve\) by Ana"):
        bo.resume({"action": "reject", "reviewer": "Bo"})
    assert bo.graph.get_state(CONFIG).interrupts  # Bo's copy was not decided either
    final = ana.graph.get_state(CONFIG)
    assert final.values["outcome"] == "approved"
    assert [d["reviewer"] for d in final.values["decisions"]] == ["Ana"]
