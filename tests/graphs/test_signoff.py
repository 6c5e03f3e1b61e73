"""Sign-off per gate: named approvers sign their gates; the run is final once every required gate
is signed on the verdict as it stands; each signature is a traced decision with that hash."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from fakes.cli import cli_json
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from typer.testing import CliRunner

from graphs.context import make_context
from graphs.review import build_graph
from graphs.settings import Settings, resolve_settings
from main import app
from vocabulary.errors import GateReviewError
from vocabulary.models import Decision, verdict_sha256

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "middling-claims-triage.md")
runner = CliRunner()


def _fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


def test_two_gates_signed_by_two_people_make_the_run_final(workspace: Path) -> None:
    run = cli_json("review", EXAMPLE, "--approvers", "risk=Ana Ruiz,platform=li")
    run_id = run["run_id"]
    assert run["approvers"] == {"risk": ["Ana Ruiz"], "platform": ["li"]}
    assert run["unsigned"] == ["risk", "platform"]
    assert "not an approver of gate risk (approvers: Ana Ruiz)" in _fails(
        "approve", run_id, "--reviewer", "li", "--gate", "risk"
    )
    assert "is not a named approver" in _fails("approve", run_id, "--reviewer", "mallory")
    assert "needs no sign-off" in _fails("approve", run_id, "--reviewer", "li", "--gate", "data")
    first = cli_json("approve", run_id, "--reviewer", "ana ruiz", "--gate", "risk")  # any case
    assert first["state"] == "awaiting_decision" and first["unsigned"] == ["platform"]
    (risk,) = first["signatures"]
    assert (risk["gate"], risk["reviewer"]) == ("risk", "ana ruiz")
    assert risk["verdict_sha256"] == verdict_sha256(run["verdict"])
    shown = runner.invoke(app, ["show", run_id], terminal_width=100).stdout
    assert "risk: signed by ana ruiz at " in shown and "platform: to be signed (li)" in shown
    assert "Still to sign: platform (li)" in shown
    assert "already signed by ana ruiz" in _fails(
        "approve", run_id, "--reviewer", "Ana Ruiz", "--gate", "risk"
    )
    done = cli_json("approve", run_id, "--reviewer", "li", "--comment", "platform is fine")
    assert done["state"] == "approved" and done["unsigned"] == []
    assert [s["gate"] for s in done["signatures"]] == ["risk", "platform"]
    trace = [json.loads(line) for line in (workspace / "traces" / f"{run_id}.jsonl").open()]
    signed = [r["attributes"] for r in trace if r["kind"] == "decision"]
    who = [(d["gatereview.decision.reviewer"], d["gatereview.decision.gates"]) for d in signed]
    assert who == [("ana ruiz", ["risk"]), ("li", [])]  # li: every gate li is named for
    assert {d["gatereview.decision.verdict_sha256"] for d in signed} == {
        verdict_sha256(run["verdict"])
    }
    markdown = Path(done["report"]["markdown"]).read_text(encoding="utf-8")
    assert "## Sign-off" in markdown and "- risk: signed by ana ruiz at " in markdown
    assert "- platform: signed by li at " in markdown


def test_a_signature_on_an_earlier_verdict_no_longer_counts() -> None:
    run_id = cli_json("review", EXAMPLE, "--approvers", "risk=ana,data=bo")["run_id"]
    cli_json("approve", run_id, "--reviewer", "ana", "--gate", "risk")
    amended = cli_json(
        "amend", run_id, "--reviewer", "bo", "--finding", "data.quality", "--status", "partial",
        "--reason", "checks exist for two of the three sources",
    )  # fmt: skip
    # The verdict changed after ana signed: her signature was on another one.
    assert amended["signatures"] == [] and amended["unsigned"] == ["data", "risk"]
    cli_json("approve", run_id, "--reviewer", "bo")
    again = cli_json("approve", run_id, "--reviewer", "ana")
    assert again["state"] == "approved"


def test_one_person_approving_a_run_without_approvers_signs_every_gate() -> None:
    run_id = cli_json("review", EXAMPLE)["run_id"]
    partial = cli_json("approve", run_id, "--reviewer", "ana", "--gate", "data", "--gate", "risk")
    assert partial["state"] == "awaiting_decision"
    assert partial["unsigned"] == ["platform", "product", "change"]
    done = cli_json("approve", run_id, "--reviewer", "bo")  # signs the rest: final
    assert done["state"] == "approved"
    assert {s["gate"]: s["reviewer"] for s in done["signatures"]} == {
        "data": "ana", "risk": "ana", "platform": "bo", "product": "bo", "change": "bo",
    }  # fmt: skip


def test_approvers_come_from_a_trusted_settings_file_never_from_the_reviewed_repository(
    tmp_path: Path,
) -> None:
    trusted = tmp_path / "board.toml"
    trusted.write_text('[gatereview.approvers]\nrisk = ["ana", "bo"]\nchange = "cy"\n')
    settings = resolve_settings(config_file=trusted, env={})
    assert settings.approvers == {"risk": ["ana", "bo"], "change": ["cy"]}
    assert resolve_settings(env={"GATEREVIEW_APPROVERS": "risk=ana, risk=bo"}).approvers == {
        "risk": ["ana", "bo"]
    }
    repository = tmp_path / "repo"
    repository.mkdir()
    (repository / "gatereview.toml").write_text('approvers = {risk = "eve"}\n')
    with pytest.raises(GateReviewError, match="not gate=name"):
        resolve_settings({"approvers": "risk"}, env={})
    with pytest.raises(GateReviewError, match="approvers cannot be set by a settings file"):
        resolve_settings(env={}, repository_file=repository / "gatereview.toml")
    assert "unknown gate 'riks'" in _fails("review", EXAMPLE, "--approvers", "riks=ana", "--json")
    assert "printable text on one line" in _fails(
        "review", EXAMPLE, "--approvers", "risk=ana\x1b[2J", "--json"
    )


def test_the_graph_path_signs_gate_by_gate_and_refuses_a_forged_verdict_hash(
    tmp_path: Path,
) -> None:
    graph = build_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "g"}}
    context = make_context(Settings(home=tmp_path / "home"))
    start = {"paths": [EXAMPLE], "run_id": "g", "approvers": {"risk": ["ana"], "data": ["bo"]}}

    async def drive() -> tuple[dict, dict, dict]:
        await graph.ainvoke(start, config, context=context)
        forged = Decision(action="approve", reviewer="ana", gates=["risk"],
                          verdict_sha256="f" * 64)  # fmt: skip
        await graph.ainvoke(Command(resume=forged.model_dump()), config, context=context)
        refused = (await graph.aget_state(config)).tasks[0].interrupts[0].value
        sign = Decision(action="approve", reviewer="ana", gates=["risk"])
        await graph.ainvoke(Command(resume=sign.model_dump()), config, context=context)
        half = (await graph.aget_state(config)).values
        last = Decision(action="approve", reviewer="bo")
        await graph.ainvoke(Command(resume=last.model_dump()), config, context=context)
        return refused, half, (await graph.aget_state(config)).values

    refused, half, final = asyncio.run(drive())
    assert "the verdict changed" in refused["action_request"]["args"]["error"]
    assert list(half["signatures"]) == ["risk"] and "outcome" not in half
    assert final["outcome"] == "approved" and set(final["signatures"]) == {"risk", "data"}
    assert final["signatures"]["data"]["verdict_sha256"] == verdict_sha256(final["verdict"])
