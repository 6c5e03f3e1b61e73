"""The Typer app: its help, --version, every command in the order `--help` lists them, and the
entry point that leaves at once when a command has returned."""

from __future__ import annotations

import gc
import os
import sys
from typing import Annotated

import typer

from cli import audit, catalogue, decide, evaluation, review
from cli.boundary import err, out
from exports.choices import FAIL_EXIT
from graphs.settings import SETTING_NAMES

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


# Registered here, not where they are defined, so that `--help` lists them in this order.
app.command()(review.review)
app.command("review-batch")(review.review_batch)
app.command()(catalogue.runs)
app.command()(catalogue.show)
app.command()(decide.approve)
app.command()(decide.reject)
app.command()(decide.amend)
app.command()(decide.condition)
app.command(name="diff")(catalogue.diff_command)
app.command(name="export-case")(evaluation.export_case_command)
app.command(name="resume")(decide.resume_run)
app.command()(audit.trace)
app.command()(audit.doctor)
app.command("eval")(evaluation.eval_)


def cli() -> None:
    """Run a command; once it has returned (its traces flushed, databases closed and reports
    written) leave at once, without the interpreter's teardown: litellm's exit hooks and a
    full garbage collection of everything imported cost about a second and save nothing.

    The cyclic garbage collector is held during start-up: the imports build a few hundred
    thousand long-lived objects, and each collection would walk them all again (about a tenth
    of an offline review). `run_async` freezes them and lets it run again for the command's work;
    a command that never runs a coroutine (`runs`, `show`, `diff`, `trace`, `doctor`) reads one
    run or the catalogue and leaves without it.
    """
    gc.disable()
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
