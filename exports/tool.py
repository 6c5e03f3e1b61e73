"""Who made an export or a trace: the tool's name and version."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

NAME = "gatereview"


def tool_version() -> str:
    """The installed distribution's version; unknown when run from a checkout never installed."""
    try:
        return version(NAME)
    except PackageNotFoundError:
        return "unknown"
