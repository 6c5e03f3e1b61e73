"""gatereview command line: review design documents, decide on reviews, read the results."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from exports.choices import FAIL_EXIT, ExportFormat, FailOn, OutputFormat, fails
from graphs.settings import SETTING_NAMES
from vocabulary.errors import GateReviewError
from vocabulary.escaping import terminal_safe

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from exports.view import RunView
    from graphs.settings import Settings
    from vocabulary.models import Decision

app = typer.Typer(
    help="Review an AI project's design documents for production readiness, gate by gate.",
    no_args_is_help=True,
    # Plain help wraps at any width; Rich's boxes cut option names and variables at 80 columns.
    rich_markup_mode=None,
    epilog="Settings: a flag, else the environment variable GATEREVIEW_<NAME> ("
    + ", ".join(f"GATEREVIEW_{name.upper()}" for name in SETTING_NAMES)
    + "), else gatereview.toml, else the default.\n\n"
    f"Exit status: 0 done; 1 an internal error or a failed check (trace --verify, eval); "
    f"2 a user mistake; {FAIL_EXIT} the verdict is at or below --fail-on.",
)
out = Console()
err = Console(stderr=True)

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Workspace folder (env GATEREVIEW_HOME; default .gatereview)."),
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="postgresql://... for checkpoints and claims (env GATEREVIEW_DATABASE_URL; "
        "default SQLite in the workspace).",
    ),
]
ModelOpt = Annotated[
    str | None, typer.Option(help="offline, or a litellm model string (env GATEREVIEW_MODEL).")
]
ApiBaseOpt = Annotated[
    str | None, typer.Option(help="OpenAI-compatible server URL (env GATEREVIEW_API_BASE).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Settings file to trust (any key); without it ./gatereview.toml may set only limits.",
    ),
]
FailOnOpt = Annotated[
    FailOn,
    typer.Option(
        "--fail-on",
        help=f"Exit {FAIL_EXIT} when the verdict is at or below this (in CI: not_ready).",
    ),
]
ReviewerOpt = Annotated[str, typer.Option("--reviewer", help="Your name, kept with the decision.")]


def show_version(value: bool) -> None:
    """Print the installed version and stop (eager: before any command runs)."""
    if value:
        from exports.tool import NAME, tool_version

        out.print(f"{NAME} {tool_version()}", highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Options that come before the command."""


def program_name() -> str:
    """The command as the user ran it, for hints: `gatereview`, or `python main.py`."""
    import click

    ctx = click.get_current_context(silent=True)
    name = ctx.find_root().info_name if ctx is not None else None
    name = name or Path(sys.argv[0]).name or "gatereview"
    return f"python {name}" if name.endswith(".py") else name


def as_run(message: str) -> str:
    """A message whose hints name `python main.py` (as lower layers write them), as run."""
    return message.replace("python main.py", program_name())


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a user mistake into one line on stderr and exit status 2."""
    try:
        yield
    except GateReviewError as exc:
        message = escape(as_run(terminal_safe(str(exc))))
        err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print("interrupted; the run can be resumed from its last checkpoint")
        raise typer.Exit(130) from None


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a command's coroutine (asyncio is imported by the commands that need it, so that
    `--help`, `runs` and `show` start faster)."""
    import asyncio

    return asyncio.run(coroutine)


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


def print_json(text: str | None = None, *, data: Any = None) -> None:
    """One JSON object on stdout: highlighted in a terminal, plain text for a script or a pipe
    (Rich's highlighting of a large run takes a noticeable part of a second)."""
    if out.is_terminal:
        out.print_json(text, data=data)
        return
    value = json.loads(text) if text is not None else data
    out.file.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def settings_for(config: Path | None = None, **flags: Any) -> Settings:
    """Resolve settings once: flag > GATEREVIEW_* environment > settings files > default."""
    from graphs.settings import resolve_settings

    return resolve_settings(flags, config_file=config)


def exit_for(view: RunView, fail_on: FailOn) -> None:
    """Exit 3 (and say why on stderr) when the verdict is at or below the threshold."""
    overall = view.verdict.overall if view.verdict else None
    if fails(overall, fail_on):
        err.print(f"verdict {overall} fails --fail-on {fail_on}: exit {FAIL_EXIT}", highlight=False)
        raise typer.Exit(FAIL_EXIT)


