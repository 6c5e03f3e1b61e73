"""Reviewing: one set of documents (review), or every project of a manifest (review-batch)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from cli.boundary import err, out, run_async, settings_for, user_errors
from cli.decide import ask_decision, decide_and_print
from cli.options import (
    AllowDegradedOpt,
    ApiBaseOpt,
    ConfigOpt,
    DatabaseOpt,
    FailOnOpt,
    HomeOpt,
    JsonOpt,
    ModelOpt,
)
from cli.output import emit, exit_for, export, live_progress, no_model_answer
from tools.intake import SourceOptions
from vocabulary.errors import GateReviewError


def review(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Design documents or folders, a repository (with --rev), or Confluence pages "
            "(confluence:SPACE/PAGE_ID or a page URL)."
        ),
    ],
    rev: Annotated[
        str | None,
        typer.Option(help="Read the repository PATH as in this commit (a branch, tag or id)."),
    ] = None,
    under: Annotated[
        str | None,
        typer.Option("--path", help="With --rev: only this folder or file of the repository."),
    ] = None,
    with_children: Annotated[
        bool, typer.Option(help="Confluence: review the pages below each named page too.")
    ] = False,
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
    approvers: Annotated[
        str | None,
        typer.Option(
            help="Named approvers per gate, e.g. risk=ana,platform=li: each gate named must be "
            "signed (approve --gate) before the run is final (env GATEREVIEW_APPROVERS)."
        ),
    ] = None,
    interactive: Annotated[bool, typer.Option(help="Ask for the decision right away.")] = False,
    sarif: Annotated[
        Path | None, typer.Option(help="Also write the findings as SARIF 2.1.0 to this file.")
    ] = None,
    fail_on: FailOnOpt = "never",
    allow_degraded: AllowDegradedOpt = False,
    home: HomeOpt = None,
    database_url: DatabaseOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Review documents gate by gate and wait for a named person's decision."""
    with user_errors():
        if interactive and not sys.stdin.isatty():  # before any work: no run left behind
            raise GateReviewError("--interactive needs a terminal; decide with approve/reject")
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
            approvers=approvers,
        )
        from runs.operations import latest_in_project, start_review

        if since is None and incremental and project is not None:
            since = latest_in_project(settings, project)
        elif since is not None:
            from cli.boundary import named_run

            since = named_run(settings, since)
        if not as_json:
            err.print(f"Reviewing {_named(paths, rev, with_children)} with model "
                      f"[bold]{settings.model}[/bold]")  # fmt: skip
            if since is not None:
                err.print(f"Reusing unchanged gates of run {since}")
        with live_progress(as_json, settings.model) as progress:
            view = run_async(
                start_review(
                    list(paths), settings, progress, since=since,
                    sources=SourceOptions(rev=rev, under=under, with_children=with_children),
                )
            )
        emit(view, as_json)
        if sarif is not None:
            export(view, settings, "sarif", sarif)
        no_model_answer(view, settings.model)
        if interactive and view.state == "awaiting_decision":
            decision = ask_decision()
            view = decide_and_print(view.run_id, decision, settings, as_json)
        exit_for(view, fail_on, allow_degraded)


def _named(paths: list[str], rev: str | None, with_children: bool) -> str:
    """What the review reads, in a few words: paths, a repository at a commit, wiki pages."""
    from tools.confluence import is_reference

    if rev is not None:
        return f"{escape(paths[0]) if paths else 'a repository'} as in {escape(rev)}"
    pages = sum(is_reference(p) for p in paths)
    said = [f"{len(paths) - pages} path(s)"] if len(paths) > pages else []
    if pages:
        said.append(f"{pages} Confluence page(s){' and their children' if with_children else ''}")
    return " and ".join(said)


def batch_printer(quiet: bool) -> Any:
    """A progress callback that reports each project's start, steps and end on stderr."""

    def report(project: str, event: str, detail: str) -> None:
        if quiet:
            return
        style = {"failed": "red", "finished": "green"}.get(event, "dim")
        line = f"[{style}]{escape(project)}: {event}[/{style}] {escape(detail)}"
        err.print(line, highlight=False)

    return report


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
            from cli.render.portfolio import portfolio_table

            out.print(portfolio_table(portfolio, out.width))
            if html is not None:
                out.print(f"Portfolio page: {html}", highlight=False)
        if portfolio.failed:
            raise typer.Exit(1)
