"""Files a test writes into its own folder (the current folder, set per test)."""

from __future__ import annotations

from pathlib import Path


def write(name: str, content: str | bytes) -> Path:
    """Write a file (creating folders) in the current folder, as UTF-8 when given text."""
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path
