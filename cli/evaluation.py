"""Evaluation: run the eval cases (eval), and turn a decided run into a case (export-case)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.boundary import (
    err,
    named_run,
    out,
    print_json,
    program_name,
    run_async,
    settings_for,
    user_errors,
)
from cli.options import ConfigOpt, HomeOpt, JsonOpt


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
        from cli.render.evaluation import cases_table, totals_view
        from evals import results, runner

        def step(case: str, note: str) -> None:
            if not as_json:
                err.print(f"  {note:<10} {case}", highlight=False)

        result = run_async(runner.evaluate(suite, model, api_base, baseline, record, step))
        path = results.write_results(result, settings_for(config, home=home).home)
        if as_json:
            print_json(result.model_dump_json())
        else:
            out.print(cases_table(result), totals_view(result))
            out.print(f"Results: {path}", highlight=False)
        if not result.passed:
            raise typer.Exit(1)


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

        settings = settings_for(config, home=home)
        exported = run_async(export_case(named_run(settings, run_id), folder, settings))
        if as_json:
            print_json(exported.model_dump_json())
            return
        from cli.render.evaluation import exported_case

        out.print(exported_case(exported, program_name()))
