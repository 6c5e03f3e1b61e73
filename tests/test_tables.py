"""Every table at 80 columns (a CI log) and 120: degraded, long-path and many-finding runs,
review-batch and diff. No line wider than the terminal, no word cut, no ellipsis."""

from __future__ import annotations

import io
import re

import pytest
from fakes.cli import cli_json
from rich.console import Console, Group

from cli.render.diff import diff_view
from cli.render.portfolio import portfolio_table
from cli.render.run import decisions_view, findings_view, gate_table, next_steps, verdict_lines
from exports.diff import diff_runs
from exports.view import GateInfo, RunView
from portfolio.batch import Portfolio, ProjectResult
from tests.conftest import EXAMPLES
from vocabulary.models import Usage

WIDTHS = pytest.mark.parametrize("width", [80, 120], ids=["80", "120"])
LONG = "docs/programmes/claims-modernisation/workstream-7/invoice-assist-design-document.md"
REASON = (
    "connection: model openai/x: connection: litellm.InternalServerError: "
    "InternalServerError: OpenAIException - Connection error."
)


def _at(width: int, *renderables: object) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    for renderable in renderables:
        console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def _fits(text: str, width: int) -> None:
    assert "…" not in text
    too_wide = [line for line in text.splitlines() if len(line) > width]
    assert not too_wide, too_wide[:3]


def _run(doc: str = "demo-grade-poc.md") -> RunView:
    return RunView.model_validate(cli_json("review", str(EXAMPLES / doc)))


def _degraded(view: RunView) -> RunView:
    usage = Usage(calls=4, input_tokens=0, output_tokens=0, cost_usd=0.0, latency_s=2.5)
    gates = {
        g: GateInfo(reviewer="offline", degraded=True, degraded_reason=REASON, usage=usage)
        for g in view.gates
    }
    return view.model_copy(update={"gates": gates, "usage": usage})


def _long_paths(view: RunView) -> RunView:
    findings = [
        f.model_copy(update={"evidence": [
            e.model_copy(update={"path": LONG, "reader_location": None}) for e in f.evidence]})
        for f in view.findings
    ]
    docs = [d.model_copy(update={"path": LONG}) for d in view.documents]
    return view.model_copy(update={"findings": findings, "documents": docs})


def _show(view: RunView, width: int) -> str:
    parts = [gate_table(view, width), verdict_lines(view), findings_view(view),
             decisions_view(view), next_steps(view, "python main.py")]
    return _at(width, Group(*parts))


@WIDTHS
@pytest.mark.parametrize("kind", ["degraded", "long-paths", "many-findings"])
def test_a_run_reads_well(width: int, kind: str) -> None:
    view = _run()
    view = {"degraded": _degraded, "long-paths": _long_paths}.get(kind, lambda v: v)(view)
    text = _show(view, width)
    _fits(text, width)
    assert len(view.findings) >= 30
    for gate, verdict in view.verdict.gates.items():
        assert re.search(rf"│ {gate}\s+│ {verdict.status}\s", text), gate
    for finding in view.findings:  # every finding's id and status word on its head line
        assert re.search(rf"^{re.escape(finding.id)}\s+{finding.status}\b", text, re.M)
    assert view.run_id in text
    if kind == "degraded":
        assert text.count("degraded (offline)") == 1  # one line for the five gates' one reason
        # was 625 lines (the reason one letter per line); the screen quotes up to 3 passages
        assert len(text.splitlines()) < 450
    if kind == "long-paths":
        joined = re.sub(r"\s+", "", text)  # a path longer than the line wraps, whole
        assert joined.count(f"{LONG}:") >= sum(len(f.evidence) for f in view.findings)


def test_the_gate_table_keeps_its_counts_and_cost_at_80_when_degraded() -> None:
    view = _degraded(_run())
    table = _at(80, gate_table(view, 80))
    _fits(table, 80)
    head = next(line for line in table.splitlines() if "gate" in line and "status" in line)
    header = {"met": "met", "partial": "part.", "mentioned": "ment.", "found": "found",
              "missing": "miss.", "contradicted": "contra."}  # fmt: skip
    present = {f.status for f in view.findings} | {"met", "missing"}
    for column in [header[s] for s in present] + ["cost"]:
        assert f" {column} " in head, column


def _portfolio(run_id: str) -> Portfolio:
    projects = [
        ProjectResult(project="contract-search-for-the-legal-department-and-procurement",
                      owner="Ana Ruiz-Fernandez de la Vega", documents=[LONG], run_id=run_id,
                      state="awaiting_decision", verdict="ready_with_conditions",
                      gates={"data": "ready", "risk": "conditional", "platform": "conditional"},
                      conditions=4, cost_usd=0.1234),
        ProjectResult(project="claims", documents=["c.md"], run_id=run_id,
                      state="awaiting_decision", verdict="not_ready",
                      gates={g: "not_ready" for g in ("data", "risk", "platform", "product")},
                      conditions=17, cost_usd=None),
        ProjectResult(project="missing", documents=["nowhere.md"], state="failed",
                      error=f"{LONG}: no such file or directory"),
    ]
    return Portfolio(projects=projects, max_concurrency=4, seconds=1.0)


@WIDTHS
def test_review_batch_never_cuts_a_verdict_or_a_run_id(width: int) -> None:
    run_id = "20261208-020548-e678"
    text = _at(width, portfolio_table(_portfolio(run_id), width))
    _fits(text, width)
    for word in ("ready_with_conditions", "not_ready", "failed", "$0.1234"):
        assert re.search(rf"│ {re.escape(word)}\s", text), word
    assert text.count(run_id) == 2
    assert "no such" in text  # a failed project keeps its reason


@WIDTHS
@pytest.mark.parametrize("documents", [1, 2], ids=["one-document", "two-documents"])
def test_diff_keeps_criteria_statuses_and_lines_whole(width: int, documents: int) -> None:
    before = _long_paths(_run("middling-claims-triage.md"))
    after = before.model_copy(update={"findings": [
        f.model_copy(update={
            "status": "missing" if i % 3 == 0 else f.status,
            "evidence": [e.model_copy(update={
                "line_start": (e.line_start or 1) + 2, "line_end": (e.line_end or 1) + 2,
                "quote": e.quote + " (revised)",
                "path": LONG if documents == 1 or j == 0 else LONG.replace("design", "annex"),
            }) for j, e in enumerate(f.evidence)]})
        for i, f in enumerate(before.findings)]})
    diff = diff_runs(before, after)
    text = _at(width, diff_view(diff, width))
    _fits(text, width)
    changed = [f for f in diff.findings if f.change != "moved_lines"]
    assert changed
    for f in changed:
        assert re.search(rf"│ {re.escape(f.change.replace('_', ' '))}\s+│ {f.criterion}\s", text)
    flat = " ".join(text.split())
    for f in changed:  # each quote's new line number is shown
        for loc in f.lines_after:
            assert loc.rsplit(":", 1)[1] in flat
