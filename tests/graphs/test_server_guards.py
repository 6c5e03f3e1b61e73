"""Clients of a real `langgraph dev` server trying what an attacker would: no token, someone
else's thread, a decision without the approver role, state written around the human-review
node, configuration smuggled in as input, files outside the documents root, a second review
on a decided thread. Each is refused, says why, and leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import pytest
from fakes.cli import cli_json
from fakes.langgraph_dev import SECRET, Served

OFFLINE = {"model": "offline"}
INPUT = {"paths": ["design.md"]}


async def _refusal(call: Awaitable[Any]) -> str:
    """What the server answered to a call it must refuse (the error, status included)."""
    try:
        answer = await call
    except Exception as exc:  # the SDK raises a different class per status
        return f"{type(exc).__name__}: {exc}"
    raise AssertionError(f"not refused: {answer}")


async def _pending(client: Any) -> str:
    tid = (await client.threads.create())["thread_id"]
    await client.runs.wait(tid, "review", input=INPUT, context=OFFLINE)
    return str(tid)


def _reports(served: Served, run_id: str) -> list[Path]:
    folder = served.home / "reports"
    return sorted(folder.glob(f"{run_id}*")) if folder.is_dir() else []


async def _taken_over(bo: Any, tid: str) -> str:
    """Bo creates a thread under Ana's thread id, then tries to read it."""
    try:
        await bo.threads.create(thread_id=tid, if_exists="do_nothing")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return await _refusal(bo.threads.get_state(tid))


async def _strangers(served: Served) -> dict[str, Any]:
    ana = served.client("ana")
    tid = await _pending(ana)
    bo = served.client("bo")
    return {
        "anonymous": await _refusal(served.client().threads.search()),
        "wrong token": await _refusal(
            served.client(Authorization="Bearer guessed").threads.create()
        ),
        "studio header": await _refusal(
            served.client(**{"x-auth-scheme": "langsmith"}).threads.search()
        ),
        "listed by bo": [t["thread_id"] for t in await bo.threads.search(limit=100)],
        "read by bo": await _refusal(bo.threads.get_state(tid)),
        "run by bo": await _refusal(bo.runs.wait(tid, "review", input=INPUT, context=OFFLINE)),
        "owner rewritten": await _refusal(ana.threads.update(tid, metadata={"owner": "bo"})),
        "taken over": await _taken_over(bo, tid),
        "listed by ana": [t["thread_id"] for t in await ana.threads.search(limit=100)],
        "thread": tid,
    }


def test_a_client_sees_only_its_own_threads_and_nobody_gets_in_without_a_token(
    served: Served,
) -> None:
    seen = asyncio.run(_strangers(served))
    for attempt in ("anonymous", "wrong token", "studio header"):
        assert "401" in seen[attempt] or "Authentication" in seen[attempt], seen[attempt]
    assert seen["thread"] not in seen["listed by bo"]
    assert "not found" in seen["read by bo"].lower()
    assert "404" in seen["run by bo"] or "not found" in seen["run by bo"].lower()
    assert "403" in seen["owner rewritten"] or "owner" in seen["owner rewritten"]
    taken = seen["taken over"].lower()
    assert "not found" in taken or "409" in taken or "403" in taken or "conflict" in taken, taken
    assert seen["thread"] in seen["listed by ana"]


async def _without_the_role(served: Served) -> dict[str, Any]:
    from langgraph_sdk.schema import Command

    bo = served.client("bo")
    tid = await _pending(bo)  # anyone known may start a review on a thread of their own
    answers = {
        "plain": {"action": "approve", "reviewer": "bo"},
        "inbox": [{"type": "accept", "args": None}],
    }
    refused = {
        name: await _refusal(bo.runs.wait(tid, "review", command=Command(resume=value)))
        for name, value in answers.items()
    }
    refused["update_state"] = await _refusal(
        bo.threads.update_state(tid, {"outcome": "approved"}, as_node="human_review")
    )
    return {"refused": refused, "state": await bo.threads.get_state(tid), "thread": tid}


