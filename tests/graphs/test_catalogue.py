"""The run catalogue: `runs` and `show` read saved views, and never a stale one."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from fakes.cli import ROOT
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command

from agents.models import Decision
from graphs.catalogue import list_runs, load_run
from graphs.context import make_context
from graphs.review import build_graph
from graphs.runs import start_review
from graphs.settings import Settings
from graphs.workspace import Workspace

DEMO = str(ROOT / "examples" / "demo-grade-poc.md")

# Runs `runs` and `show` in a fresh interpreter and reports what they loaded.
READ_COMMANDS = """
import json, sys
from main import app
outputs = []
for args in (["runs", "--json"], ["show", sys.argv[2], "--json"]):
    try:
        app([*args, "--home", sys.argv[1]])
    except SystemExit as done:
        assert done.code == 0, args
print(json.dumps({"langgraph": "langgraph" in sys.modules, "litellm": "litellm" in sys.modules}))
"""


def _loaded_by_read_commands(home: Path, run_id: str) -> dict[str, bool]:
    done = subprocess.run(
        [sys.executable, "-c", READ_COMMANDS, str(home), run_id],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_listing_and_showing_a_saved_run_loads_neither_langgraph_nor_litellm(
    workspace: Path,
) -> None:
    view = asyncio.run(start_review([DEMO], Settings(home=workspace)))
    assert _loaded_by_read_commands(workspace, view.run_id) == {
        "langgraph": False,
        "litellm": False,
    }


def test_a_run_advanced_behind_the_catalogues_back_is_read_from_its_checkpoints(
    workspace: Path,
) -> None:
    settings = Settings(home=workspace)
    run_id = asyncio.run(start_review([DEMO], settings)).run_id
    assert load_run(run_id, settings).state == "awaiting_decision"
    # Approve through LangGraph directly, as a process killed before cataloguing would leave it.
    with SqliteSaver.from_conn_string(str(Workspace(workspace).database)) as saver:
        graph = build_graph().compile(checkpointer=saver)
        decision = Decision(action="approve", reviewer="ana")
        graph.invoke(
            Command(resume=decision.model_dump()),
            {"configurable": {"thread_id": run_id}},
            context=make_context(settings),
        )
    assert load_run(run_id, settings).state == "approved"
    assert [(s.run_id, s.state) for s in list_runs(settings)] == [(run_id, "approved")]
    # Read once from the checkpoints, the run is catalogued again: the next read is fast.
    assert _loaded_by_read_commands(workspace, run_id)["langgraph"] is False


def test_a_run_missing_from_the_catalogue_is_listed_from_its_checkpoints(
    workspace: Path,
) -> None:
    settings = Settings(home=workspace)
    views = [asyncio.run(start_review([DEMO], settings)) for _ in range(2)]
    with sqlite3.connect(Workspace(workspace).database) as conn:
        conn.execute("DELETE FROM catalogue_v1 WHERE run_id = ?", (views[0].run_id,))
    listed = {s.run_id: s for s in list_runs(settings)}
    assert set(listed) == {v.run_id for v in views}
    assert listed[views[0].run_id].verdict == views[0].verdict.overall
    assert load_run(views[0].run_id, settings).findings == views[0].findings
