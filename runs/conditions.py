"""Owners and due dates of a run's conditions: set by a named person, from any process, on a
run awaiting its decision or already decided (conditions are followed up after approval); kept
beside the decision claims (graphs.assignments) with who set them and when, and traced in the
run's trace until the decision seals it (its report names the trace's last hash).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from exports.conditions import with_owners
from exports.view import RunView
from graphs.assignments import assignments, save_assignment
from graphs.settings import Settings
from graphs.workspace import Workspace
from runs.faults import faults_as_errors
from traces import attributes as attr
from vocabulary.errors import GateReviewError, RunNotFoundError
from vocabulary.models import ReviewerName, utc_now

_NAME = TypeAdapter(ReviewerName)


def with_assignments(view: RunView, settings: Settings) -> RunView:
    """The view with its conditions' owners and due dates as set so far."""
    given = assignments(Workspace(settings.home, settings.database_url), view.run_id)
    if not given:
        return view
    return view.model_copy(update={"conditions": with_owners(view.conditions, given)})


def _due(value: str) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise GateReviewError(f"--due {value!r}: a date as YYYY-MM-DD") from None


def _name(value: str, what: str) -> str:
    try:
        return _NAME.validate_python(value)
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise GateReviewError(f"{what}: {message}") from None


@faults_as_errors
def assign_condition(
    view: RunView,
    condition_id: str,
    settings: Settings,
    *,
    by: str,
    owner: str | None = None,
    due: str | None = None,
) -> RunView:
    """Set a condition's owner and/or due date (what is not given is kept); traced."""
    found = next((c for c in view.conditions if c.id == condition_id), None)
    if found is None:
        known = ", ".join(c.id for c in view.conditions) or "none"
        raise RunNotFoundError(
            f"no condition {condition_id} in run {view.run_id} (conditions: {known})"
        )
    if owner is None and due is None:
        raise GateReviewError("give --owner, --due or both")
    row = (
        view.run_id,
        condition_id,
        _name(owner, "--owner") if owner is not None else found.owner,
        _due(due) if due is not None else found.due,
        _name(by, "--reviewer"),
        utc_now(),
    )
    workspace = Workspace(settings.home, settings.database_url)
    save_assignment(workspace, row)
    if view.state not in ("approved", "rejected"):
        # A decided run's trace is sealed by its report's last hash: the row keeps who and when.
        _trace(workspace, view.run_id, row)
    return with_assignments(view, settings)


def _trace(workspace: Workspace, run_id: str, row: tuple[Any, ...]) -> None:
    from graphs.runtrace import anchor_trace, continue_trace

    recorder, _ = continue_trace(workspace, run_id)
    with recorder:
        recorder.record(
            "tool_call",
            "assign_condition",
            None,
            {
                attr.TOOL_NAME: "assign_condition",
                "gatereview.condition.id": row[1],
                "gatereview.condition.owner": row[2],
                "gatereview.condition.due": row[3],
                "gatereview.condition.by": row[4],
                "gatereview.condition.at": row[5],
            },
        )
    anchor_trace(workspace, recorder)
