"""Reading the workspace's runs: list them (runs), one in full or exported (show), what changed
between two (diff)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from cli.boundary import named_run, out, print_json, program_name, settings_for, user_errors
from cli.options import (
    AllowDegradedOpt,
    ConfigOpt,
    DatabaseOpt,
    FailOnOpt,
    HomeOpt,
    JsonOpt,
    RunArg,
)
from cli.output import emit, exit_for, export
from exports.choices import EXPORT_FORMATS, ExportFormat, OutputFormat
from vocabulary.errors import GateReviewError

if TYPE_CHECKING:
    from exports.view import RunView


def runs(
    project: Annotated[str | None, typer.Option(help="Only this project's runs.")] = None,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the runs in the workspace with their state."""
    with user_errors():
        from runs.catalogue import list_runs

        summaries = list_runs(settings_for(config, home=home, database_url=database_url))
        if project is not None:
            summaries = [s for s in summaries if s.project == project]
        if as_json:
            print_json(data={"runs": [s.model_dump() for s in summaries]})
            return
        if not summaries and project is not None:
            out.print(f"No runs of project {project}.")
            return
        if not summaries:
            out.print(f"No runs yet. Start one with: {program_name()} review PATH")
            return
        from cli.render.catalogue import runs_table

        table = runs_table(summaries, out.width)
        out.print(table, no_wrap=True, overflow="ignore", crop=False)


def show(
    run_id: RunArg,
    by: Annotated[
        str, typer.Option(help="gate (findings per gate) or framework (findings per clause).")
    ] = "gate",
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="table; json; sarif (2.1.0); html (one self-contained page); "
            "github (a pull-request comment in Markdown); csv (the conditions, blockers "
            "first); issues (the conditions as GitHub issues: JSON title, body, labels).",
        ),
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    unmet: Annotated[
        bool, typer.Option("--unmet", help="Only the findings that leave a criterion unmet.")
    ] = False,
    gate: Annotated[
        list[str] | None, typer.Option("--gate", help="Only this gate's findings (repeatable).")
    ] = None,
    fail_on: FailOnOpt = "never",
    allow_degraded: AllowDegradedOpt = False,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a run's verdict and every finding with its evidence (by gate or by framework
    clause), or export it."""
    with user_errors():
        from runs.catalogue import load_run

        if by not in ("gate", "framework"):
            raise GateReviewError(f"unknown --by {by!r}: gate or framework")
        settings = settings_for(config, home=home, database_url=database_url)
        view = load_run(named_run(settings, run_id), settings)
        if unmet or gate:
            if fmt not in ("table", "json") or by != "gate":
                raise GateReviewError("--unmet and --gate filter the findings of --format table "
                                      "or json, by gate")
            shown = narrowed(view, unmet, gate or [])
        if fmt in EXPORT_FORMATS:
            export(view, settings, cast(ExportFormat, fmt), output)
        elif output is not None:
            raise GateReviewError("--output needs --format sarif, html, github, csv or issues")
        elif by == "gate":
            emit(shown if unmet or gate else view, as_json or fmt == "json", findings=True)
        elif as_json or fmt == "json":
            frameworks = [f.model_dump(mode="json") for f in view.frameworks]
            print_json(data={"run_id": view.run_id, "frameworks": frameworks})
        else:
            from cli.render.frameworks import frameworks_view

            out.print(frameworks_view(view))
        exit_for(view, fail_on, allow_degraded)


def narrowed(view: RunView, unmet: bool, gates: list[str]) -> RunView:
    """The run with only the findings asked for (the verdict and gate table stay whole)."""
    from exports.flags import unmet as leaves_unmet

    unknown = [g for g in gates if g not in view.gate_names]
    if unknown:
        raise GateReviewError(
            f"unknown gate {unknown[0]!r}: run {view.run_id} has {', '.join(view.gate_names)}"
        )
    findings = [
        f for f in view.findings
        if (not unmet or leaves_unmet(f)) and (not gates or f.gate in gates)
    ]
    return view.model_copy(update={"findings": findings})


def diff_command(
    before: Annotated[str, typer.Argument(metavar="RUN_A", help="The earlier run.")],
    after: Annotated[str, typer.Argument(metavar="RUN_B", help="The later run.")],
    home: HomeOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed between two reviews: gate statuses; new, resolved, changed, moved findings."""
    with user_errors():
        from exports.diff import diff_runs
        from graphs.report import write_diff_report
        from graphs.workspace import Workspace
        from runs.catalogue import load_runs

        settings = settings_for(config, home=home)
        before, after = named_run(settings, before), named_run(settings, after)
        views = {v.run_id: v for v in load_runs(settings, [before, after])}
        diff = diff_runs(views[before], views[after])
        paths = write_diff_report(diff, Workspace(settings.home))
        if as_json:
            report = {k: str(p) for k, p in paths.items()}
            print_json(data={**diff.model_dump(mode="json"), "report": report})
            return
        from cli.render.diff import diff_view

        out.print(diff_view(diff, out.width))
        reports = "  ".join(str(p) for p in paths.values())
        out.print(f"\nReports: {reports}", highlight=False)
