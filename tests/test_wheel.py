"""Installed like any tool: the wheel, in a fresh virtual environment, run from another folder."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tests" / "fixtures" / "docs" / "demo.md"  # not_ready: silent on four gates
SKIP = shutil.ignore_patterns(".git", ".gatereview", "__pycache__", "build", "dist", "*.egg-info",
                              ".venv", ".pytest_cache", ".ruff_cache")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh venv holding only the built wheel (dependencies come from the
    interpreter running the tests, so no package index is needed)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=SKIP)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(base / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next((base / "dist").glob("gatereview-*.whl"))
    env_dir = base / "venv"
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    _borrow_dependencies(python)
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )
    assert install.returncode == 0, install.stderr
    return env_dir / "bin"


def _borrow_dependencies(python: Path) -> None:
    """Let the new venv import the dependencies of the interpreter running the tests.

    `system_site_packages=True` would give it the *base* interpreter's packages, which inside a
    virtual environment (the usual way to install) hold none of them. A `.pth` file instead
    adds the running interpreter's own site folders (their `.pth` files processed too), after
    the new venv's, so the wheel installed there is what gets imported.
    """
    folders = [*site.getsitepackages(), sysconfig.get_paths()["purelib"]]
    if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
        folders.append(site.getusersitepackages())
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    lines = [f"import site; site.addsitedir({folder!r})" for folder in dict.fromkeys(folders)]
    (Path(target) / "_gatereview_test_parent.pth").write_text("\n".join(lines) + "\n")


def _run(bin_dir: Path, cwd: Path, *args: str, code: int = 0) -> str:
    env = {**os.environ, "GATEREVIEW_HOME": str(cwd / "ws"), "PYTHONPATH": ""}
    done = subprocess.run(
        [str(bin_dir / "gatereview"), *args], capture_output=True, text=True, cwd=cwd, env=env,
        timeout=300,
    )
    assert done.returncode == code, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


def test_the_wheel_runs_every_command_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c", "import agents, exports, main; print(agents.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""},
    )
    assert where.stdout.startswith(str(installed.parent)), where.stdout + where.stderr
    assert "gatereview" in _run(installed, tmp_path, "--version")
    doc = tmp_path / "design.md"
    shutil.copy(DEMO, doc)
    run = json.loads(_run(installed, tmp_path, "review", "design.md", "--json",
                          "--sarif", "out.sarif", "--fail-on", "not_ready", code=3))
    run_id = run["run_id"]
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"
    assert json.loads(_run(installed, tmp_path, "runs", "--json"))["runs"][0]["run_id"] == run_id
    assert "Findings" in _run(installed, tmp_path, "show", run_id)
    assert "<details>" in _run(installed, tmp_path, "show", run_id, "--format", "github")
    assert "gate-table" in _run(installed, tmp_path, "show", run_id, "--format", "html")
    _run(installed, tmp_path, "amend", run_id, "--reviewer", "ana", "--finding", "data.owners",
         "--status", "missing", "--reason", "checked")
    _run(installed, tmp_path, "approve", run_id, "--reviewer", "ana")
    assert (tmp_path / "ws" / "reports" / f"{run_id}.html").is_file()
    _run(installed, tmp_path, "trace", run_id, "--verify")
    _run(installed, tmp_path, "trace", run_id)
    other = json.loads(_run(installed, tmp_path, "review", "design.md", "--json"))["run_id"]
    _run(installed, tmp_path, "reject", other, "--reviewer", "ana", "--comment", "no")
    _run(installed, tmp_path, "resume", other, code=2)  # finished: nothing to resume
    assert "PASS" in _run(installed, tmp_path, "eval")
    assert "PASS" in _run(installed, tmp_path, "eval", "--model", "replay")


def test_the_license_is_an_spdx_expression() -> None:
    """A `license` table is deprecated (setuptools warns, and stops accepting it in 2027)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert requires == ["setuptools>=77"]  # the first setuptools to read SPDX expressions