def test_a_client_without_the_approver_role_cannot_decide_or_write_state(served: Served) -> None:
    result = asyncio.run(_without_the_role(served))
    for name, refusal in result["refused"].items():  # Forbidden, whatever the SDK shows of why
        assert "403" in refusal or "approver" in refusal, (name, refusal)
    state = result["state"]
    assert state["next"] == ["human_review"] and not state["values"].get("decisions")


async def _around_the_node(served: Served) -> dict[str, Any]:
    from langgraph_sdk.schema import Command

    ana = served.client("ana")
    tid = await _pending(ana)
    forged = {"decisions": [{"action": "approve", "reviewer": "ana"}], "outcome": "approved"}
    lifted = {"overall": "ready"}
    as_node = ana.threads.update_state
    refused = {
        "update_state": await _refusal(as_node(tid, forged, as_node="human_review")),
        "end": await _refusal(ana.threads.update_state(tid, None, as_node="__end__")),
        "goto": await _refusal(ana.runs.wait(tid, "review", command=Command(goto="finalise"))),
        "update": await _refusal(
            ana.runs.wait(tid, "review", command=Command(update={"verdict": lifted},
                                                         resume={"action": "approve"}))
        ),
    }  # fmt: skip
    pending = await ana.threads.get_state(tid)
    reports = _reports(served, pending["values"]["run_id"])
    backdated = {"action": "approve", "at": "2001-02-03T04:05:06+00:00"}
    await ana.runs.wait(tid, "review", command=Command(resume=backdated), context=OFFLINE)
    return {"refused": refused, "pending": pending, "reports": reports,
            "final": await ana.threads.get_state(tid)}  # fmt: skip


