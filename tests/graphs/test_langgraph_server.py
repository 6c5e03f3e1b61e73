"""A real `langgraph dev` server runs the review graph to the same verdict as the CLI, and
LangGraph's Agent Inbox can decide it.

The server is started from the shipped langgraph.json on 127.0.0.1 (fakes.langgraph_dev) and
driven through langgraph_sdk, as a team deploying the graph would; its workspace is the CLI's,
so `runs`, `show` and `trace` see its runs. Skipped, with the reason, only when the server is
not installed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from fakes.cli import cli_json
from fakes.langgraph_dev import Served

from graphs.inbox import ACTION
from traces import attributes as attr
from vocabulary.models import GATES

ROOT = Path(__file__).resolve().parents[2]
DOC = str(ROOT / "examples" / "strong-contract-search.md")
OFFLINE = {"model": "offline"}


def _interrupts(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [i["value"] for task in state["tasks"] for i in task["interrupts"]]


def _question(state: dict[str, Any]) -> dict[str, Any]:
    """The arguments of the pending HumanInterrupt."""
    return _interrupts(state)[0]["action_request"]["args"]


async def _drive(served: Served) -> dict[str, Any]:
    from langgraph_sdk.schema import Command

    client = served.client("ana")
    assistant = (await client.assistants.search(graph_id="review"))[0]
    schemas = await client.assistants.get_schemas(assistant["assistant_id"])
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "review", input={"paths": ["design.md"]}, context=OFFLINE)
    pending = await client.threads.get_state(tid)
    # Ana's decision under another name: refused, the run still awaits a decision.
    alias = {"action": "approve", "reviewer": "Bo"}
    await client.runs.wait(tid, "review", command=Command(resume=alias), context=OFFLINE)
    refused = await client.threads.get_state(tid)
    await client.runs.wait(tid, "review", command=Command(resume={"action": "approve"}),
                           context=OFFLINE)  # fmt: skip
    final = await client.threads.get_state(tid)
    return {"thread": tid, "schemas": schemas, "pending": pending, "refused": refused,
            "final": final}  # fmt: skip


def test_a_server_run_reaches_the_cli_verdict_is_traced_and_seen_by_the_cli(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = asyncio.run(_drive(served))
    schemas = result["schemas"]
    assert set(schemas["input_schema"]["properties"]) == {"paths", "documents", "project"}
    assert "model" in schemas["context_schema"]["properties"]
    refused_settings = {"home", "api_key", "api_base", "mask", "web"}
    assert not refused_settings & set(schemas["context_schema"]["properties"])

    pending = result["pending"]
    assert pending["next"] == ["human_review"]
    run_id = pending["values"]["run_id"]
    assert run_id == result["thread"]  # the thread is the run
    assert "error" not in _question(pending)

    refused = result["refused"]
    assert refused["next"] == ["human_review"]
    assert "cannot be recorded under 'Bo'" in _question(refused)["error"]

    final = result["final"]
    assert final["next"] == [] and final["values"]["outcome"] == "approved"
    assert [d["reviewer"] for d in final["values"]["decisions"]] == ["ana"]  # authenticated
    assert Path(final["values"]["report"]["json"]).is_relative_to(served.home)

    # The CLI, in the server's workspace, lists the run, shows it and verifies its trace.
    monkeypatch.setenv("GATEREVIEW_HOME", str(served.home))
    listed = {r["run_id"]: r for r in cli_json("runs")["runs"]}
    assert listed[run_id]["state"] == "approved"
    shown = cli_json("show", run_id)
    assert shown["verdict"] == final["values"]["verdict"]
    verified = cli_json("trace", run_id, "--verify")
    assert verified["ok"] and verified["records"] > 0
    records = cli_json("trace", run_id)["records"]
    names = [r["name"] for r in records if r["kind"] == "node_start"]
    assert names[0] == "ingest" and {f"review_gate:{g}" for g in GATES} <= set(names)
    assert {"coordinator", "human_review", "finalise"} <= set(names)
    decided = [r for r in records if r["kind"] == "decision"]
    assert [r["attributes"][attr.DECISION_REVIEWER] for r in decided] == ["ana"]

    cli = cli_json("review", DOC)
    server_verdict = final["values"]["verdict"]
    assert server_verdict["overall"] == cli["verdict"]["overall"]
    assert {g: v["status"] for g, v in server_verdict["gates"].items()} == {
        g: v["status"] for g, v in cli["verdict"]["gates"].items()
    }


async def _inbox(served: Served) -> dict[str, Any]:
    """Agent Inbox's own answers, as its sendHumanResponse sends them: a list of one
    HumanResponse as the resume value."""
    from langgraph_sdk.schema import Command

    client = served.client("cy")
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "review", input={"paths": ["design.md"]}, context=OFFLINE)
    asked = await client.threads.get_state(tid)
    question = _interrupts(asked)[0]
    target = next(f.split(":")[0] for f in question["action_request"]["args"]["findings"]
                  if ": met " not in f)  # fmt: skip
    edited = {**question["action_request"]["args"], "finding": target, "status": "met",
              "reason": "The runbook in the annex covers it", "verdict": "ready"}  # fmt: skip
    edit = [{"type": "edit", "args": {"action": ACTION, "args": edited}}]
    await client.runs.wait(tid, "review", command=Command(resume=edit), context=OFFLINE)
    amended = await client.threads.get_state(tid)
    ignore = [{"type": "ignore", "args": None}]
    await client.runs.wait(tid, "review", command=Command(resume=ignore), context=OFFLINE)
    ignored = await client.threads.get_state(tid)
    accept = [{"type": "accept", "args": None}]
    await client.runs.wait(tid, "review", command=Command(resume=accept), context=OFFLINE)
    return {"asked": asked, "target": target, "amended": amended, "ignored": ignored,
            "final": await client.threads.get_state(tid)}  # fmt: skip


def test_agent_inbox_shows_the_review_and_its_edit_and_accept_amend_and_approve(
    served: Served,
) -> None:
    result = asyncio.run(_inbox(served))
    question = _interrupts(result["asked"])[0]
    assert set(question) == {"action_request", "config", "description"}  # HumanInterrupt
    assert question["config"] == {"allow_accept": True, "allow_respond": True,
                                  "allow_edit": True, "allow_ignore": False}  # fmt: skip
    args = question["action_request"]["args"]
    verdict = result["asked"]["values"]["verdict"]
    assert args["verdict"] == verdict["overall"] and set(args["gates"]) == set(GATES)
    assert args["conditions"] == verdict["conditions"] and args["findings"]
    assert verdict["overall"] in question["description"]

    amended = result["amended"]
    target = result["target"]
    assert amended["next"] == ["human_review"]
    decision = amended["values"]["decisions"][-1]
    assert decision["action"] == "amend" and decision["reviewer"] == "cy"
    assert amended["values"]["amendments"][target]["status"] == "met"
    assert amended["values"]["amendments"][target]["reviewer"] == "cy"
    # The edited "verdict" argument is shown, never read: the coordinator recomputed it.
    assert _question(amended)["verdict"] == amended["values"]["verdict"]["overall"]

    ignored = result["ignored"]
    assert ignored["next"] == ["human_review"]
    assert "ignore is no decision" in _question(ignored)["error"]
    assert len(ignored["values"]["decisions"]) == 1

    final = result["final"]
    assert final["next"] == [] and final["values"]["outcome"] == "approved"
    assert [(d["action"], d["reviewer"]) for d in final["values"]["decisions"]] == [
        ("amend", "cy"), ("approve", "cy")
    ]


async def _race(served: Served) -> tuple[list[Any], dict[str, Any]]:
    from langgraph_sdk.schema import Command

    client = served.client("ana")
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "review", input={"paths": ["design.md"]}, context=OFFLINE)

    async def decide(answer: Any) -> Any:
        return await client.runs.wait(tid, "review", command=Command(resume=answer),
                                      context=OFFLINE)  # fmt: skip

    approve = {"action": "approve"}
    reject = [{"type": "response", "args": "The rollback plan is missing"}]
    outcomes = await asyncio.gather(decide(approve), decide(reject), return_exceptions=True)
    return list(outcomes), await client.threads.get_state(tid)


def test_two_racing_server_decisions_record_exactly_one(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes, final = asyncio.run(_race(served))
    assert final["values"]["outcome"] in ("approved", "rejected") and final["next"] == []
    decisions = final["values"]["decisions"]
    assert len(decisions) == 1, decisions
    for outcome in outcomes:  # a refused call, or one that sees the winner's decision only
        assert isinstance(outcome, Exception) or outcome["decisions"] == decisions
    monkeypatch.setenv("GATEREVIEW_HOME", str(served.home))
    records = cli_json("trace", final["values"]["run_id"])["records"]
    decided = [r["name"] for r in records if r["kind"] == "decision"]
    assert decided == [decisions[0]["action"]]


async def _model_review(served: Served) -> dict[str, Any]:
    client = served.client("ana")
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "review", input={"paths": ["design.md"]})  # the server's model
    return await client.threads.get_state(tid)


def test_a_model_backed_review_runs_on_the_server_without_blocking_its_loop(
    served: Served,
) -> None:
    state = asyncio.run(_model_review(served))
    assert state["next"] == ["human_review"], state
    reviews = state["values"]["reviews"]
    assert set(reviews) == set(GATES)
    assert not any(r.get("degraded") for r in reviews.values())
    assert all(r["reviewer"] == f"openai/{served.model.model}" for r in reviews.values())
    assert {g for k, g in served.model.requests if k == "review"} == set(GATES)
