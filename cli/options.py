"""The options several commands share, each with its help text, as Typer parameter types."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exports.choices import FAIL_EXIT, FailOn

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
RunArg = Annotated[str, typer.Argument(metavar="RUN")]
ReviewerOpt = Annotated[str, typer.Option("--reviewer", help="Your name, kept with the decision.")]
AllowDegradedOpt = Annotated[
    bool,
    typer.Option(
        "--allow-degraded",
        help="With --fail-on: pass a gate reviewed without its model's answer.",
    ),
]
