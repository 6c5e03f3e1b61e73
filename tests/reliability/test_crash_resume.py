"""SIGKILL during the gate reviews, during the coordinator and while a decision is applied:
`runs` says interrupted, `python main.py resume RUN` finishes the run, only unfinished work is
asked of the model again, and nothing recorded is lost or duplicated.

The model is a real HTTP server in this process (`ServedModel`); the review runs in a child
process that the test kills while the server holds one chosen request unanswered. The first
test resumes in a fresh process; the others resume through the same CLI in the test's process
(another process than the one killed, and five seconds of litellm import cheaper).
"""

from __future__ import annotations

import asyncio
import json
import stat
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from processes import (
    EXAMPLES,
    checkpointed_gates,
    kill,
    launch,
    llm_calls,
    node_starts,
    only_run,
    run_cli,
    trace_records,
    wait_until,
)
from served_model import ServedModel
from typer.testing import CliRunner

from agents.rubric import load_rubrics
from graphs.settings import Settings
from main import app
from runs.operations import start_review
from vocabulary.models import GATES

STRONG = str(EXAMPLES / "strong-contract-search.md")
GUIDANCE = "The data owners are named in annex B; review data ownership again."


@pytest.fixture
def served() -> Iterator[ServedModel]:
    """The model, on 127.0.0.1, for processes the test starts."""
    with ServedModel() as model:
        yield model


def _states() -> dict[str, str]:
    result = CliRunner().invoke(app, ["runs", "--json"])
    assert result.exit_code == 0, result.output
    return {r["run_id"]: r["state"] for r in json.loads(result.stdout)["runs"]}


def _owner_only(home: Path) -> dict[str, str]:
    """Files and folders anyone but the owner could read (none, also after a SIGKILL)."""
    modes = {str(p.relative_to(home)): stat.S_IMODE(p.stat().st_mode) for p in home.rglob("*")}
    return {name: oct(mode) for name, mode in modes.items() if mode & 0o077}


def _assert_intact(home: Path, run_id: str, view: dict[str, Any], calls: Counter[str]) -> None:
    """One finding per criterion per gate, the expected model calls once each, chain intact."""
    rubrics = load_rubrics()
    per_gate = Counter(f["gate"] for f in view["findings"])
    assert per_gate == {gate: len(rubrics[gate].criteria) for gate in GATES}
    assert len({f["id"] for f in view["findings"]}) == len(view["findings"])
    assert not any(info["degraded"] for info in view["gates"].values())
    records = trace_records(home, run_id)
    assert llm_calls(records) == calls
    opened = [r["span_id"] for r in records if r["kind"] not in ("node_end", "run_end")]
    assert len(opened) == len(set(opened)), "a trace record was written twice"
    verify = CliRunner().invoke(app, ["trace", run_id, "--verify"])
    assert verify.exit_code == 0, verify.output


