"""The error hierarchy: user mistakes are GateReviewError children, shown as one line, exit 2."""

from __future__ import annotations


class GateReviewError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits with status 2."""


class DocumentError(GateReviewError):
    """A document could not be read, decoded or split into sections."""


class RubricError(GateReviewError):
    """A rubric file is missing or malformed."""


class RunNotFoundError(GateReviewError):
    """No review with that run id exists in the workspace."""


class DecisionError(GateReviewError):
    """A decision cannot be applied: the run is not awaiting one, or it was already decided."""


class ModelError(GateReviewError):
    """A model call failed in a way the review cannot recover from (auth, unknown model)."""


class WorkspaceError(GateReviewError):
    """The workspace cannot be used: read-only, full, or its database or a trace is damaged."""


class RefusedError(DecisionError, ValueError):
    """A request the served graph refuses; a ValueError, so a LangGraph server shows its
    message to the client (it hides other errors' messages)."""
