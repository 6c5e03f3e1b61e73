"""Conditions people can act on: the finding each lifts, what evidence would lift it, an owner and
a due date; blockers first; as CSV and as GitHub issue bodies."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fakes.cli import cli_json
from lxml import html as lxml_html
from typer.testing import CliRunner

from agents.coordinator import compile_verdict
from agents.rubric import load_rubrics
from exports.conditions import SEVERITY_RANK, build_conditions, conditions_csv
from main import app
from vocabulary.models import GATES, Amendment, Evidence, GateReview

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = str(ROOT / "examples" / "middling-claims-triage.md")
runner = CliRunner()


def _show(run_id: str, fmt: str) -> str:
    result = runner.invoke(app, ["show", run_id, "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_condition_with_an_owner_and_a_due_date_exports_as_csv_and_an_issue(
    workspace: Path,
) -> None:
    run = cli_json("review", EXAMPLE)
    run_id = run["run_id"]
    ranks = [SEVERITY_RANK[c["severity"]] for c in run["conditions"]]
    assert ranks == sorted(ranks) and ranks[0] == 0  # blockers first
    assert {c["id"] for c in run["conditions"]} == {
        c.split(": ", 1)[0] for c in run["verdict"]["conditions"]
    }
    set_ = cli_json("condition", run_id, "data.quality", "--reviewer", "bo",
                    "--owner", "Ana Ruiz", "--due", "2027-01-31")  # fmt: skip
    (quality,) = [c for c in set_["conditions"] if c["id"] == "data.quality"]
    assert (quality["owner"], quality["due"], quality["assigned_by"]) == (
        "Ana Ruiz", "2027-01-31", "bo",
    )  # fmt: skip
    # Only the due date changes; the owner set before is kept.
    cli_json("condition", run_id, "data.quality", "--reviewer", "bo", "--due", "2027-02-15")

    rows = list(csv.DictReader(io.StringIO(_show(run_id, "csv"))))
    assert [r["id"] for r in rows] == [c["id"] for c in run["conditions"]]
    (row,) = [r for r in rows if r["id"] == "data.quality"]
    criterion = load_rubrics()["data"].criterion("data.quality")
    status = next(f["status"] for f in run["findings"] if f["id"] == "data.quality")
    assert row["severity"] == "blocker" and row["status"] == status
    assert (row["owner"], row["due"]) == ("Ana Ruiz", "2027-02-15")
    assert row["evidence_needed"] == " ".join(criterion.good_evidence.split())
    assert row["evidence_from"] == "rubric"  # the offline reviewer wrote no words of its own

    issues = json.loads(_show(run_id, "issues"))
    assert [i["title"].split(": ", 1)[0] for i in issues] == [
        f"[{c['severity']}] {c['id']}" for c in run["conditions"]
    ]
    (issue,) = [i for i in issues if i["title"].startswith("[blocker] data.quality:")]
    assert "gate:data" in issue["labels"] and "severity:blocker" in issue["labels"]
    body = issue["body"]
    assert f"- Finding: `data.quality` ({status})" in body
    assert "- Owner: Ana Ruiz" in body and "- Due: 2027-02-15" in body
    assert "### What would lift it" in body and run_id in body

    comment = _show(run_id, "github")
    assert "**Conditions** (blockers first)" in comment
    assert "- **data.quality** blocker (owner Ana Ruiz, due 2027-02-15): " in comment
    trace = [json.loads(line) for line in (workspace / "traces" / f"{run_id}.jsonl").open()]
    assigned = [r["attributes"] for r in trace if r["name"] == "assign_condition"]
    assert [(a["gatereview.condition.owner"], a["gatereview.condition.due"]) for a in assigned] == [
        ("Ana Ruiz", "2027-01-31"), ("Ana Ruiz", "2027-02-15"),
    ]  # fmt: skip
    verified = runner.invoke(app, ["trace", run_id, "--verify"])
    assert verified.exit_code == 0, verified.output
    done = cli_json("approve", run_id, "--reviewer", "ana")
    report = Path(done["report"]["markdown"]).read_text(encoding="utf-8")
    assert "| data.quality | blocker |" in report and "| Ana Ruiz | 2027-02-15 |" in report
    page = lxml_html.fromstring(Path(done["report"]["html"]).read_text(encoding="utf-8"))
    (table,) = page.xpath('//table[@id="condition-owners"]')
    (cells,) = [
        [td.text_content() for td in tr.xpath("td")]
        for tr in table.xpath(".//tr")
        if tr.xpath("td") and tr.xpath("td")[1].text_content() == "data.quality"
    ]
    assert cells[2] == "blocker" and cells[4:] == ["Ana Ruiz", "2027-02-15"]
    # Conditions are followed up after approval too.
    after = cli_json("condition", run_id, "change.training", "--reviewer", "bo", "--owner", "li")
    assert next(c for c in after["conditions"] if c["id"] == "change.training")["owner"] == "li"
    verified = runner.invoke(app, ["trace", run_id, "--verify"])
    assert verified.exit_code == 0, verified.output  # sealed at the decision: not appended to
    (training,) = [c for c in after["conditions"] if c["id"] == "change.training"]
    assert training["assigned_by"] == "bo" and training["assigned_at"]


def test_the_evidence_needed_is_the_model_s_words_where_it_wrote_them() -> None:
    rubrics = load_rubrics()
    quote = [Evidence(path="d.md", line_start=1, quote="q", verified=True)]
    reviews = {}
    for gate in GATES:
        findings = [c.finding(gate, "met", "s", "", quote) for c in rubrics[gate].criteria]
        reviews[gate] = GateReview(gate=gate, reviewer="offline", findings=findings)
    risk = rubrics["risk"].criteria[0]
    data = rubrics["data"].criteria[0]
    own = "Add the red-team report of March to section 5.2, with its pass criteria."
    reviews["risk"].findings[0] = risk.finding("risk", "partial", "s", own, quote)
    reviews["risk"] = reviews["risk"].model_copy(update={"reviewer": "openai/gpt-4.1-mini"})
    reviews["data"].findings[0] = data.finding("data", "partial", "s", "generic advice", quote)
    verdict = compile_verdict(reviews, rubrics)
    every = [f for r in reviews.values() for f in r.findings]
    found = {c.id: c for c in build_conditions(verdict, every, rubrics, reviews)}
    assert (found[risk.id].evidence_needed, found[risk.id].evidence_from) == (own, "model")
    assert found[data.id].evidence_from == "rubric"
    assert found[data.id].evidence_needed == data.good_evidence
    amended = {data.id: Amendment(finding_id=data.id, status="partial", reason="owners of two "
                                  "sources only", reviewer="ana")}  # fmt: skip
    from agents.amendments import apply_amendments

    findings = [f for r in reviews.values() for f in apply_amendments(r.findings, amended)]
    verdict = compile_verdict(reviews, rubrics, amended)
    by_id = {c.id: c for c in build_conditions(verdict, findings, rubrics, reviews)}
    assert by_id[data.id].evidence_from == "reviewer"
    assert by_id[data.id].evidence_needed.startswith("ana graded it partial")


def test_an_owner_or_a_condition_cannot_become_a_formula_or_a_mention() -> None:
    run_id = cli_json("review", EXAMPLE)["run_id"]
    cli_json("condition", run_id, "data.quality", "--reviewer", "bo",
             "--owner", '=HYPERLINK("http://x.test","ok")')  # fmt: skip
    cli_json("condition", run_id, "change.training", "--reviewer", "bo", "--owner", "@org/all")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(_show(run_id, "csv")))}
    assert rows["data.quality"]["owner"].startswith("'=")
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows.values() for v in r.values())
    issues = json.loads(_show(run_id, "issues"))
    body = next(i["body"] for i in issues if "change.training" in i["title"])
    assert "@org/all" not in body and "@&#8203;org/all" in body


def test_condition_mistakes_are_one_line_and_exit_2() -> None:
    run_id = cli_json("review", EXAMPLE)["run_id"]
    for args, message in (
        (["data.quality", "--owner", "ana", "--due", "next week"], "a date as YYYY-MM-DD"),
        (["data.nothing", "--owner", "ana"], "no condition data.nothing"),
        (["data.quality"], "give --owner, --due or both"),
        (["data.quality", "--owner", "a\x1b[31mb"], "--owner: "),
    ):
        result = runner.invoke(app, ["condition", run_id, *args, "--reviewer", "bo"])
        assert result.exit_code == 2, result.output
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_conditions_csv_has_a_header_row_even_without_conditions() -> None:
    assert conditions_csv([]).splitlines() == [
        "rank,id,gate,severity,status,title,condition,evidence_needed,evidence_from,owner,due"
    ]