def export(
    view: RunView, settings: Settings, fmt: ExportFormat, path: Path | None = None
) -> None:
    """Print or write a run as SARIF, HTML or a PR comment, masked as reports are."""
    from runs.published import (
        render_export,
        run_rubrics,
        run_sources,
        travelling_view,
        write_export,
    )

    sources = run_sources(view.run_id, settings)
    rubrics = run_rubrics(view.run_id, settings)
    text = render_export(travelling_view(view, settings), sources, fmt, rubrics)
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_export(text, path)
    err.print(f"wrote {fmt.upper()} to {path}", highlight=False)


def emit(view: RunView, as_json: bool, *, findings: bool = False) -> None:
    """Print a run as JSON or as tables (warnings on stderr either way)."""
    for warning in view.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(terminal_safe(warning))}", soft_wrap=True)
    if as_json:
        print_json(view.model_dump_json())
        return
    import render

    out.print(render.gate_table(view, out.width))
    out.print(render.verdict_lines(view))
    if findings:
        out.rule("Findings")
        out.print(render.findings_view(view))
        out.rule("Decisions")
        out.print(render.decisions_view(view))
    out.print(render.next_steps(view, program_name()), highlight=False)


def progress_printer(quiet: bool) -> Any:
    """A progress callback that reports each finished step on stderr."""

    def report(node: str, update: dict[str, Any]) -> None:
        if quiet:
            return
        import render

        for line in render.progress_lines(node, update):
            err.print(line, highlight=False)

    return report


def decide_and_print(
    run_id: str, decision: Decision, settings: Settings, as_json: bool
) -> RunView:
    """Apply a decision and print the resulting run."""
    from runs.operations import decide

    view = run_async(decide(run_id, decision, settings, progress_printer(as_json)))
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


