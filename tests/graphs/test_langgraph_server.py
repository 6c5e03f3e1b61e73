"""A real `langgraph dev` server runs the review graph to the same verdict as the CLI.

The server is started from langgraph.json on 127.0.0.1 and driven through langgraph_sdk, as a
team deploying the graph would. Skipped, with the reason, only when the server is not installed.
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
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`langgraph dev` on a free loopback port, in a folder of its own; stopped at the end."""
    folder = tmp_path_factory.mktemp("langgraph-dev")
    port = _free_port()
    log = (folder / "server.log").open("w")
    # The shipped langgraph.json, with its paths made absolute so the server's files stay here.
    shipped = json.loads((ROOT / "langgraph.json").read_text())
    config = {
        "dependencies": [str(ROOT)],
        "graphs": {name: str(ROOT / spec.removeprefix("./")) for name, spec in
                   shipped["graphs"].items()},
    }
    (folder / "langgraph.json").write_text(json.dumps(config))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GATEREVIEW_HOME", None)
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
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log.close()


async def _drive(url: str, home: Path) -> dict[str, Any]:
    from langgraph_sdk import get_client

    client = get_client(url=url)
    assistant = (await client.assistants.search(graph_id="review"))[0]
    schemas = await client.assistants.get_schemas(assistant["assistant_id"])
    thread = await client.threads.create()
    tid = thread["thread_id"]
    context = {"home": str(home), "model": "offline"}
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
    return [i["value"] for task in state["tasks"] for i in task["interrupts"]]


def test_a_server_run_reaches_the_cli_verdict_and_refuses_an_invalid_resume(
    server: str, workspace: Path
) -> None:
    result = asyncio.run(_drive(server, workspace))
    schemas = result["schemas"]
    assert "paths" in schemas["input_schema"]["properties"]
    assert "home" in schemas["context_schema"]["properties"]
    assert "api_key" not in schemas["context_schema"]["properties"]

    pending = result["pending"]
    assert pending["next"] == ["human_review"]
    assert pending["values"]["run_id"] == result["thread"]  # the thread is the run
    assert "error" not in _interrupts(pending)[0]

    refused = result["refused"]
    assert refused["next"] == ["human_review"]
    assert "reviewer" in _interrupts(refused)[0]["error"]

    final = result["final"]
    assert final["next"] == [] and final["values"]["outcome"] == "approved"
    assert [d["reviewer"] for d in final["values"]["decisions"]] == ["Ana"]
    assert Path(final["values"]["report"]["json"]).is_relative_to(workspace)

    cli = cli_json("review", DOC)
    server_verdict = final["values"]["verdict"]
    assert server_verdict["overall"] == cli["verdict"]["overall"]
    assert {g: v["status"] for g, v in server_verdict["gates"].items()} == {
        g: v["status"] for g, v in cli["verdict"]["gates"].items()
    }


async def _race(url: str, home: Path) -> tuple[list[Any], dict[str, Any]]:
    from langgraph_sdk import get_client
    from langgraph_sdk.schema import Command

    client = get_client(url=url)
    tid = (await client.threads.create())["thread_id"]
    context = {"home": str(home)}
    await client.runs.wait(tid, "review", input={"paths": [DOC]}, context=context)

    async def decide(reviewer: str) -> Any:
        return await client.runs.wait(
            tid, "review", command=Command(resume={"action": "approve", "reviewer": reviewer}),
            context=context,
        )

    outcomes = await asyncio.gather(decide("Ana"), decide("Bo"), return_exceptions=True)
    return list(outcomes), await client.threads.get_state(tid)


def test_two_racing_server_decisions_record_exactly_one(server: str, workspace: Path) -> None:
    outcomes, final = asyncio.run(_race(server, workspace))
    assert final["values"]["outcome"] == "approved" and final["next"] == []
    decisions = final["values"]["decisions"]
    assert len(decisions) == 1, decisions
    loser = "Bo" if decisions[0]["reviewer"] == "Ana" else "Ana"
    assert loser not in {d["reviewer"] for d in decisions}
    for outcome in outcomes:  # a refused call, or one that sees the winner's decision only
        assert isinstance(outcome, Exception) or outcome["decisions"] == decisions
