"""A real `langgraph dev` server runs the review graph to the same verdict as the CLI.

The server is started from langgraph.json on 127.0.0.1 and driven through langgraph_sdk, as a
team deploying the graph would; its workspace is the CLI's, so `runs`, `show` and `trace` see
its runs. Skipped, with the reason, only when the server is not installed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.cli import cli_json

from traces import attributes as attr
from vocabulary.models import GATES

ROOT = Path(__file__).resolve().parents[2]
DOC = str(ROOT / "examples" / "strong-contract-search.md")
LANGGRAPH = shutil.which("langgraph")
pytestmark = pytest.mark.skipif(
    LANGGRAPH is None, reason="langgraph-cli[inmem] is not installed (pip install '.[test]')"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`langgraph dev` on a free loopback port, in a folder of its own, and the workspace it
    uses (from its environment); stopped at the end."""
    folder = tmp_path_factory.mktemp("langgraph-dev")
    home = folder / "home"
    port = _free_port()
    log = (folder / "server.log").open("w")
    # The shipped langgraph.json, with its paths made absolute so the server's files stay here.
    shipped = json.loads((ROOT / "langgraph.json").read_text())
    config = {
        "dependencies": [str(ROOT)],
        "graphs": {name: str(ROOT / spec.removeprefix("./")) for name, spec in
                   shipped["graphs"].items()},
        "checkpointer": {"path": str(ROOT / shipped["checkpointer"]["path"].removeprefix("./"))},
    }
    (folder / "langgraph.json").write_text(json.dumps(config))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GATEREVIEW_HOME": str(home),
           "XDG_CONFIG_HOME": str(folder / "user-config")}
    for name in ("GATEREVIEW_MODEL", "GATEREVIEW_TRACE_KEY", "GATEREVIEW_DATABASE_URL"):
        env.pop(name, None)
    process = subprocess.Popen(
        [str(LANGGRAPH), "dev", "--config", str(folder / "langgraph.json"), "--host", "127.0.0.1",
         "--port", str(port), "--no-browser", "--no-reload"],
        cwd=folder, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a bound for a server that never comes up
        while True:
            assert process.poll() is None, (folder / "server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (folder / "server.log").read_text()[-3000:]
            time.sleep(0.25)
        yield url, home
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log.close()


async def _drive(url: str) -> dict[str, Any]:
    from langgraph_sdk import get_client

    client = get_client(url=url)
    assistant = (await client.assistants.search(graph_id="review"))[0]
    schemas = await client.assistants.get_schemas(assistant["assistant_id"])
    thread = await client.threads.create()
    tid = thread["thread_id"]
    context = {"model": "offline"}
    await client.runs.wait(tid, "review", input={"paths": [DOC]}, context=context)
    pending = await client.threads.get_state(tid)
    from langgraph_sdk.schema import Command

    await client.runs.wait(tid, "review", command=Command(resume={"action": "approve"}),
                           context=context)
    refused = await client.threads.get_state(tid)
    await client.runs.wait(
        tid, "review", command=Command(resume={"action": "approve", "reviewer": "Ana"}),
        context=context,
    )
    final = await client.threads.get_state(tid)
    return {"thread": tid, "schemas": schemas, "pending": pending, "refused": refused,
            "final": final}


def _interrupts(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [i["value"]["action_request"]["args"] for task in state["tasks"]
            for i in task["interrupts"]]


def test_a_server_run_reaches_the_cli_verdict_is_traced_and_seen_by_the_cli(
    served: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, home = served
    result = asyncio.run(_drive(url))
    schemas = result["schemas"]
    assert "paths" in schemas["input_schema"]["properties"]
    assert "model" in schemas["context_schema"]["properties"]
    assert not {"home", "api_key", "api_base"} & set(schemas["context_schema"]["properties"])

    pending = result["pending"]
    assert pending["next"] == ["human_review"]
    run_id = pending["values"]["run_id"]
    assert run_id == result["thread"]  # the thread is the run
    assert "error" not in _interrupts(pending)[0]

    refused = result["refused"]
    assert refused["next"] == ["human_review"]
    assert "reviewer" in _interrupts(refused)[0]["error"]

    final = result["final"]
    assert final["next"] == [] and final["values"]["outcome"] == "approved"
    assert [d["reviewer"] for d in final["values"]["decisions"]] == ["Ana"]
    assert Path(final["values"]["report"]["json"]).is_relative_to(home)

    # The CLI, in the server's workspace, lists the run, shows it and verifies its trace.
    monkeypatch.setenv("GATEREVIEW_HOME", str(home))
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
    assert [r["attributes"][attr.DECISION_REVIEWER] for r in decided] == ["Ana"]

    cli = cli_json("review", DOC)
    server_verdict = final["values"]["verdict"]
    assert server_verdict["overall"] == cli["verdict"]["overall"]
    assert {g: v["status"] for g, v in server_verdict["gates"].items()} == {
        g: v["status"] for g, v in cli["verdict"]["gates"].items()
    }


async def _race(url: str) -> tuple[list[Any], dict[str, Any]]:
    from langgraph_sdk import get_client
    from langgraph_sdk.schema import Command

    client = get_client(url=url)
    tid = (await client.threads.create())["thread_id"]
    context = {"model": "offline"}
    await client.runs.wait(tid, "review", input={"paths": [DOC]}, context=context)

    async def decide(reviewer: str) -> Any:
        return await client.runs.wait(
            tid, "review", command=Command(resume={"action": "approve", "reviewer": reviewer}),
            context=context,
        )

    outcomes = await asyncio.gather(decide("Ana"), decide("Bo"), return_exceptions=True)
    return list(outcomes), await client.threads.get_state(tid)


def test_two_racing_server_decisions_record_exactly_one(
    served: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, home = served
    outcomes, final = asyncio.run(_race(url))
    assert final["values"]["outcome"] == "approved" and final["next"] == []
    decisions = final["values"]["decisions"]
    assert len(decisions) == 1, decisions
    loser = "Bo" if decisions[0]["reviewer"] == "Ana" else "Ana"
    assert loser not in {d["reviewer"] for d in decisions}
    for outcome in outcomes:  # a refused call, or one that sees the winner's decision only
        assert isinstance(outcome, Exception) or outcome["decisions"] == decisions
    monkeypatch.setenv("GATEREVIEW_HOME", str(home))
    records = cli_json("trace", final["values"]["run_id"])["records"]
    decided = [r["attributes"][attr.DECISION_REVIEWER] for r in records
               if r["kind"] == "decision"]
    assert decided == [decisions[0]["reviewer"]]
