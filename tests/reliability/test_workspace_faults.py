"""A broken workspace gives one line naming the file and the fix, exit status 2, no traceback,
and loses nothing: read-only and full disks (real tmpfs mounts, so the errors are the kernel's),
a database overwritten with random bytes or cut in half, and `doctor` telling what is wrong."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from main import app

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = str(ROOT / "examples" / "demo-grade-poc.md")
runner = CliRunner()


def _cli(home: Path, *args: str) -> tuple[int, str, str]:
    done = runner.invoke(app, [*args, "--home", str(home)])
    return done.exit_code, done.stdout, done.stderr


def _one_line_error(code: int, err: str, *expected: str) -> None:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2 and len(lines) == 1, err
    assert "Traceback" not in err
    for part in expected:
        assert part in lines[0], lines[0]


def _review(home: Path) -> str:
    code, out, err = _cli(home, "review", DOCUMENT, "--json")
    assert code == 0, err
    return json.loads(out)["run_id"]


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs of its own (root only: skipped where mounts are not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"a tmpfs mount is needed (root, CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _remount(mount: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount)], check=True)


def _fill(mount: Path) -> Path:
    """Write a file until the disk is full; returns it (delete it to free the space)."""
    filler = mount / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_a_read_only_workspace_is_one_line_for_every_command(disk: Path) -> None:
    home = disk / "ws"
    run_id = _review(home)
    before = {p: p.read_bytes() for p in home.rglob("*") if p.is_file()}
    _remount(disk, "ro")
    for command in (
        ("review", DOCUMENT),
        ("approve", run_id, "--reviewer", "ana"),
        ("reject", run_id, "--reviewer", "ana", "--comment", "no"),
        ("resume", run_id),
    ):
        code, _, err = _cli(home, *command)
        _one_line_error(code, err, "cannot be written", "--home")
    code, out, err = _cli(home, "show", run_id)
    assert code == 0 or (code == 2 and err.count("error:") == 1), err
    assert {p: p.read_bytes() for p in home.rglob("*") if p.is_file()} == before
    _remount(disk, "rw")
    code, out, _ = _cli(home, "approve", run_id, "--reviewer", "ana", "--json")
    assert code == 0 and json.loads(out)["state"] == "approved"  # no claim was left behind


def test_a_full_disk_during_a_decision_is_one_line_and_the_decision_goes_through_later(
    disk: Path,
) -> None:
    home = disk / "ws"
    run_id = _review(home)
    filler = _fill(disk)
    code, _, err = _cli(home, "approve", run_id, "--reviewer", "ana", "--comment", "x" * 4000)
    _one_line_error(code, err, "no space left on the device", "free some space")
    filler.unlink()
    code, out, err = _cli(home, "approve", run_id, "--reviewer", "ana", "--json")
    if code != 0:  # the first attempt got past the interrupt: resume finishes that decision
        assert "resume" in err
        code, out, err = _cli(home, "resume", run_id, "--json")
    assert code == 0, err
    final = json.loads(out)
    assert final["state"] == "approved" and len(final["decisions"]) == 1
    assert _cli(home, "trace", run_id, "--verify")[0] == 0
    assert not list((home / "reports").glob(".*.tmp"))


def test_a_full_disk_during_a_review_is_one_line_and_leaves_a_workspace_that_works(
    disk: Path,
) -> None:
    home = disk / "ws"
    _review(home)
    filler = _fill(disk)
    code, _, err = _cli(home, "review", DOCUMENT)
    _one_line_error(code, err, "no space left on the device")
    filler.unlink()
    code, out, err = _cli(home, "runs", "--json")
    assert code == 0, err
    for run in json.loads(out)["runs"]:
        if run["state"] == "interrupted":
            assert _cli(home, "resume", run["run_id"])[0] == 0
    assert _review(home)
    assert _cli(home, "doctor")[0] == 0


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _random_bytes(database: Path) -> None:
    database.write_bytes(os.urandom(database.stat().st_size or 8192))


def _cut_in_half(database: Path) -> None:
    import sqlite3

    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for extra in ("-wal", "-shm"):
        Path(f"{database}{extra}").unlink(missing_ok=True)
    with open(database, "r+b") as handle:
        handle.truncate(database.stat().st_size // 2)


@pytest.mark.parametrize(
    "damage", [_random_bytes, _cut_in_half], ids=["random-bytes", "cut-in-half"]
)
def test_a_damaged_database_is_one_line_for_every_command_and_never_written(
    workspace: Path, damage: object
) -> None:
    run_ids = [_review(workspace) for _ in range(3)]
    database = workspace / "checkpoints.sqlite"
    damage(database)  # type: ignore[operator]
    digest = _digest(database)
    for command in (
        ("runs",),
        ("show", run_ids[0]),
        ("approve", run_ids[0], "--reviewer", "ana"),
        ("amend", run_ids[0], "--reviewer", "ana", "--finding", "data.owners",
         "--status", "met", "--reason", "x"),
        ("resume", run_ids[0]),
        ("trace", run_ids[0], "--verify"),
        ("review", DOCUMENT),
        ("review", DOCUMENT, "--since", run_ids[0]),
        ("diff", run_ids[0], run_ids[1]),
        ("show", run_ids[0], "--by", "framework"),
        ("export-case", run_ids[0], str(workspace.parent / "case")),
    ):  # fmt: skip
        code, _, err = _cli(workspace, *command)
        _one_line_error(code, err, str(database), "the checkpoint database is damaged")
    assert _digest(database) == digest
    assert not (workspace.parent / "case").exists()
    code, out, _ = _cli(workspace, "doctor", "--json")
    health = json.loads(out)
    assert code == 1 and not health["healthy"]
    assert any(c["status"] == "problem" and "damaged" in c["detail"] for c in health["checks"])


def test_doctor_reports_a_healthy_workspace_and_a_run_whose_trace_was_cut(
    workspace: Path,
) -> None:
    code, out, _ = _cli(workspace, "doctor", "--json")
    assert code == 0 and json.loads(out)["healthy"]
    run_id = _review(workspace)
    code, out, _ = _cli(workspace, "doctor", "--json")
    assert code == 0 and any(c["subject"] == run_id for c in json.loads(out)["checks"])
    trace = workspace / "traces" / f"{run_id}.jsonl"
    trace.write_text("".join(trace.read_text().splitlines(keepends=True)[:-2]))
    code, out, _ = _cli(workspace, "doctor", "--json")
    problems = [c for c in json.loads(out)["checks"] if c["status"] == "problem"]
    assert code == 1 and [c["subject"] for c in problems] == [run_id]
    assert "cut from the end" in problems[0]["detail"]
    assert problems[0]["fix"] == f"python main.py trace {run_id} --verify"
