"""What every command shares at the CLI boundary: the consoles, user mistakes as one line and
exit status 2, settings resolved once, coroutines run, JSON printed."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

from vocabulary.errors import GateReviewError
from vocabulary.escaping import terminal_safe

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from graphs.settings import Settings

YOUNG_OBJECTS = 20_000  # allocations between two collections of the youngest generation
out = Console()
err = Console(stderr=True)


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
    `--help`, `runs` and `show` start faster). When `cli` has held the garbage collector for
    start-up, what the imports built is frozen out of its reach and it runs again from here on,
    so the command's own garbage is still collected: its young generation is 20,000 objects
    rather than 700, as the work makes many short-lived ones that reference counting frees."""
    import asyncio

    if not gc.isenabled():
        gc.freeze()
        gc.set_threshold(YOUNG_OBJECTS, *gc.get_threshold()[1:])
        gc.enable()

    return asyncio.run(coroutine)


def print_json(text: str | None = None, *, data: Any = None) -> None:
    """One JSON object on stdout: highlighted in a terminal, plain text for a script or a pipe
    (Rich's highlighting of a large run takes a noticeable part of a second)."""
    if out.is_terminal:
        out.print_json(text, data=data)
        return
    value = json.loads(text) if text is not None else data
    out.file.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def named_run(settings: Settings, name: str) -> str:
    """The run id a user meant: an id, `latest`, or the unique start of an id."""
    from runs.catalogue import resolve_run

    return resolve_run(settings, name)


def settings_for(config: Path | None = None, **flags: Any) -> Settings:
    """Resolve settings once: flag > GATEREVIEW_* environment > settings files > default."""
    from graphs.settings import resolve_settings

    return resolve_settings(flags, config_file=config)
