"""SARIF 2.1.0: accepted by the official schema, a location on every result, flags carried."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fakes.cli import cli_json
from fakes.exports import DEMO, SCHEMA
from typer.testing import CliRunner

from exports.sarif import artifact_uri, sarif_log
from exports.sources import Source
from exports.view import RunView
from main import app

runner = CliRunner()


def _validate(log: dict) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)


def test_review_writes_sarif_the_official_schema_accepts(tmp_path: Path) -> None:
    out = tmp_path / "review.sarif"
    result = runner.invoke(app, ["review", str(DEMO), "--sarif", str(out)])
    assert result.exit_code == 0, result.output
    log = json.loads(out.read_text(encoding="utf-8"))
    _validate(log)
    run = log["runs"][0]
    shown = cli_json("show", run["properties"]["run_id"])
    unmet = [f for f in shown["findings"] if f["status"] != "met" and not f["dismissed"]]
    assert len(run["results"]) >= len(unmet) > 0
    # The demo-grade POC is not silent on any gate: the screen calls it conditional, screened.
    assert run["properties"]["verdict"] == "ready_with_conditions"
    assert run["properties"]["screened"] is True
    assert len(run["properties"]["trace_last_hash"]) == 64
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for res in run["results"]:
        assert res["ruleId"] in rules
        assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        region = res["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
            "demo-grade-poc.md"
        )
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules.values())


def test_missing_finding_points_at_the_first_heading_and_says_what_was_searched(
    flagged: tuple[RunView, dict[str, Source]],
) -> None:
    view, sources = flagged
    log = sarif_log(view, sources)
    _validate(log)
    missing = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "platform.hosting")
    location = missing["locations"][0]
    assert location["physicalLocation"]["region"]["startLine"] == 1
    assert "hosting, cloud" in location["message"]["text"]
    assert missing["level"] == "error"


def test_unsupported_disputed_and_mentioned_findings_are_results_with_their_notes(
    flagged: tuple[RunView, dict[str, Source]],
) -> None:
    view, sources = flagged
    results = {r["ruleId"]: r for r in sarif_log(view, sources)["runs"][0]["results"]}
    # A met finding that is disputed does not count: its criterion is unmet.
    assert results["data.owners"]["properties"]["disputed"] == "offline finds nothing"
    assert results["data.owners"]["properties"]["counts"] is False
    assert "Disputed" in results["data.owners"]["message"]["text"]
    assert results["data.sources"]["properties"]["unsupported"] == "off topic"
    assert "Unsupported" in results["data.sources"]["message"]["text"]
    assert results["risk.guardrails"]["properties"]["status"] == "mentioned"
    assert "met shown as partial" in results["risk.guardrails"]["message"]["text"]
    assert "product.journey" not in results  # dismissed by a reviewer
    assert "change.training" not in results  # met and counted


def test_show_prints_sarif_for_a_run(demo_run: str) -> None:
    result = runner.invoke(app, ["show", demo_run, "--format", "sarif"])
    assert result.exit_code == 0, result.output
    _validate(json.loads(result.stdout))


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("docs/design.md", "docs/design.md"),
        ("docs/my design.md", "docs/my%20design.md"),
        ("/srv/docs/a.md", "file:///srv/docs/a.md"),
    ],
    ids=["relative", "space", "absolute"],
)
def test_document_paths_become_uri_references(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_sarif_to_a_folder_that_does_not_exist_is_a_user_mistake(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(DEMO), "--sarif", str(tmp_path / "no" / "x")])
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


@pytest.mark.parametrize(
    ("path", "root", "uri"),
    [
        ("docs/../design.md", "/ci/repo", "design.md"),
        ("../../outside.md", "/ci/repo/sub", "file:///ci/outside.md"),
        ("docs/../../../etc/x.md", "/ci/repo", "file:///etc/x.md"),
        ("/ci/repo/docs/a.md", "/ci/repo", "docs/a.md"),
        ("/ci/repository-other/a.md", "/ci/repo", "file:///ci/repository-other/a.md"),
    ],
    ids=["dotdot-inside", "dotdot-out", "deep-dotdot-out", "absolute-inside", "sibling-prefix"],
)
def test_a_uri_never_climbs_out_of_the_checkout(path: str, root: str, uri: str) -> None:
    assert artifact_uri(path, root) == uri
    assert "../" not in artifact_uri(path, root)


def test_a_document_outside_the_checkout_is_named_as_such(tmp_path: Path) -> None:
    repo, elsewhere = tmp_path / "repo", tmp_path / "elsewhere"
    repo.mkdir()
    elsewhere.mkdir()
    (elsewhere / "outside.md").write_bytes(DEMO.read_bytes())
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(repo)
        run_id = cli_json("review", "../elsewhere/outside.md")["run_id"]
        log = json.loads(runner.invoke(app, ["show", run_id, "--format", "sarif"]).stdout)
    run = log["runs"][0]
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"] for loc in r["locations"]}
    assert uris == {(elsewhere / "outside.md").as_uri()}
    assert run["properties"]["outside_checkout"] == ["../elsewhere/outside.md"]
    _validate(log)


def _log_of(view: RunView) -> dict:
    return sarif_log(view, {}, None, "/repo")


def _prints(log: dict) -> dict[str, str]:
    return {r["ruleId"]: r["partialFingerprints"]["gatereviewFinding/v1"]
            for r in log["runs"][0]["results"]}


def test_fingerprints_follow_document_criterion_and_quote_not_lines(
    flagged: tuple[RunView, dict[str, Source]],
) -> None:
    view, _ = flagged
    first = _prints(_log_of(view))
    assert len(set(first.values())) == len(first)  # one alert per criterion
    moved = view.model_copy(update={"findings": [
        f.model_copy(update={"evidence": [
            e.model_copy(update={"line_start": e.line_start + 7, "line_end": e.line_end + 7,
                                 "quote": "  " + e.quote.upper() + "\n"})
            for e in f.evidence]})
        for f in view.findings]})
    assert _prints(_log_of(moved)) == first  # lines moved, whitespace and case changed
    reworded = view.model_copy(update={"findings": [
        f.model_copy(update={"evidence": [
            e.model_copy(update={"quote": e.quote + " Since March."}) for e in f.evidence]})
        for f in view.findings]})
    changed = _prints(_log_of(reworded))
    quoted = {f.criterion for f in view.findings if f.evidence}
    assert all(changed[c] != first[c] for c in quoted if c in first)
    elsewhere = view.model_copy(update={"findings": [
        f.model_copy(update={"evidence": [
            e.model_copy(update={"path": "annex.md"}) for e in f.evidence]})
        for f in view.findings]})
    assert all(_prints(_log_of(elsewhere))[c] != first[c] for c in quoted if c in first)