def test_an_approver_cannot_write_around_the_human_review_node(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = asyncio.run(_around_the_node(served))
    for name, refusal in result["refused"].items():
        assert "written by its own steps only" in refusal, (name, refusal)
    pending = result["pending"]
    assert pending["next"] == ["human_review"] and not pending["values"].get("decisions")
    assert result["reports"] == []
    final = result["final"]
    decision = final["values"]["decisions"][-1]
    assert decision["reviewer"] == "ana" and not decision["at"].startswith("2001")
    monkeypatch.setenv("GATEREVIEW_HOME", str(served.home))
    assert cli_json("trace", final["values"]["run_id"], "--verify")["ok"]


SMUGGLED = {
    "settings": {"settings": {"api_base": "https://collector.example", "mask": False}},
    "rubrics": {"rubrics": {"gates": {}}},
    "prior_reviews": {"prior_reviews": {"data": {}}},
    "since": {"since": "20261101-000000-0000"},
    "run_id": {"run_id": "20261101-000000-0000"},
    "created_at": {"created_at": "1999-01-01T00:00:00+00:00"},
    "unknown": {"colour": "blue"},
}


async def _smuggle(served: Served, extra: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    ana = served.client("ana")
    tid = (await ana.threads.create())["thread_id"]
    refusal = await _refusal(
        ana.runs.wait(tid, "review", input={**INPUT, **extra}, context=OFFLINE)
    )
    return refusal, await ana.threads.get_state(tid)


@pytest.mark.parametrize("key", list(SMUGGLED), ids=list(SMUGGLED))
def test_configuration_sent_as_input_is_refused_by_name(served: Served, key: str) -> None:
    refusal, state = asyncio.run(_smuggle(served, SMUGGLED[key]))
    assert f"input {key if key != 'unknown' else 'colour'}: not accepted" in refusal, refusal
    assert not state["values"]  # nothing was checkpointed


def test_input_cannot_write_into_an_existing_cli_run(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GATEREVIEW_HOME", str(served.home))
    cli_run = cli_json("review", str(served.root / "design.md"))["run_id"]
    trace = served.home / "traces" / f"{cli_run}.jsonl"
    before = hashlib.sha256(trace.read_bytes()).hexdigest()
    refusal, _ = asyncio.run(_smuggle(served, {"run_id": cli_run}))
    assert "input run_id: not accepted" in refusal
    assert hashlib.sha256(trace.read_bytes()).hexdigest() == before
    assert cli_json("show", cli_run)["state"] == "awaiting_decision"


PATHS = {
    "absolute": "/etc/passwd",
    "climbing": "../elsewhere/notes.md",
    "hidden-climb": "sub/../../elsewhere/notes.md",
    "symlink-out": "link-out.md",
}


async def _read(served: Served, path: str) -> tuple[str, dict[str, Any]]:
    ana = served.client("ana")
    tid = (await ana.threads.create())["thread_id"]
    refusal = await _refusal(
        ana.runs.wait(tid, "review", input={"paths": [path]}, context=OFFLINE)
    )
    return refusal, await ana.threads.get_state(tid)


@pytest.mark.parametrize("path", list(PATHS.values()), ids=list(PATHS))
def test_paths_outside_the_documents_root_are_not_read(served: Served, path: str) -> None:
    refusal, state = asyncio.run(_read(served, path))
    assert "documents root" in refusal, refusal
    assert "root:" not in str(state["values"]) and SECRET not in str(state["values"])
    assert not state["values"].get("documents")


@pytest.mark.parametrize(
    "context", [{"mask": False}, {"web": True}, {"model": "openai/gpt-4o"}],
    ids=["mask-off", "web-on", "other-model"],
)  # fmt: skip
def test_a_context_cannot_weaken_masking_or_choose_the_model(
    served: Served, context: dict[str, Any]
) -> None:
    async def go() -> str:
        ana = served.client("ana")
        tid = (await ana.threads.create())["thread_id"]
        return await _refusal(ana.runs.wait(tid, "review", input=INPUT, context=context))

    refusal = asyncio.run(go())
    assert "422" in refusal or "context" in refusal, refusal


async def _twice(served: Served) -> dict[str, Any]:
    from langgraph_sdk.schema import Command

    ana = served.client("ana")
    tid = await _pending(ana)
    await ana.runs.wait(tid, "review", command=Command(resume={"action": "approve"}))
    again = await _refusal(ana.runs.wait(tid, "review", input=INPUT, context=OFFLINE))
    history = await ana.threads.get_history(tid, limit=100)
    first, asked = history[-1], next(h for h in history if h["next"] == ["human_review"])
    forks = {
        "first": await _refusal(ana.runs.wait(tid, "review", input=INPUT, context=OFFLINE,
                                              checkpoint_id=first["checkpoint"]["checkpoint_id"])),
        "asked": await _refusal(ana.runs.wait(
            tid, "review", command=Command(resume=[{"type": "response", "args": "undo"}]),
            checkpoint_id=asked["checkpoint"]["checkpoint_id"])),
    }  # fmt: skip
    text = [{"name": "design.md", "text": (served.root / "design.md").read_text()}]
    fresh = (await ana.threads.create())["thread_id"]
    await ana.runs.wait(fresh, "review", input={"documents": text}, context=OFFLINE)
    return {"again": again, "forks": forks, "decided": await ana.threads.get_state(tid),
            "fresh": await ana.threads.get_state(fresh)}  # fmt: skip


def test_a_decided_thread_takes_no_second_review_and_a_new_one_takes_text(
    served: Served,
) -> None:
    result = asyncio.run(_twice(served))
    assert "already holds a review" in result["again"]
    for fork, refusal in result["forks"].items():  # time travel is no way round it either
        assert "latest checkpoint only" in refusal, (fork, refusal)
    decided = result["decided"]
    assert decided["values"]["outcome"] == "approved" and len(decided["values"]["decisions"]) == 1
    fresh = result["fresh"]
    assert fresh["next"] == ["human_review"]
    assert [d["path"] for d in fresh["values"]["documents"]] == ["design.md"]
