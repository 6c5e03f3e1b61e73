"""Runs and views for the export tests: a real offline review, and a view with every flag."""

from __future__ import annotations

import pytest
from fakes.cli import cli_json
from fakes.exports import DEMO, HOSTILE, finding, quoted

from agents.models import GateVerdict, Verdict
from exports.sources import Source
from graphs.view import DocumentInfo, GateInfo, RunView


@pytest.fixture
def demo_run() -> str:
    """The run id of an offline review of the demo-grade document (not_ready)."""
    return str(cli_json("review", str(DEMO))["run_id"])


@pytest.fixture
def flagged() -> tuple[RunView, dict[str, Source]]:
    """A view whose findings are unsupported, disputed, mentioned, noted, dismissed, missing."""
    lines = ["# Design", "", "Intro.", "The owner is the claims data team.", HOSTILE, "End."]
    findings = [
        finding("data.owners", "met", evidence=[quoted(4)], disputed="offline finds nothing"),
        finding("data.sources", "partial", evidence=[quoted(5, HOSTILE)], unsupported="off topic"),
        finding("risk.guardrails", "mentioned", evidence=[quoted(3, "Intro.")],
                 support_note="met shown as partial"),
        finding("platform.hosting", "missing", searched_for=["hosting", "cloud"]),
        finding("product.journey", "contradicted", evidence=[quoted(6, "End.")], dismissed=True),
        finding("change.training", "met", evidence=[quoted(4)]),
    ]
    gates = {
        g: GateVerdict(status="not_ready", reason=f"{g} reason {HOSTILE}")
        for g in ("data", "risk", "platform", "product", "change")
    }
    view = RunView(
        run_id="20261129-000000-abcd",
        state="awaiting_decision",
        documents=[DocumentInfo(path="doc.md", kind="markdown", sha256="0" * 64, sections=1,
                                lines=len(lines))],
        verdict=Verdict(overall="not_ready", gates=gates, conditions=["data.owners: name one"],
                        summary="Not ready."),
        gates={g: GateInfo(reviewer="offline") for g in gates},
        findings=findings,
        report={"trace_last_hash": "f" * 64},
    )
    return view, {"doc.md": Source(path="doc.md", lines=tuple(lines), heading_line=1)}
