"""The run context handed to every node: resolved settings and the workspace."""

from __future__ import annotations

from dataclasses import dataclass

from graphs.settings import Settings
from graphs.workspace import Workspace


@dataclass(frozen=True)
class ReviewContext:
    """Per-invocation context; passed again by whichever process resumes the run."""

    settings: Settings
    workspace: Workspace
