"""`diff RUN_A RUN_B`: gate changes and findings matched by criterion and quote, not line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes.cli import cli_json
from typer.testing import CliRunner

from exports.diff import diff_runs
from exports.view import RunView
from main import app
from vocabulary.models import Evidence, Finding, GateVerdict, Verdict

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "middling-claims-triage.md"
CHAMPIONS = (
    "Team leaders at the pilot site have been told about the project but no specific champions "
    "have been named yet."
)
runner = CliRunner()


def _two_reviews(tmp_path: Path, edit: tuple[str, str]) -> tuple[dict, dict, dict]:
    doc = tmp_path / "design.md"
    text = EXAMPLE.read_text(encoding="utf-8")
    doc.write_text(text, encoding="utf-8")
    first = cli_json("review", str(doc), "--project", "claims")
    assert edit[0] in text
    doc.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    second = cli_json("review", str(doc), "--project", "claims")
    return first, second, cli_json("diff", first["run_id"], second["run_id"])


def _lines_below(finding: dict, line: int) -> bool:
    return any(e["line_start"] >= line for e in finding["evidence"] if e["kind"] == "document")


def test_a_neutral_inserted_paragraph_only_moves_the_lines_below_it(tmp_path: Path) -> None:
    anchor = "## 2. Architecture overview"
    inserted = "This paragraph was added and says nothing a reviewer weighs.\n\n" + anchor
    first, second, diff = _two_reviews(tmp_path, (anchor, inserted))
    line = next(i for i, t in enumerate(EXAMPLE.read_text().splitlines(), 1) if t == anchor)
    moved = {f["criterion"] for f in first["findings"] if _lines_below(f, line)}
    assert diff["gates"] == [] and diff["overall_before"] == diff["overall_after"]
    assert {f["change"] for f in diff["findings"]} == {"moved_lines"}
    assert {f["criterion"] for f in diff["findings"]} == moved
    assert diff["unchanged"] == len(first["findings"]) - len(moved)
    sample = diff["findings"][0]
    assert [int(x.rsplit(":", 1)[1].split("-")[0]) + 2 for x in sample["lines_before"]] == [
        int(x.rsplit(":", 1)[1].split("-")[0]) for x in sample["lines_after"]
    ]
    assert first["project"] == second["project"] == diff["project"] == "claims"


def test_an_edited_sentence_shows_as_exactly_the_status_changes_it_made(tmp_path: Path) -> None:
    named = ("Each pilot team has a named champion in a small champions network, the Leeds motor "
             "team leader, who runs a weekly drop-in session for handlers.")
    first, second, diff = _two_reviews(tmp_path, (CHAMPIONS, named))
    before = {f["criterion"]: f["status"] for f in first["findings"]}
    after = {f["criterion"]: f["status"] for f in second["findings"]}
    changed = {c for c in before if before[c] != after[c]}
    assert "change.champions" in changed
    statuses = {f["criterion"] for f in diff["findings"] if f["change"] != "changed_evidence"}
    assert statuses == changed
    champions = next(f for f in diff["findings"] if f["criterion"] == "change.champions")
    assert (champions["before"], champions["after"]) == ("missing", "found")
    gates_a, gates_b = first["verdict"]["gates"], second["verdict"]["gates"]
    assert [g["gate"] for g in diff["gates"]] == [
        g for g in gates_a if gates_a[g]["status"] != gates_b[g]["status"]
    ]
    report = Path(diff["report"]["markdown"]).read_text(encoding="utf-8")
    assert "change.champions: missing -> found" in report
    assert json.loads(Path(diff["report"]["json"]).read_text())["after"] == second["run_id"]
    page = Path(diff["report"]["html"]).read_text(encoding="utf-8")
    assert "<td>change.champions</td>" in page and "Content-Security-Policy" in page
    shown = runner.invoke(app, ["diff", first["run_id"], second["run_id"]])
    assert shown.exit_code == 0 and "change.champions" in shown.stdout


def _view(run_id: str, findings: list[Finding], gates: dict[str, str]) -> RunView:
    verdict = Verdict(
        overall="not_ready",
        gates={g: GateVerdict(status=s, reason="r") for g, s in gates.items()},  # type: ignore[arg-type]
    )
    return RunView(run_id=run_id, state="awaiting_decision", findings=findings, verdict=verdict)


def _finding(criterion: str, status: str, quote: str = "", line: int = 1) -> Finding:
    evidence = [Evidence(path="d.md", line_start=line, line_end=line, quote=quote, verified=True)]
    return Finding(id=criterion, gate=criterion.split(".")[0], criterion=criterion,
                   status=status, severity="major", summary="s",  # type: ignore[arg-type]
                   evidence=evidence if quote else [])


@pytest.mark.parametrize(
    ("old", "new", "change"),
    [
        pytest.param(_finding("data.owners", "met", "Owners: the data team."),
                     _finding("data.owners", "missing"), "new", id="new"),
        pytest.param(_finding("data.owners", "missing"),
                     _finding("data.owners", "partial", "Owners: the data team."), "resolved",
                     id="resolved"),
        pytest.param(_finding("data.owners", "missing"),
                     _finding("data.owners", "contradicted", "Owners to be decided."),
                     "changed_status", id="changed-status"),
        pytest.param(_finding("data.owners", "met", "Owners: the data team.", 3),
                     _finding("data.owners", "met", "Owners: the platform team.", 3),
                     "changed_evidence", id="changed-evidence"),
        pytest.param(_finding("data.owners", "met", "Owners: the data team.", 3),
                     _finding("data.owners", "met", "owners:  the DATA team.", 9),
                     "moved_lines", id="moved-lines"),
        pytest.param(None, _finding("data.owners", "missing"), "new", id="added-criterion"),
        pytest.param(_finding("data.owners", "partial", "Owners: the data team."), None,
                     None, id="dropped-met-criterion"),
    ],
)
def test_findings_are_matched_by_criterion_and_quote(
    old: Finding | None, new: Finding | None, change: str | None
) -> None:
    diff = diff_runs(
        _view("a", [old] if old else [], {"data": "conditional"}),
        _view("b", [new] if new else [], {"data": "not_ready", "security": "ready"}),
    )
    assert [f.change for f in diff.findings] == ([change] if change else [])
    assert [(g.gate, g.before, g.after) for g in diff.gates] == [
        ("data", "conditional", "not_ready"), ("security", None, "ready")
    ]


def test_diff_of_an_unknown_run_is_one_line_and_exit_2() -> None:
    run = cli_json("review", str(EXAMPLE))["run_id"]
    result = runner.invoke(app, ["diff", run, "nope"])
    assert result.exit_code == 2 and "no run nope" in result.stderr
