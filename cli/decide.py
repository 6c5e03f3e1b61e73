"""Deciding on a review: approve, reject, amend, and resume a run whose process was killed."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.markup import escape

from cli.boundary import err, named_run, run_async, settings_for, user_errors
from cli.options import ConfigOpt, DatabaseOpt, HomeOpt, JsonOpt, ReviewerOpt, RunArg
from cli.output import emit, live_progress, progress_printer
from vocabulary.errors import GateReviewError

if TYPE_CHECKING:
    from exports.view import RunView
    from graphs.settings import Settings
    from vocabulary.models import Decision


def make_decision(**fields: Any) -> Decision:
    """A validated decision; a bad value is a user mistake, not a crash."""
    from vocabulary.models import Amendment, Decision

    try:
        if "amendment" in fields:
            fields["amendment"] = Amendment.model_validate(fields["amendment"])
        return Decision.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise GateReviewError(f"{where}: {message}") from None


def ask_decision() -> Decision:
    """Ask the reviewer in the terminal for approve or reject."""
    if not sys.stdin.isatty():
        raise GateReviewError("--interactive needs a terminal; decide with approve/reject")
    action = typer.prompt("Decision (approve/reject)", default="approve")
    if action not in ("approve", "reject"):
        raise GateReviewError(f"unknown decision {action!r}: approve or reject")
    reviewer = typer.prompt("Your name")
    comment = typer.prompt("Comment", default="", show_default=False)
    return make_decision(action=action, reviewer=reviewer, comment=comment)


def decide_and_print(
    run_id: str, decision: Decision, settings: Settings, as_json: bool
) -> RunView:
    """Apply a decision and print the resulting run."""
    from runs.operations import decide

    run_id = named_run(settings, run_id)
    # The run's own model re-reviews a gate sent back, whatever this shell's settings say.
    with live_progress(as_json, "the run's") as progress:
        view = run_async(decide(run_id, decision, settings, progress))
    emit(view, as_json)
    if settings.otlp_endpoint and view.state in ("approved", "rejected"):
        export_finished(view.run_id, settings)
    return view


def export_finished(run_id: str, settings: Settings) -> None:
    """Send a finished run's spans to the configured collector; a failure is only a warning."""
    from runs.audit import export_trace
    from traces.otlp import TraceExportError

    try:
        sent = export_trace(run_id, settings, settings.otlp_endpoint or "")
    except TraceExportError as exc:
        err.print(f"[yellow]warning:[/yellow] trace not exported: {escape(str(exc))}")
        return
    err.print(f"sent {sent} spans to {settings.otlp_endpoint}", highlight=False)


