"""A workspace's health, as `doctor` reports it: writable, space left, the database readable,
and each run's trace, claims and reports as they should be. Reads only; repairs nothing."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from typing import Literal

from pydantic import Field

from graphs.claims import claimed_decision
from graphs.settings import Settings
from graphs.workspace import Workspace
from vocabulary.errors import GateReviewError
from vocabulary.models import Strict

LOW_SPACE = 50 * 1024 * 1024
Status = Literal["ok", "warning", "problem"]


class Check(Strict):
    """One thing looked at, what was found, and what to do about it."""

    subject: str
    status: Status
    detail: str
    fix: str = ""


class Health(Strict):
    """Every check of one workspace; healthy when none is a problem."""

    home: str
    checks: list[Check] = Field(default_factory=list)

    @property
    def healthy(self) -> bool:
        """True when no check found a problem (warnings allowed)."""
        return all(c.status != "problem" for c in self.checks)


def _writable(workspace: Workspace) -> Check:
    try:
        with tempfile.TemporaryFile(dir=workspace.home):
            pass
    except OSError as exc:
        return Check(
            subject=str(workspace.home),
            status="problem",
            detail=f"cannot be written ({exc.strerror})",
            fix="use a writable folder (--home) or fix its permissions; show and runs may work",
        )
    return Check(subject=str(workspace.home), status="ok", detail="writable")


def _space(workspace: Workspace) -> Check:
    free = shutil.disk_usage(workspace.home).free
    detail = f"{free / 1048576:.0f} MiB free"
    if free < LOW_SPACE:
        return Check(subject="disk", status="warning", detail=detail, fix="free some space")
    return Check(subject="disk", status="ok", detail=detail)


def _database(workspace: Workspace) -> Check:
    subject = str(workspace.database)
    if not workspace.database.exists():
        return Check(subject=subject, status="ok", detail="no reviews yet")
    try:
        conn = sqlite3.connect(f"file:{workspace.database}?mode=ro", uri=True)
        try:
            found = [row[0] for row in conn.execute("PRAGMA quick_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        found = [str(exc)]
    if found == ["ok"]:
        return Check(subject=subject, status="ok", detail="readable, integrity check passed")
    return Check(
        subject=subject,
        status="problem",
        detail=f"damaged: {'; '.join(found[:3])}",
        fix="restore it from a backup, or move it aside to start a new workspace",
    )


def _runs(settings: Settings, workspace: Workspace) -> list[Check]:
    from runs.audit import verify_run_trace
    from runs.operations import load_runs, load_values

    checks: list[Check] = []
    for view in load_runs(settings):
        run = view.run_id
        forged = any("does not count" in w for w in view.warnings)  # trace check says why
        if view.state == "interrupted" and not forged:
            checks.append(
                Check(
                    subject=run,
                    status="warning",
                    detail="interrupted",
                    fix=f"python main.py resume {run}",
                )
            )
        if view.state == "awaiting_decision":
            checks.extend(_pending_claim(settings, workspace, run))
        try:
            result = verify_run_trace(run, settings, load_values(run, settings))
        except GateReviewError as exc:
            checks.append(Check(subject=run, status="problem", detail=str(exc)))
            continue
        if result.ok:
            checks.append(Check(subject=run, status="ok", detail=f"{view.state}, trace intact"))
        else:
            where = f"line {result.first_bad_line}: " if result.first_bad_line else ""
            checks.append(
                Check(
                    subject=run,
                    status="problem",
                    detail=f"trace: {where}{result.problem}",
                    fix=f"python main.py trace {run} --verify",
                )
            )
    return checks


def _pending_claim(settings: Settings, workspace: Workspace, run: str) -> list[Check]:
    from runs.operations import pending_checkpoint

    checkpoint = pending_checkpoint(run, settings)
    if checkpoint and claimed_decision(workspace.database, run, checkpoint) is not None:
        return [
            Check(
                subject=run,
                status="warning",
                detail="a decision was claimed but not applied (its process stopped)",
                fix=f"python main.py resume {run}",
            )
        ]
    return []


def _leftovers(workspace: Workspace) -> list[Check]:
    stray = sorted(workspace.reports.glob(".*.tmp")) if workspace.reports.is_dir() else []
    return [
        Check(
            subject=str(path),
            status="warning",
            detail="a report write that did not finish (the report itself is intact)",
            fix="delete it",
        )
        for path in stray
    ]


def workspace_health(settings: Settings) -> Health:
    """Check the workspace without changing anything in it."""
    workspace = Workspace(settings.home, settings.database_url)
    health = Health(home=str(workspace.home))
    if not workspace.home.is_dir():
        health.checks.append(
            Check(subject=str(workspace.home), status="ok", detail="no workspace yet")
        )
        return health
    health.checks += [_writable(workspace), _space(workspace), database := _database(workspace)]
    if database.status == "ok" and workspace.exists():
        health.checks += _runs(settings, workspace)
    health.checks += _leftovers(workspace)
    return health