@app.command()
def review(
    paths: Annotated[list[Path], typer.Argument(help="Design documents or folders.")],
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    budget_usd: Annotated[
        float | None, typer.Option(help="Most this review may spend (env GATEREVIEW_BUDGET_USD).")
    ] = None,
    max_concurrency: Annotated[
        int | None,
        typer.Option(
            help="Model calls at once (default 8: every gate at once; "
            "env GATEREVIEW_MAX_CONCURRENCY)."
        ),
    ] = None,
    max_context_tokens: Annotated[
        int | None,
        typer.Option(
            help="Most document tokens sent per gate (env GATEREVIEW_MAX_CONTEXT_TOKENS)."
        ),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds per model call (env GATEREVIEW_TIMEOUT_S).")
    ] = None,
    price_in: Annotated[
        float | None,
        typer.Option(help="USD per million input tokens (env GATEREVIEW_PRICE_IN)."),
    ] = None,
    price_out: Annotated[
        float | None,
        typer.Option(help="USD per million output tokens (env GATEREVIEW_PRICE_OUT)."),
    ] = None,
    web: Annotated[
        bool | None,
        typer.Option(
            "--web/--no-web", help="Let risk and platform search the web (env GATEREVIEW_WEB)."
        ),
    ] = None,
    max_bytes: Annotated[
        int | None, typer.Option(help="Largest document accepted (env GATEREVIEW_MAX_BYTES).")
    ] = None,
    document_timeout: Annotated[
        float | None,
        typer.Option(
            help="Most seconds spent reading one document (env GATEREVIEW_DOCUMENT_TIMEOUT_S)."
        ),
    ] = None,
    mask: Annotated[
        bool | None,
        typer.Option(
            "--mask/--no-mask",
            help="Mask personal data and secrets sent to the model (env GATEREVIEW_MASK; on).",
        ),
    ] = None,
    rubrics: Annotated[
        Path | None,
        typer.Option(help="Folder of <gate>.toml files replacing or extending the rubrics."),
    ] = None,
    project: Annotated[
        str | None, typer.Option(help="Project name linking its runs [default: the paths].")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Reuse this run's gate reviews where nothing they rest on changed."),
    ] = None,
    incremental: Annotated[
        bool,
        typer.Option(help="With --project: reuse the project's latest run (as --since)."),
    ] = True,
    interactive: Annotated[bool, typer.Option(help="Ask for the decision right away.")] = False,
    sarif: Annotated[
        Path | None, typer.Option(help="Also write the findings as SARIF 2.1.0 to this file.")
    ] = None,
    fail_on: FailOnOpt = "never",
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Review documents gate by gate and wait for a named person's decision."""
    with user_errors():
        if sarif is not None and not sarif.resolve().parent.is_dir():
            raise GateReviewError(f"cannot write {sarif}: its folder does not exist")
        settings = settings_for(
            config,
            home=home,
            database_url=database_url,
            model=model,
            api_base=api_base,
            budget_usd=budget_usd,
            max_concurrency=max_concurrency,
            max_context_tokens=max_context_tokens,
            timeout_s=timeout,
            price_in=price_in,
            price_out=price_out,
            web=web,
            max_bytes=max_bytes,
            document_timeout_s=document_timeout,
            mask=mask,
            rubrics=rubrics,
            project=project,
        )
        from runs.operations import latest_in_project, start_review

        if since is None and incremental and project is not None:
            since = latest_in_project(settings, project)
        if not as_json:
            err.print(f"Reviewing {len(paths)} path(s) with model [bold]{settings.model}[/bold]")
            if since is not None:
                err.print(f"Reusing unchanged gates of run {since}")
        view = run_async(
            start_review(
                [str(p) for p in paths], settings, progress_printer(as_json), since=since
            )
        )
        emit(view, as_json)
        if sarif is not None:
            export(view, settings, "sarif", sarif)
        if interactive and view.state == "awaiting_decision":
            decision = ask_decision()
            view = decide_and_print(view.run_id, decision, settings, as_json)
        exit_for(view, fail_on)


def batch_printer(quiet: bool) -> Any:
    """A progress callback that reports each project's start, steps and end on stderr."""

    def report(project: str, event: str, detail: str) -> None:
        if quiet:
            return
        style = {"failed": "red", "finished": "green"}.get(event, "dim")
        line = f"[{style}]{escape(project)}: {event}[/{style}] {escape(detail)}"
        err.print(line, highlight=False)

    return report


@app.command("review-batch")
def review_batch(
    manifest: Annotated[Path, typer.Argument(help="Portfolio manifest (.toml, .yaml or .yml).")],
    model: ModelOpt = None,
    api_base: ApiBaseOpt = None,
    budget_usd: Annotated[
        float | None, typer.Option(help="Most each review may spend (env GATEREVIEW_BUDGET_USD).")
    ] = None,
    max_concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Projects reviewed at once.")
    ] = 4,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the portfolio page here.")
    ] = None,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Review every project of a manifest as its own run and print a portfolio table."""
    with user_errors():
        from portfolio.batch import review_batch as run_batch
        from portfolio.manifest import load_manifest

        plan = load_manifest(manifest)
        settings = settings_for(
            config,
            home=home,
            database_url=database_url,
            model=model,
            api_base=api_base,
            budget_usd=budget_usd,
        )
        if not as_json:
            err.print(
                f"Reviewing {len(plan.projects)} projects, {max_concurrency} at a time, "
                f"with model [bold]{settings.model}[/bold]"
            )
        portfolio = run_async(run_batch(plan, settings, max_concurrency, batch_printer(as_json)))
        if html is not None:
            from portfolio.page import write_page

            write_page(portfolio, html)
        if as_json:
            out.print_json(portfolio.model_dump_json())
        else:
            import render

            out.print(render.portfolio_table(portfolio))
            if html is not None:
                out.print(f"Portfolio page: {html}", highlight=False)
        if portfolio.failed:
            raise typer.Exit(1)


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


@app.command()
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
        import render

        table = render.runs_table(summaries, out.width)
        out.print(table, no_wrap=True, overflow="ignore", crop=False)


@app.command()
def show(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    by: Annotated[
        str, typer.Option(help="gate (findings per gate) or framework (findings per clause).")
    ] = "gate",
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="table; json; sarif (2.1.0); html (one self-contained page); "
            "github (a pull-request comment in Markdown).",
        ),
    ] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file, not stdout.")
    ] = None,
    fail_on: FailOnOpt = "never",
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
        view = load_run(run_id, settings)
        if fmt == "sarif" or fmt == "html" or fmt == "github":  # narrows to ExportFormat
            export(view, settings, fmt, output)
        elif output is not None:
            raise GateReviewError("--output needs --format sarif, html or github")
        elif by == "gate":
            emit(view, as_json or fmt == "json", findings=True)
        elif as_json or fmt == "json":
            frameworks = [f.model_dump(mode="json") for f in view.frameworks]
            print_json(data={"run_id": view.run_id, "frameworks": frameworks})
        else:
            import render

            out.print(render.frameworks_view(view))
        exit_for(view, fail_on)


@app.command()
def approve(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    reviewer: ReviewerOpt,
    comment: Annotated[str, typer.Option(help="Why you approve.")] = "",
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve a review: the verdict becomes final and the report is written."""
    with user_errors():
        decision = make_decision(action="approve", reviewer=reviewer, comment=comment)
        settings = settings_for(config, home=home, database_url=database_url)
        decide_and_print(run_id, decision, settings, as_json)


