"""Auditing: a run's trace (shown, verified, exported over OTLP) and the workspace's health."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from cli.boundary import err, named_run, out, print_json, settings_for, user_errors
from cli.options import ConfigOpt, DatabaseOpt, HomeOpt, JsonOpt, RunArg
from vocabulary.escaping import terminal_safe


def trace(
    run_id: RunArg,
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
        run_id = named_run(settings, run_id)
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


def doctor(home: HomeOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Check the workspace: writable, space, database, each run's trace; exit 1 on a problem."""
    with user_errors():
        from runs.health import workspace_health

        health = workspace_health(settings_for(config, home=home))
        if as_json:
            print_json(data={**health.model_dump(mode="json"), "healthy": health.healthy})
        else:
            from cli.render.health import health_table

            out.print(health_table(health))
        if not health.healthy:
            raise typer.Exit(1)
