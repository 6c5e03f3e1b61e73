"""examples/github-action.yml as GitHub runs it: its shell steps, in order, with their `if:`
conditions, on a pull request adding a not-ready document and one adding a passing document.

The `uses:` steps (SARIF upload, artefact, comment) are actions we cannot run here; the test
records which of them would run and checks the file each would be given.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / "examples" / "github-action.yml"
DEMO = ROOT / "tests" / "fixtures" / "docs" / "demo.md"  # not_ready: silent on four gates
STRONG = ROOT / "examples" / "strong-contract-search.md"  # ready_with_conditions


@dataclass
class Job:
    """What one job of the workflow did: outputs and outcome per step, actions it would use."""

    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    failed_with: int | None = None
    logs: list[str] = field(default_factory=list)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _pull_request(tmp: Path, doc: Path) -> tuple[Path, str]:
    """A repository whose head commit adds `doc` under docs/design; its base commit's sha."""
    repo = tmp / "repo"
    (repo / "docs" / "design").mkdir(parents=True)
    (repo / "README.md").write_text("a project\n")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "docs" / "design" / doc.name).write_bytes(doc.read_bytes())
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "doc")
    return repo, base


def _tool_on_path(tmp: Path) -> Path:
    """A bin folder whose `gatereview` is this checkout's main.py (as installed would be)."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "gatereview"
    tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "main.py"}" "$@"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def _expand(text: str, values: dict[str, str]) -> str:
    """GitHub's `${{ name }}` expressions, for the few names the workflow uses."""
    return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda m: values[m.group(1)], text)


def _condition(expr: str | None, job: Job) -> bool:
    """A step's `if:` (comparisons of step outputs and outcomes), after GitHub's implicit
    success(): nothing runs once a step has failed."""
    if job.failed_with is not None:
        return False
    if expr is None:
        return True
    match = re.fullmatch(r"steps\.(\w+)\.(outputs\.(\w+)|outcome)\s*(==|!=)\s*'([^']*)'", expr)
    assert match, f"the test cannot read this condition: {expr}"
    step, _, output, op, value = match.groups()
    actual = (job.outputs.get(step, {}).get(output, "") if output
              else job.outcomes.get(step, "skipped"))
    return (actual == value) == (op == "==")


def _run_job(repo: Path, base: str, bin_dir: Path, skip: set[str]) -> Job:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    values = {"github.workspace": str(repo), "github.event.pull_request.base.sha": base}
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.pop("GATEREVIEW_HOME", None)
    env.update({k: _expand(str(v), values) for k, v in workflow["env"].items()})
    job = Job()
    for step in next(iter(workflow["jobs"].values()))["steps"]:
        if step.get("name") in skip or not _condition(step.get("if"), job):
            continue
        if "uses" in step:
            job.actions.append(step["uses"].split("@")[0])
            continue
        output = repo.parent / f"output-{len(job.outcomes)}"
        output.write_text("")
        step_env = {**env, **{k: _expand(str(v), values) for k, v in step.get("env", {}).items()}}
        step_env["GITHUB_OUTPUT"] = str(output)
        done = subprocess.run(  # GitHub's default shell for `run:` on Linux
            ["bash", "-e", "-c", _expand(step["run"], values)], cwd=repo, env=step_env,
            capture_output=True, text=True, timeout=300,
        )
        job.logs.append(f"{step.get('name')}: {done.returncode}\n{done.stdout[-800:]}{done.stderr}")
        key = step.get("id", step.get("name", ""))
        job.outputs[key] = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
        job.outcomes[key] = "success" if done.returncode == 0 else "failure"
        if done.returncode != 0:
            job.failed_with = done.returncode
    return job


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    return _tool_on_path(tmp_path)


def _sarif(repo: Path) -> dict[str, Any]:
    return json.loads((repo / "gatereview.sarif").read_text())


def test_a_not_ready_document_uploads_comments_and_fails_the_check(
    tmp_path: Path, bin_dir: Path
) -> None:
    repo, base = _pull_request(tmp_path, DEMO)
    job = _run_job(repo, base, bin_dir, skip={"Install gatereview"})
    logs = "\n".join(job.logs)
    assert job.outputs["review"]["status"] == "3", logs
    assert job.outcomes["review"] == "success", logs
    assert job.actions[2:] == [  # after actions/checkout and actions/setup-python
        "github/codeql-action/upload-sarif", "actions/upload-artifact",
        "marocchino/sticky-pull-request-comment",
    ], logs
    results = _sarif(repo)["runs"][0]["results"]
    assert results and all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == f"docs/design/{DEMO.name}" for r in results
    )
    assert "not_ready" in (repo / "comment.md").read_text()
    assert "<html" in (repo / "gatereview.html").read_text().lower()
    assert job.failed_with == 3, logs  # the "Fail on not_ready" step fails the check


def test_a_passing_document_uploads_comments_and_passes(tmp_path: Path, bin_dir: Path) -> None:
    repo, base = _pull_request(tmp_path, STRONG)
    job = _run_job(repo, base, bin_dir, skip={"Install gatereview"})
    logs = "\n".join(job.logs)
    assert job.outputs["review"]["status"] == "0", logs
    assert job.failed_with is None, logs
    assert "marocchino/sticky-pull-request-comment" in job.actions
    assert _sarif(repo)["version"] == "2.1.0"
    assert "ready_with_conditions" in (repo / "comment.md").read_text()


def _pip_recorder(bin_dir: Path) -> Path:
    """A `python` that records what `python -m pip install` was asked for."""
    record = bin_dir / "pip-args"
    fake = bin_dir / "python"
    fake.write_text(f'#!/bin/sh\necho "$@" >> "{record}"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return record


@pytest.mark.parametrize(
    ("source", "installs"),
    [
        ("git+https://github.com/acme/gatereview@" + "ab12" * 10, True),
        ("vendor/gatereview-0.1.0-py3-none-any.whl", True),
        ("gatereview", False),  # a name on the public index: anyone's to register
        ("git+https://github.com/acme/gatereview@main", False),  # a branch moves
        ("git+https://github.com/acme/gatereview", False),
    ],
    ids=["pinned-commit", "wheel", "index-name", "branch", "unpinned"],
)
def test_the_install_step_takes_only_a_pinned_commit_or_a_wheel(
    tmp_path: Path, bin_dir: Path, source: str, installs: bool
) -> None:
    record = _pip_recorder(bin_dir)
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = next(iter(workflow["jobs"].values()))["steps"]
    install = next(s for s in steps if s.get("name") == "Install gatereview")
    assert "pip install gatereview" not in install["run"]
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "GATEREVIEW_SOURCE": source}
    done = subprocess.run(["bash", "-e", "-c", install["run"]], env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert (done.returncode == 0) == installs, done.stderr
    if installs:
        assert record.read_text().split() == ["-m", "pip", "install", source]
    else:
        assert not record.exists() and "GATEREVIEW_SOURCE" in done.stderr
