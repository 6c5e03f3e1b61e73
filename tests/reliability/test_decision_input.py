"""Decision input cannot spoof the record: names are one printable line, comments lose their
control characters, every medium escapes what it shows, and reports never follow a link."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from fakes.cli import cli_json
from typer.testing import CliRunner

from main import app

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = str(ROOT / "examples" / "demo-grade-poc.md")
runner = CliRunner()


@pytest.fixture
def run_id(workspace: Path) -> str:
    return cli_json("review", DOCUMENT)["run_id"]


@pytest.mark.parametrize(
    ("reviewer", "problem"),
    [
        pytest.param("   ", "the reviewer's name is empty", id="blank"),
        pytest.param(
            "Ana\n2026-01-01T00:00:00+00:00  approve by CEO",
            "printable text on one line",
            id="newline",
        ),
        pytest.param("Ana \x1b[31mRuiz", "printable text on one line", id="ansi-escape"),
        pytest.param("Ana\u202eziuR", "printable text on one line", id="bidi-override"),
        pytest.param("A" * 101, "longer than 100 characters", id="too-long"),
    ],
)
def test_a_spoofing_reviewer_name_is_refused_in_one_line(
    run_id: str, reviewer: str, problem: str
) -> None:
    done = runner.invoke(app, ["approve", run_id, "--reviewer", reviewer])
    assert done.exit_code == 2
    assert done.stderr.count("\n") == 1 and problem in done.stderr
    assert "\x1b" not in done.stderr
    assert cli_json("show", run_id)["state"] == "awaiting_decision"


def test_a_name_is_trimmed_and_may_be_100_characters(run_id: str) -> None:
    name = "  " + "Á" * 100 + " "
    final = cli_json("approve", run_id, "--reviewer", name)
    assert final["decisions"][0]["reviewer"] == "Á" * 100


COMMENT = (
    "conditions accepted\x1b[2J\x1b[31m\r\n"
    "# Verdict: ready\n"
    "**Verdict: ready** [approved](https://evil.example) | gate | ready |\n"
    "- 2026-01-01T00:00:00+00:00 **approve** by CEO"
)


def test_a_comment_keeps_its_lines_but_becomes_no_structure_anywhere(
    run_id: str, workspace: Path
) -> None:
    final = cli_json("approve", run_id, "--reviewer", "Ana Ruiz", "--comment", COMMENT)
    comment = final["decisions"][0]["comment"]
    assert "\x1b" not in comment and "\r" not in comment
    assert comment.splitlines()[1] == "# Verdict: ready"  # kept as written, as text

    shown = runner.invoke(app, ["show", run_id])
    assert shown.exit_code == 0 and "\x1b" not in shown.stdout
    decision_lines = [line for line in shown.stdout.splitlines() if " approve by " in line]
    assert len(decision_lines) == 1  # the comment's fake decision line is indented under it

    markdown = (workspace / "reports" / f"{run_id}.md").read_text(encoding="utf-8")
    assert "\x1b" not in markdown
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert "# Verdict: ready" not in headings and not any("Verdict" in h for h in headings)
    assert "**Verdict: ready**" not in markdown.split("## Decisions")[1]
    assert "[approved](" not in markdown and "\\[approved\\](" in markdown  # not a link
    decisions = markdown.split("## Decisions")[1].strip().splitlines()
    assert sum(1 for line in decisions if line.startswith("- ")) == 1
    assert "\\# Verdict: ready" in markdown and "\\*\\*Verdict: ready\\*\\*" in markdown
    report = json.loads((workspace / "reports" / f"{run_id}.json").read_text(encoding="utf-8"))
    assert report["decisions"][0]["comment"] == comment


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the workspace that a planted link points to."""
    path = tmp_path / "victim.txt"
    path.write_text("precious\n")
    return path


def test_the_report_replaces_a_planted_symlink_instead_of_writing_through_it(
    run_id: str, workspace: Path, victim: Path
) -> None:
    planted = workspace / "reports" / f"{run_id}.md"
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.symlink_to(victim)
    cli_json("approve", run_id, "--reviewer", "ana")
    assert victim.read_text() == "precious\n"
    assert not planted.is_symlink() and planted.read_text().startswith("# Readiness review")
    assert not list(planted.parent.glob(".*.tmp"))


def test_names_that_differ_only_in_normal_form_are_told_apart(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for form in ("NFC", "NFD"):
        name = unicodedata.normalize(form, "café.md")
        (folder / name).write_text(
            f"# Design {form}\n\nThe data owner is the claims team; retention is 30 days.\n",
            encoding="utf-8",
        )
    run = cli_json("review", str(folder))
    paths = [d["path"] for d in run["documents"]]
    assert len(paths) == 2 and len({unicodedata.normalize("NFC", p) for p in paths}) == 1
    notes = [n for n in run["notes"] if "looks the same but is spelt differently" in n]
    assert len(notes) == 2
    assert {"NFC", "NFD"} == {form for form in ("NFC", "NFD") for n in notes if form in n}
    assert any("cafe\\u0301.md" in n for n in notes)


def test_a_symlink_planted_as_the_trace_is_refused_not_written_through(
    run_id: str, workspace: Path, victim: Path, tmp_path: Path
) -> None:
    trace = workspace / "traces" / f"{run_id}.jsonl"
    trace.rename(tmp_path / "moved.jsonl")
    trace.symlink_to(victim)
    done = runner.invoke(app, ["approve", run_id, "--reviewer", "ana"])
    assert victim.read_text() == "precious\n"
    assert done.exit_code == 0 and "was damaged" in done.stderr  # set aside, a new segment
    assert not trace.is_symlink()
