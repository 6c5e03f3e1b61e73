"""Racing signers: approvers of one gate signing at the same moment from separate processes;
exactly one signature applies, the others are told who signed, and the run stays awaiting the
other gate's approver."""

from __future__ import annotations

import asyncio
from pathlib import Path

from processes import EXAMPLES, together, trace_records

from graphs.settings import Settings
from runs.operations import load_run, start_review


def test_approvers_of_one_gate_signing_at_once_exactly_one_signature_applies(
    workspace: Path, tmp_path: Path
) -> None:
    approvers = {"risk": ["ana", "bo", "cy"], "platform": ["li"]}
    settings = Settings(home=workspace, approvers=approvers)
    doc = str(EXAMPLES / "strong-contract-search.md")
    run_id = asyncio.run(start_review([doc], settings)).run_id
    signers = ["ana", "bo", "cy"]
    results = together(
        tmp_path,
        [["approve", run_id, "--reviewer", who, "--gate", "risk"] for who in signers],
    )
    assert sorted(code for code, _, _ in results) == [0, 2, 2], results
    view = load_run(run_id, settings)
    assert view.state == "awaiting_decision" and view.unsigned == ["platform"]
    (winner,) = view.signatures
    assert winner.gate == "risk"
    assert winner.reviewer in signers and len(view.decisions) == 1
    losers = [err.strip() for code, _, err in results if code == 2]
    assert all(
        f"by {winner.reviewer}" in err or "being worked on by another process" in err
        for err in losers
    ), losers
    assert all(len(err.splitlines()) == 1 for err in losers), losers
    traced = [r["attributes"] for r in trace_records(workspace, run_id) if r["kind"] == "decision"]
    assert [d["gatereview.decision.reviewer"] for d in traced] == [winner.reviewer]
    assert traced[0]["gatereview.decision.gates"] == ["risk"]
    assert traced[0]["gatereview.decision.verdict_sha256"] == winner.verdict_sha256
