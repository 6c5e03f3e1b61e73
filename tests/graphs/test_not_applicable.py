"""Not applicable: a reviewer takes a criterion out of the rule with a reason; it leaves the
denominator and is kept, with its reason, in the trace and every export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
from fakes.cli import cli_json
from fakes.exports import SCHEMA
from lxml import html as lxml_html
from typer.testing import CliRunner

from agents.coordinator import compile_verdict
from agents.rubric import load_rubrics
from main import app
from vocabulary.models import GATES, Amendment, Evidence, GateReview

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "middling-claims-triage.md"
REASON = "the assistant reads the live system of record, never a copy"
runner = CliRunner()


def _reviews(statuses: dict[str, str]) -> dict[str, GateReview]:
    rubrics = load_rubrics()
    reviews = {}
    for gate in GATES:
        quote = [Evidence(path="d.md", line_start=1, quote="q", verified=True)]
        findings = [
            c.finding(gate, statuses.get(c.id, "met"), "s", "r", quote)
            for c in rubrics[gate].criteria
        ]
        reviews[gate] = GateReview(gate=gate, reviewer="offline", findings=findings)
    return reviews


def _marked(criterion: str) -> dict[str, Amendment]:
    return {criterion: Amendment(finding_id=criterion, status="not_applicable", reason=REASON,
                                 reviewer="ana")}  # fmt: skip


def test_a_not_applicable_criterion_leaves_the_rule_s_denominator() -> None:
    rubrics = load_rubrics()
    core = [c.id for c in rubrics["data"].criteria if c.severity == "blocker"]
    # Every data core criterion missing: the documents are silent on the gate.
    reviews = _reviews({cid: "missing" for cid in core})
    before = compile_verdict(reviews, rubrics)
    assert before.gates["data"].status == "not_ready"
    marked = {}
    for cid in core:
        marked |= _marked(cid)
    # All core criteria not applicable: nothing left unmet in the core.
    after = compile_verdict(reviews, rubrics, marked)
    assert after.gates["data"].status != "not_ready"
    assert not any(c.split(":")[0] in core for c in after.gates["data"].conditions)
    # One blocker missing, not applicable: its condition goes, the gate is judged without it.
    one = {core[0]: "missing"}
    plain = compile_verdict(_reviews(one), rubrics)
    assert plain.gates["data"].status == "conditional"
    assert any(c.startswith(f"{core[0]}:") for c in plain.gates["data"].conditions)
    lifted = compile_verdict(_reviews(one), rubrics, _marked(core[0]))
    assert lifted.gates["data"].status == "ready"
    assert lifted.gates["data"].conditions == []


def test_not_applicable_is_kept_with_its_reason_in_the_trace_and_every_export(
    tmp_path: Path, workspace: Path
) -> None:
    run = cli_json("review", str(EXAMPLE))
    run_id = run["run_id"]
    view = cli_json(
        "amend", run_id, "--reviewer", "ana", "--finding", "data.quality",
        "--status", "not_applicable", "--reason", REASON,
    )  # fmt: skip
    quality = next(f for f in view["findings"] if f["id"] == "data.quality")
    assert quality["not_applicable"] and quality["amend_reason"] == REASON
    assert not any(c.startswith("data.quality:") for c in view["verdict"]["conditions"])
    done = cli_json("approve", run_id, "--reviewer", "ana")
    trace = [json.loads(line) for line in (workspace / "traces" / f"{run_id}.jsonl").open()]
    (amend,) = [r for r in trace if r["kind"] == "decision" and r["name"] == "amend"]
    (traced,) = amend["attributes"]["gatereview.decision.amendments"]
    assert (traced["status"], traced["reason"]) == ("not_applicable", REASON)

    markdown = Path(done["report"]["markdown"]).read_text(encoding="utf-8")
    assert "### data.quality: " in markdown and "(not applicable)" in markdown
    assert f"Not applicable (out of the rule): {REASON}" in markdown
    report = json.loads(Path(done["report"]["json"]).read_text(encoding="utf-8"))
    (shown,) = [f for f in report["findings"] if f["id"] == "data.quality"]
    assert shown["not_applicable"] and shown["amend_reason"] == REASON
    page = lxml_html.fromstring(Path(done["report"]["html"]).read_text(encoding="utf-8"))
    assert f"Not applicable (out of the rule): {REASON}" in page.text_content()

    sarif = runner.invoke(app, ["show", run_id, "--format", "sarif"])
    assert sarif.exit_code == 0, sarif.output
    log = json.loads(sarif.stdout)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(log)
    results = log["runs"][0]["results"]
    (suppressed,) = [r for r in results if r.get("suppressions")]
    assert suppressed["ruleId"] == "data.quality"
    (suppression,) = suppressed["suppressions"]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert suppression["justification"] == f"not applicable: {REASON}"
    assert suppression["properties"]["reviewer"] == "ana"
    assert suppressed["properties"]["not_applicable"] is True

    comment = runner.invoke(app, ["show", run_id, "--format", "github"])
    assert comment.exit_code == 0
    (line,) = [ln for ln in comment.stdout.splitlines() if "**data.quality**" in ln]
    assert "not applicable" in line
    assert f"Not applicable: {REASON}" in comment.stdout


def test_a_not_applicable_reason_cannot_smuggle_markup_into_the_exports(workspace: Path) -> None:
    hostile = "n/a\n## Verdict: ready\n<script>alert(1)</script> [click](http://x.test)"
    run_id = cli_json("review", str(EXAMPLE))["run_id"]
    cli_json("amend", run_id, "--reviewer", "ana", "--finding", "data.quality",
             "--status", "not_applicable", "--reason", hostile)  # fmt: skip
    done = cli_json("approve", run_id, "--reviewer", "ana")
    markdown = Path(done["report"]["markdown"]).read_text(encoding="utf-8")
    assert "\n## Verdict: ready" not in markdown
    page = Path(done["report"]["html"]).read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    comment = runner.invoke(app, ["show", run_id, "--format", "github"]).stdout
    # Escaped where it is shown: never a tag, a link or a heading of the comment.
    assert not re.search(r"(?<!\\)<script", comment)
    assert not re.search(r"(?<!\\)\]\(http://x\.test\)", comment)
    assert "\n## Verdict" not in comment


def test_an_eval_counts_a_not_applicable_criterion_as_not_flagged() -> None:
    from agents.amendments import apply_amendments
    from evals.scorers import unmet_criteria

    findings = [f for r in _reviews({"data.owners": "missing"}).values() for f in r.findings]
    assert "data.owners" in unmet_criteria(findings)
    marked = apply_amendments(findings, _marked("data.owners"))
    assert "data.owners" not in unmet_criteria(marked)


def test_diff_shows_a_criterion_marked_not_applicable_as_resolved() -> None:
    first = cli_json("review", str(EXAMPLE))
    before = first["run_id"]
    was = next(f["status"] for f in first["findings"] if f["criterion"] == "data.quality")
    after = cli_json("review", str(EXAMPLE), "--no-incremental")["run_id"]
    cli_json("amend", after, "--reviewer", "ana", "--finding", "data.quality",
             "--status", "not_applicable", "--reason", REASON)  # fmt: skip
    diff = cli_json("diff", before, after)
    (change,) = [f for f in diff["findings"] if f["criterion"] == "data.quality"]
    assert (change["change"], change["before"], change["after"]) == (
        "resolved", was, "not_applicable",
    )  # fmt: skip
