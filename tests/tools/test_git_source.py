"""`review REPO --rev REV [--path P]`: the documents as committed, never the work tree's edits;
the commit recorded in the run, its trace, its reports and the diff; unchanged gates reused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from fakes.cli import cli_json
from fakes.files import write
from typer.testing import CliRunner

from main import app

ROOT = Path(__file__).resolve().parents[2]
DESIGN = (ROOT / "tests" / "fixtures" / "docs" / "demo.md").read_text(encoding="utf-8")
ADDED = "\n## Owners\nThe data owner is Kofi Mensah, who signs off every source each quarter.\n"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with two commits of docs/design.md (the second adds an owner)."""
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q")
    write("project/docs/design.md", DESIGN)
    write("project/docs/diagram.png", b"\x89PNG")
    write("project/docs/.draft.md", "a draft nobody reviews")
    write("project/src/app.py", "print('hi')\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first")
    git(root, "tag", "v1")
    write("project/docs/design.md", DESIGN + ADDED)
    git(root, "commit", "-qam", "owners")
    return root


def _review(*args: str) -> dict:
    return cli_json("review", *args)


def test_a_past_commit_is_read_as_committed_with_the_work_trees_edits_left_out(repo: Path) -> None:
    write("project/docs/design.md", DESIGN + ADDED + "\nUncommitted: every gate is ready.\n")
    view = _review("project", "--rev", "v1", "--path", "docs/")
    [document] = view["documents"]
    first = git(repo, "rev-parse", "v1")
    assert document["path"] == "project/docs/design.md"
    assert document["origin"]["commit"] == first and document["origin"]["revision"] == "v1"
    assert document["lines"] == len(DESIGN.splitlines())  # neither the owner nor the edit
    notes = " ".join(view["notes"])
    assert f"as in commit {first[:12]} (v1)" in notes
    assert "1 file(s) have uncommitted changes; they were not read" in notes
    assert "skipped project/docs/diagram.png: unsupported type .png" in notes
    assert "draft" not in notes
    quotes = [e["quote"] for f in view["findings"] for e in f["evidence"]]
    assert not any("Uncommitted" in q or "Kofi" in q for q in quotes)


def test_the_commit_is_in_the_trace_the_reports_and_the_diff(repo: Path) -> None:
    old = _review("project", "--rev", "v1", "--path", "docs")
    new = _review("project", "--rev", "HEAD", "--path", "docs")
    head = git(repo, "rev-parse", "HEAD")
    assert new["documents"][0]["origin"]["commit"] == head
    assert any("Kofi" in e["quote"] for f in new["findings"] for e in f["evidence"])
    final = cli_json("approve", new["run_id"], "--reviewer", "Ana")
    trace = Path(final["report"]["trace"]).read_text(encoding="utf-8")
    assert head in trace
    assert f"commit {head[:12]}" in Path(final["report"]["markdown"]).read_text(encoding="utf-8")
    assert f"commit {head[:12]}" in Path(final["report"]["html"]).read_text(encoding="utf-8")
    diff = CliRunner().invoke(app, ["diff", old["run_id"], new["run_id"]])
    first = git(repo, "rev-parse", "v1")
    assert f"Read: commit {first[:12]} -> commit {head[:12]}" in diff.output


def test_a_commit_that_leaves_the_documents_as_they_were_reuses_every_gate(repo: Path) -> None:
    before = _review("project", "--rev", "HEAD", "--path", "docs")
    write("project/src/app.py", "print('changed')\n")
    git(repo, "commit", "-qam", "code only")
    after = _review("project", "--rev", "HEAD", "--path", "docs", "--since", before["run_id"])
    assert after["documents"][0]["origin"]["commit"] != before["documents"][0]["origin"]["commit"]
    assert {g["reused_from"] for g in after["gates"].values()} == {before["run_id"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["project", "--rev", "no-such-tag"], "no commit 'no-such-tag'", id="unknown"),
        pytest.param(["project", "--rev", "--output=pwned.txt"], "no commit", id="option-like"),
        pytest.param(["src-only", "--rev", "HEAD"], "not a git repository", id="not-a-repo"),
        pytest.param(["project", "--rev", "HEAD", "--path", "src"], "no supported documents",
                     id="nothing-to-read"),
        pytest.param(["project", "project", "--rev", "HEAD"], "--rev reads one repository",
                     id="two-paths"),
        pytest.param(["project", "--path", "docs"], "--path chooses a folder", id="path-no-rev"),
    ],
)
def test_a_wrong_repository_or_revision_is_one_line_and_exit_2(
    repo: Path, args: list[str], message: str
) -> None:
    Path("src-only").mkdir()
    result = CliRunner().invoke(app, ["review", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output.strip().splitlines()[-1]
    assert not Path("pwned.txt").exists() and not (repo / "pwned.txt").exists()


def test_a_committed_file_over_the_limit_is_refused_before_it_is_read(repo: Path) -> None:
    write("project/docs/huge.md", "# Huge\n" + "word " * 50_000)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "huge")
    args = ["review", "project", "--rev", "HEAD", "--max-bytes", "100000"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "docs/huge.md: too large" in result.output


def test_a_repository_cannot_make_the_review_run_its_programs(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    git(repo, "config", "core.fsmonitor", f"touch {marker}; false")
    git(repo, "config", "core.hooksPath", str(tmp_path))
    write("project/docs/design.md", DESIGN + "\nedited\n")  # so that status looks at the tree
    view = _review("project", "--rev", "HEAD", "--path", "docs")
    assert view["documents"] and not marker.exists()


def test_the_run_lists_the_documents_commit_in_json_for_scripts(repo: Path) -> None:
    view = _review("project", "--rev", "HEAD~1", "--path", "docs/design.md")
    origin = view["documents"][0]["origin"]
    assert origin == {
        "source": "git", "repository": "project", "commit": git(repo, "rev-parse", "HEAD~1"),
        "revision": "HEAD~1", "page_id": None, "version": None, "url": None, "title": None,
        "space": None,
    }  # fmt: skip
    assert json.dumps(view).count("Kofi") == 0


def test_a_pr_comment_in_actions_links_quotes_to_the_commit_they_were_read_at(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    view = _review(".", "--rev", "v1", "--path", "docs")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/claims")
    monkeypatch.setenv("GITHUB_SHA", "f" * 40)  # the checkout's commit, not the one read
    comment = CliRunner().invoke(app, ["show", view["run_id"], "--format", "github"]).output
    first = git(repo, "rev-parse", "v1")
    assert f"https://github.com/acme/claims/blob/{first}/docs/design.md#L" in comment
    assert "f" * 40 not in comment