def approve(
    run_id: RunArg,
    reviewer: ReviewerOpt,
    comment: Annotated[str, typer.Option(help="Why you approve.")] = "",
    gate: Annotated[
        list[str] | None,
        typer.Option(help="Sign only this gate (repeatable); the run is final once all are."),
    ] = None,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve a review, or sign one gate of it (--gate).

    The run becomes final, and its report is written, once every required gate is signed on
    the verdict as it stands: the gates with named approvers (review --approvers), else every
    gate. A plain approve signs every required gate you are an approver of (all of them when
    no approvers are named).
    """
    with user_errors():
        decision = make_decision(
            action="approve", reviewer=reviewer, comment=comment, gates=gate or []
        )
        settings = settings_for(config, home=home, database_url=database_url)
        decide_and_print(run_id, decision, settings, as_json)


def reject(
    run_id: RunArg,
    reviewer: ReviewerOpt,
    comment: Annotated[
        str,
        typer.Option(
            help="Why. With --gate, guidance the re-review's prompt shows the model (or the "
            "offline reviewer reads); name the criteria or sections it concerns."
        ),
    ],
    gate: Annotated[
        list[str] | None, typer.Option(help="Review this gate again (repeatable).")
    ] = None,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject a review; with --gate, review those gates again with your comment as guidance.

    The re-review may lower only findings your comment concerns (it names the criterion, its
    title, or a section its evidence is in); any other finding it would lower keeps its
    earlier status, marked "held" with what the re-review found, for you to amend if the
    lower status is right. At most three re-reviews per run.
    """
    with user_errors():
        if not comment.strip():
            raise GateReviewError("--comment must say why the review is rejected")
        decision = make_decision(
            action="reject", reviewer=reviewer, comment=comment, gates=gate or []
        )
        settings = settings_for(config, home=home, database_url=database_url)
        decide_and_print(run_id, decision, settings, as_json)


def amend(
    run_id: RunArg,
    reviewer: ReviewerOpt,
    finding: Annotated[str, typer.Option(help="Finding id, e.g. data.owners.")],
    status: Annotated[
        str,
        typer.Option(
            help="met, partial, mentioned, missing, contradicted, dismissed, or not_applicable "
            "(the criterion leaves the rule; say why in --reason)."
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why the finding is wrong.")],
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-grade, dismiss or mark not applicable one finding; the verdict is recomputed and
    awaits a decision. Later reviews of the project carry the amendment while the text it
    rests on is unchanged."""
    with user_errors():
        from vocabulary.models import AMEND_STATUSES

        allowed = AMEND_STATUSES
        if status not in allowed:
            raise GateReviewError(f"unknown status {status!r}: one of {', '.join(allowed)}")
        if not reason.strip():
            raise GateReviewError("--reason must say why the finding is amended")
        amendment = dict(finding_id=finding, status=status, reason=reason, reviewer=reviewer)
        decision = make_decision(
            action="amend", reviewer=reviewer, comment=reason, amendment=amendment
        )
        settings = settings_for(config, home=home, database_url=database_url)
        run_id = named_run(settings, run_id)
        check_finding(run_id, finding, settings)
        decide_and_print(run_id, decision, settings, as_json)


def condition(
    run_id: RunArg,
    condition_id: Annotated[
        str, typer.Argument(metavar="ID", help="The condition's finding id (or its gate).")
    ],
    reviewer: ReviewerOpt,
    owner: Annotated[str | None, typer.Option(help="Who lifts the condition.")] = None,
    due: Annotated[str | None, typer.Option(help="By when, as YYYY-MM-DD.")] = None,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set a condition's owner and due date (before or after the decision); traced."""
    with user_errors():
        from runs.catalogue import load_run
        from runs.conditions import assign_condition, with_assignments

        settings = settings_for(config, home=home, database_url=database_url)
        view = with_assignments(load_run(run_id, settings), settings)
        view = assign_condition(
            view, condition_id, settings, by=reviewer, owner=owner, due=due
        )
        emit_conditions(view, as_json)


def emit_conditions(view: RunView, as_json: bool) -> None:
    """Print a run's conditions (JSON or a table)."""
    from cli.boundary import out, print_json

    if as_json:
        print_json(data={"run_id": view.run_id, "conditions": [
            c.model_dump() for c in view.conditions
        ]})  # fmt: skip
        return
    from cli.render.run import conditions_view

    out.print(conditions_view(view))


def check_finding(run_id: str, finding: str, settings: Settings) -> None:
    """Refuse an amendment of a finding the run does not have, naming the nearest ids."""
    import difflib

    from runs.catalogue import load_run

    ids = [f.id for f in load_run(run_id, settings).findings]
    if finding in ids:
        return
    near = difflib.get_close_matches(finding, ids, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(near)}?" if near else f" (it has {len(ids)} findings)"
    raise GateReviewError(f"no finding {finding} in run {run_id}{hint}")


def resume_run(
    run_id: RunArg,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Finish a run whose process was killed: only the unfinished steps run again."""
    with user_errors():
        from runs.operations import resume

        settings = settings_for(config, home=home, database_url=database_url)
        view = run_async(resume(named_run(settings, run_id), settings, progress_printer(as_json)))
        emit(view, as_json)
