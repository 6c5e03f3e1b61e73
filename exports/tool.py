"""Who made an export: the tool's name, version and home page."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

NAME = "gatereview"
INFORMATION_URI = "https://github.com/gatereview/gatereview"


def tool_version() -> str:
    """The installed distribution's version; 0+unknown when run from a bare checkout."""
    try:
        return version(NAME)
    except PackageNotFoundError:
        return "0+unknown"