@app.command()
def reject(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    reviewer: ReviewerOpt,
    comment: Annotated[str, typer.Option(help="Why; guidance for a re-review.")],
    gate: Annotated[
        list[str] | None, typer.Option(help="Review this gate again (repeatable).")
    ] = None,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject a review; with --gate, review those gates again with your comment as guidance."""
    with user_errors():
        if not comment.strip():
            raise GateReviewError("--comment must say why the review is rejected")
        decision = make_decision(
            action="reject", reviewer=reviewer, comment=comment, gates=gate or []
        )
        settings = settings_for(config, home=home, database_url=database_url)
        decide_and_print(run_id, decision, settings, as_json)


@app.command()
def amend(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    reviewer: ReviewerOpt,
    finding: Annotated[str, typer.Option(help="Finding id, e.g. data.owners.")],
    status: Annotated[
        str, typer.Option(help="met, partial, mentioned, missing, contradicted or dismissed.")
    ],
    reason: Annotated[str, typer.Option(help="Why the finding is wrong.")],
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-grade or dismiss one finding; the verdict is recomputed and awaits a decision."""
    with user_errors():
        from vocabulary.models import FINDING_STATUSES

        allowed = (*FINDING_STATUSES, "dismissed")
        if status not in allowed:
            raise GateReviewError(f"unknown status {status!r}: one of {', '.join(allowed)}")
        if not reason.strip():
            raise GateReviewError("--reason must say why the finding is amended")
        amendment = dict(finding_id=finding, status=status, reason=reason, reviewer=reviewer)
        decision = make_decision(
            action="amend", reviewer=reviewer, comment=reason, amendment=amendment
        )
        settings = settings_for(config, home=home, database_url=database_url)
        decide_and_print(run_id, decision, settings, as_json)


@app.command(name="diff")
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
        views = {v.run_id: v for v in load_runs(settings, [before, after])}
        diff = diff_runs(views[before], views[after])
        paths = write_diff_report(diff, Workspace(settings.home))
        if as_json:
            report = {k: str(p) for k, p in paths.items()}
            print_json(data={**diff.model_dump(mode="json"), "report": report})
            return
        import render

        out.print(render.diff_view(diff))
        reports = "  ".join(str(p) for p in paths.values())
        out.print(f"\nReports: {reports}", highlight=False)


@app.command(name="export-case")
def export_case_command(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="A decided run.")],
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A new (or empty) case folder.")],
    home: HomeOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Turn a decided run into an eval case: its documents, the reviewers' statuses as
    expected.json, their decisions, and its model exchanges as the recording."""
    with user_errors():
        from evals.export import export_case

        exported = run_async(export_case(run_id, folder, settings_for(config, home=home)))
        if as_json:
            print_json(exported.model_dump_json())
            return
        import render

        out.print(render.exported_case(exported))


@app.command(name="resume")
def resume_run(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Finish a run whose process was killed: only the unfinished steps run again."""
    with user_errors():
        from runs.operations import resume

        settings = settings_for(config, home=home, database_url=database_url)
        view = run_async(resume(run_id, settings, progress_printer(as_json)))
        emit(view, as_json)


