"""review-batch: each project its own run, a portfolio table, JSON and HTML; failures stay local."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakes.cli import cli_json
from typer.testing import CliRunner

from main import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

TOML = f"""
[[projects]]
name = "contract-search"
owner = "Ana <b>Lead</b>"
documents = ["{EXAMPLES / 'strong-contract-search.md'}"]

[[projects]]
name = "claims-triage"
documents = ["{EXAMPLES / 'middling-claims-triage.md'}"]

[[projects]]
name = "lost"
owner = "Bo"
documents = ["missing.md"]
"""

YAML = """
projects:
  - name: demo
    owner: Cy
    documents: [docs/demo.md]
  - name: claims
    documents: [docs/claims.md]
"""


def _batch(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["review-batch", *args])
    return result.exit_code, result.stdout, result.stderr


def test_each_project_is_its_own_run_and_one_failure_stops_no_other(tmp_path: Path) -> None:
    manifest = tmp_path / "portfolio.toml"
    manifest.write_text(TOML)
    page = tmp_path / "site" / "portfolio.html"
    code, stdout, stderr = _batch(str(manifest), "--json", "--max-concurrency", "2",
                                  "--html", str(page))
    assert code == 1, stderr  # a project failed: the batch says so by its status
    portfolio = json.loads(stdout)
    by_name = {p["project"]: p for p in portfolio["projects"]}
    assert [p["project"] for p in portfolio["projects"]] == ["contract-search", "claims-triage",
                                                             "lost"]
    assert by_name["contract-search"]["verdict"] == "ready_with_conditions"
    assert by_name["claims-triage"]["verdict"] == "ready_with_conditions"  # screened
    assert by_name["claims-triage"]["screened"] is True
    assert set(by_name["claims-triage"]["gates"]) == {"data", "risk", "platform", "product",
                                                      "change"}
    assert by_name["lost"]["state"] == "failed" and "missing.md" in by_name["lost"]["error"]
    assert by_name["lost"]["run_id"] is None
    runs = cli_json("runs")["runs"]
    assert sorted(r["project"] for r in runs) == ["claims-triage", "contract-search"]
    assert {r["run_id"] for r in runs} == {
        by_name["contract-search"]["run_id"], by_name["claims-triage"]["run_id"]
    }
    html = page.read_text()
    assert "Ana &lt;b&gt;Lead&lt;/b&gt;" in html and "<b>Lead" not in html
    assert html.count("<tr>") == 4 and "missing.md" in html


def test_runs_project_filter_shows_only_that_projects_runs(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "demo.md").write_text((EXAMPLES / "demo-grade-poc.md").read_text())
    (docs / "claims.md").write_text((EXAMPLES / "middling-claims-triage.md").read_text())
    manifest = tmp_path / "portfolio.yaml"
    manifest.write_text(YAML)  # document paths are relative to the manifest's folder
    code, stdout, stderr = _batch(str(manifest), "--max-concurrency", "1")
    assert code == 0, stderr
    assert "Portfolio (2 projects)" in stdout and "claims" in stdout
    assert "demo: finished" in stderr and "claims: step coordinator" in stderr
    only = cli_json("runs", "--project", "demo")["runs"]
    assert [r["project"] for r in only] == ["demo"]
    assert only[0]["documents"] == [str(docs / "demo.md")]
    assert cli_json("runs", "--project", "nobody")["runs"] == []


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("dup.toml", '[[projects]]\nname="a"\ndocuments=["x.md"]\n'
                     '[[projects]]\nname="a"\ndocuments=["y.md"]\n', "appears twice"),
        ("empty.yaml", "projects: []\n", "projects"),
        ("nodocs.yaml", "projects:\n  - name: a\n    documents: []\n", "documents"),
        ("bad.toml", "[[projects]\n", "not valid TOML"),
        ("list.txt", "a\n", ".toml, .yaml or .yml"),
    ],
    ids=["duplicate-name", "no-projects", "no-documents", "broken-toml", "unknown-format"],
)
def test_a_bad_manifest_is_one_line_and_exit_2(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    manifest = tmp_path / name
    manifest.write_text(text)
    code, _stdout, stderr = _batch(str(manifest))
    assert code == 2
    assert message in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_eight_projects_at_once_in_one_process_all_finish(tmp_path: Path) -> None:
    # Eight runs share one event loop and one SQLite file: a write from the loop while another
    # run's transaction waits on the loop would hold every run until the busy timeout.
    documents = sorted(p for p in EXAMPLES.glob("*.md") if p.name != "README.md")
    manifest = tmp_path / "portfolio.toml"
    manifest.write_text("".join(
        f'[[projects]]\nname = "p{i}"\ndocuments = ["{documents[i % len(documents)]}"]\n\n'
        for i in range(8)
    ))
    code, stdout, stderr = _batch(str(manifest), "--json", "--max-concurrency", "8")
    assert code == 0, stderr
    projects = json.loads(stdout)["projects"]
    assert [p["error"] for p in projects] == [None] * 8
    assert all(p["verdict"] for p in projects)
