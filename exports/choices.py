"""The closed vocabularies of exports and the CI gate (light: the CLI imports it for --help)."""

from __future__ import annotations

from typing import Literal

FailOn = Literal["not_ready", "conditional", "never"]
OutputFormat = Literal["table", "json", "sarif", "html", "github", "csv", "issues"]
ExportFormat = Literal["sarif", "html", "github", "csv", "issues"]
EXPORT_FORMATS: tuple[str, ...] = ("sarif", "html", "github", "csv", "issues")
FAIL_EXIT = 3  # 1 is an internal error, 2 a user mistake
# How far below ready each overall verdict is; --fail-on names the first that fails.
_RANK = {"ready": 0, "ready_with_conditions": 1, "not_ready": 2}
_THRESHOLD: dict[FailOn, int] = {"conditional": 1, "not_ready": 2, "never": 3}


def fails(overall: str | None, fail_on: FailOn) -> bool:
    """True when an overall verdict is at or below the --fail-on threshold (none never fails)."""
    if overall is None:
        return False
    return _RANK[overall] >= _THRESHOLD[fail_on]