@app.command()
def trace(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    verify: Annotated[bool, typer.Option(help="Check the hash chain; exit 1 if broken.")] = False,
    otlp_endpoint: Annotated[
        str | None,
        typer.Option(
            help="Also send the spans to this OTLP/HTTP collector "
            "(env GATEREVIEW_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT)."
        ),
    ] = None,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a run's trace as a tree, verify it, or export it over OTLP."""
    with user_errors():
        from runs.audit import export_records, trace_records, verify_run_trace

        settings = settings_for(
            config, home=home, database_url=database_url, otlp_endpoint=otlp_endpoint
        )
        if verify:
            from runs.operations import load_values

            result = verify_run_trace(run_id, settings, load_values(run_id, settings))
            if as_json:
                print_json(result.model_dump_json())
            elif result.ok:
                out.print(
                    f"trace of {run_id}: {result.records} records, chain intact "
                    f"(last hash {result.last_hash})",
                    highlight=False,
                )
            else:
                where = f"line {result.first_bad_line}: " if result.first_bad_line else ""
                problem = escape(terminal_safe(f"trace of {run_id}: {where}{result.problem}"))
                err.print(problem, highlight=False, soft_wrap=True)
            raise typer.Exit(0 if result.ok else 1)
        records = trace_records(run_id, settings)
        if settings.otlp_endpoint:
            sent = export_records(records, settings.otlp_endpoint)
            err.print(f"sent {sent} spans to {settings.otlp_endpoint}", highlight=False)
        if as_json:
            print_json(
                data={"run_id": run_id, "records": [r.model_dump(mode="json") for r in records]}
            )
            return
        from traces.viewer import render_trace

        out.print(render_trace(records))


@app.command()
def doctor(home: HomeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Check the workspace: writable, space, database, each run's trace; exit 1 on a problem."""
    with user_errors():
        from runs.health import workspace_health

        health = workspace_health(settings_for(config, home=home))
        if as_json:
            print_json(data={**health.model_dump(mode="json"), "healthy": health.healthy})
        else:
            import render

            out.print(render.health_table(health))
        if not health.healthy:
            raise typer.Exit(1)


@app.command("eval")
def eval_(
    suite: Annotated[Path | None, typer.Argument(help="Suite or case folder.")] = None,
    model: Annotated[str, typer.Option(help="offline, replay, or a live model.")] = "offline",
    api_base: Annotated[str | None, typer.Option(help="Live model or upstream URL.")] = None,
    baseline: Annotated[Path | None, typer.Option(help="Earlier results file.")] = None,
    record: Annotated[bool, typer.Option(help="Record MODEL's answers as the recordings.")] = False,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run the eval cases through the full review; exit 1 on a low or regressed metric."""
    with user_errors():
        from evals import results, runner, tables

        def step(case: str, note: str) -> None:
            if not as_json:
                err.print(f"  {note:<10} {case}", highlight=False)

        result = run_async(runner.evaluate(suite, model, api_base, baseline, record, step))
        path = results.write_results(result, settings_for(config, home=home).home)
        if as_json:
            print_json(result.model_dump_json())
        else:
            out.print(tables.cases_table(result), tables.totals_view(result))
            out.print(f"Results: {path}", highlight=False)
        if not result.passed:
            raise typer.Exit(1)


def cli() -> None:
    """Run a command; once it has returned (its traces flushed, databases closed and reports
    written) leave at once, without the interpreter's teardown: litellm's exit hooks and a
    full garbage collection of everything imported cost about a second and save nothing."""
    try:
        app()
    except SystemExit as done:
        code = done.code
        if isinstance(code, str):
            err.print(code, highlight=False, markup=False)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a closed pipe: nothing left to say to it
                pass
        os._exit(code if isinstance(code, int) else int(code is not None))


if __name__ == "__main__":
    cli()