def _resume_here(run_id: str) -> dict[str, Any]:
    """`python main.py resume RUN --json`, run by the CLI in this process."""
    result = CliRunner().invoke(app, ["resume", run_id, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _approve_and_verify(run_id: str, decisions: list[tuple[str, str]]) -> None:
    """Finish the run and check the trace against the hash the report recorded."""
    result = CliRunner().invoke(app, ["approve", run_id, "--reviewer", "Bo Chen", "--json"])
    assert result.exit_code == 0, result.output
    final = json.loads(result.stdout)
    assert final["state"] == "approved"
    assert [(d["action"], d["reviewer"]) for d in final["decisions"]] == decisions
    verify = CliRunner().invoke(app, ["trace", run_id, "--verify", "--json"])
    assert verify.exit_code == 0 and json.loads(verify.stdout)["ok"], verify.output


def test_killed_during_the_gate_reviews_resume_asks_only_the_unanswered_gate(
    served: ServedModel, workspace: Path, database_url: str | None
) -> None:
    served.hold("review", "risk")
    review = launch("review", STRONG, *served.flags, "--json")
    served.wait_for(lambda: served.count("review") == 5, "every gate's review request")
    run_id = wait_until(lambda: only_run(workspace), "the run's trace file")
    answered = set(GATES) - {"risk"}
    wait_until(
        lambda: checkpointed_gates(workspace, run_id, database_url) == answered,
        "4 gates checkpointed",
    )
    kill(review)
    if database_url is None:
        assert (workspace / "checkpoints.sqlite-wal").exists()  # left open by the killed process
    assert _owner_only(workspace) == {}
    assert _states() == {run_id: "interrupted"}

    code, view, err = run_cli("resume", run_id)
    assert code == 0, err
    assert view is not None and view["state"] == "awaiting_decision"
    assert served.per_gate("review") == {**dict.fromkeys(answered, 1), "risk": 2}
    assert served.count("summary") == 1
    _assert_intact(workspace, run_id, view, Counter({**dict.fromkeys(GATES, 1), "coordinator": 1}))
    starts = node_starts(trace_records(workspace, run_id))
    reviewed = {g: starts[f"review_gate:{g}"] for g in GATES}
    assert reviewed == {**dict.fromkeys(answered, 1), "risk": 2}
    _approve_and_verify(run_id, [("approve", "Bo Chen")])


def test_killed_during_the_coordinator_resume_reruns_only_the_coordinator(
    served: ServedModel, workspace: Path, database_url: str | None
) -> None:
    served.hold("summary")
    review = launch("review", STRONG, *served.flags, "--json")
    served.wait_for(lambda: served.count("summary") == 1, "the coordinator's summary request")
    run_id = wait_until(lambda: only_run(workspace), "the run's trace file")
    kill(review)
    assert _states() == {run_id: "interrupted"}

    view = _resume_here(run_id)
    assert view["state"] == "awaiting_decision"
    assert view["verdict"]["summary_by"] == served.model  # the model wrote it, not the rule
    assert served.per_gate("review") == dict.fromkeys(GATES, 1)
    assert served.count("summary") == 2
    _assert_intact(workspace, run_id, view, Counter({**dict.fromkeys(GATES, 1), "coordinator": 1}))
    assert node_starts(trace_records(workspace, run_id))["coordinator"] == 2
    _approve_and_verify(run_id, [("approve", "Bo Chen")])


def test_killed_while_a_decision_is_applied_resume_finishes_that_decision_once(
    served: ServedModel, workspace: Path, database_url: str | None
) -> None:
    settings = Settings(
        home=workspace,
        model=f"openai/{served.model}",
        api_base=served.api_base,
        database_url=database_url,
    )
    run_id = asyncio.run(start_review([STRONG], settings)).run_id
    served.hold("review", "data")
    deciding = launch(
        "reject", run_id, "--reviewer", "Ana Ruiz", "--comment", GUIDANCE, "--gate", "data"
    )
    served.wait_for(lambda: served.count("review", "data") == 2, "the data gate's re-review")
    kill(deciding)
    assert _states() == {run_id: "interrupted"}
    late = CliRunner().invoke(app, ["approve", run_id, "--reviewer", "Bo Chen"])
    assert late.exit_code == 2
    assert f"resume {run_id}" in " ".join(late.stderr.split())  # as the user ran the tool

    view = _resume_here(run_id)
    assert view["state"] == "awaiting_decision"
    assert [(d["action"], d["reviewer"]) for d in view["decisions"]] == [("reject", "Ana Ruiz")]
    assert served.per_gate("review") == {**dict.fromkeys(GATES, 1), "data": 3}
    assert GUIDANCE in json.dumps(served.last_body("review", "data"))
    calls = Counter({**dict.fromkeys(GATES, 1), "data": 2, "coordinator": 2})
    _assert_intact(workspace, run_id, view, calls)
    records = trace_records(workspace, run_id)
    assert [r["name"] for r in records if r["kind"] == "decision"] == ["reject"]
    _approve_and_verify(run_id, [("reject", "Ana Ruiz"), ("approve", "Bo Chen")])


def test_killed_mid_trace_write_the_torn_line_is_reported_then_cut_and_noted(
    workspace: Path,
) -> None:
    # A SIGKILL can land inside the write() of a flush: the kernel stops at a page boundary and
    # the file ends in part of a line. Simulated here: the real kill cannot be aimed there.
    run_id = asyncio.run(start_review([STRONG], Settings(home=workspace))).run_id
    trace = workspace / "traces" / f"{run_id}.jsonl"
    whole = trace.read_bytes()
    trace.write_bytes(whole + whole.splitlines(keepends=True)[-1][:57])
    broken = CliRunner().invoke(app, ["trace", run_id, "--verify"])
    assert broken.exit_code == 1 and "incomplete" in broken.stderr
    _approve_and_verify(run_id, [("approve", "Bo Chen")])
    records = trace_records(workspace, run_id)
    assert len(records) > len(whole.splitlines())  # every complete record kept
    repaired = [r for r in records if "gatereview.trace.torn_tail_bytes" in r["attributes"]]
    assert [r["attributes"]["gatereview.trace.torn_tail_bytes"] for r in repaired] == [57]
