"""Findings per framework clause: in `show --by framework`, its JSON and the reports."""

from __future__ import annotations

from pathlib import Path

from fakes.cli import cli_json
from typer.testing import CliRunner

from agents.offline import review_gate_offline
from agents.rubric_set import load_rubric_set
from exports.coverage import framework_coverage
from main import app
from tools.documents import load_documents

ROOT = Path(__file__).resolve().parents[2]
DOC = str(ROOT / "examples" / "middling-claims-triage.md")
runner = CliRunner()


def _clause(payload: dict, framework: str, clause: str) -> dict:
    coverage = next(f for f in payload["frameworks"] if f["framework"] == framework)
    return next(c for c in coverage["clauses"] if c["clause"] == clause)


def test_a_clause_is_evidenced_only_by_counted_met_or_partial_findings() -> None:
    review = cli_json("review", DOC)
    run = review["run_id"]
    statuses = {f["criterion"]: f["status"] for f in review["findings"]}
    by_framework = cli_json("show", run, "--by", "framework")
    assert by_framework["run_id"] == run
    nist = next(f for f in by_framework["frameworks"] if f["framework"] == "nist_ai_rmf")
    assert "GOVERN 1.2" in nist["unmapped"]  # no built-in criterion evidences it
    training = _clause(by_framework, "nist_ai_rmf", "GOVERN 2.2")  # change.training only
    assert statuses["change.training"] not in ("met", "partial")
    assert training == {
        "clause": "GOVERN 2.2",
        "findings": [
            {"id": "change.training", "status": statuses["change.training"], "evidenced": False}
        ],
        "evidenced": False,
    }
    cli_json(
        "amend",
        run,
        "--reviewer",
        "ana",
        "--finding",
        "change.training",
        "--status",
        "met",
        "--reason",
        "training plan in annex D",
    )
    after = cli_json("show", run, "--by", "framework")
    assert _clause(after, "nist_ai_rmf", "GOVERN 2.2")["evidenced"] is True
    assert _clause(after, "eu_ai_act", "Art. 4")["findings"][-1]["id"] == "change.training"


def test_the_terminal_and_the_reports_list_findings_per_clause() -> None:
    run = cli_json("review", DOC)["run_id"]
    shown = runner.invoke(app, ["show", run, "--by", "framework"])
    assert shown.exit_code == 0, shown.output
    for text in (
        "NIST AI RMF 1.0",
        "ISO/IEC 42001:2023 Annex A",
        "EU AI Act",
        "GOVERN 2.2",
        "change.training",
        "mapped clauses evidenced",
    ):
        assert text in shown.stdout
    approved = cli_json("approve", run, "--reviewer", "ana")
    markdown = Path(approved["report"]["markdown"]).read_text(encoding="utf-8")
    assert "## NIST AI RMF 1.0" in markdown and "## EU AI Act" in markdown
    assert "| Art. 14 |" in markdown and "No criterion maps to:" in markdown
    page = Path(approved["report"]["html"]).read_text(encoding="utf-8")
    assert "<h2>NIST AI RMF 1.0</h2>" in page and "<tr><td>Art. 14</td>" in page


def test_an_unknown_by_is_one_line_and_exit_2() -> None:
    run = cli_json("review", DOC)["run_id"]
    result = runner.invoke(app, ["show", run, "--by", "clause"])
    assert result.exit_code == 2 and "unknown --by 'clause': gate or framework" in result.stderr


def test_each_clause_lists_the_findings_of_every_criterion_mapped_to_it_in_rubric_order() -> None:
    rubrics = load_rubric_set()
    documents = load_documents([DOC]).documents
    findings = [
        f for r in rubrics.rubrics.values() for f in review_gate_offline(r, documents).findings
    ]
    criteria = [c for r in rubrics.rubrics.values() for c in r.criteria]
    for coverage in framework_coverage(findings, rubrics):
        for clause in coverage.clauses:
            mapped = [
                c.id for c in criteria if clause.clause in c.frameworks.clauses(coverage.framework)
            ]
            assert [f.id for f in clause.findings] == mapped
        listed = {c.clause for c in coverage.clauses} | set(coverage.unmapped)
        assert len(listed) == len(coverage.clauses) + len(coverage.unmapped)
