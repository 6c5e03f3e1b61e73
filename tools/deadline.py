"""A per-document time budget: reading one document may take so long, then it is refused."""

from __future__ import annotations

import time

from agents.errors import DocumentError

DEFAULT_SECONDS = 30.0


class Deadline:
    """The moment a document's reading must be done by; checked between steps of the work."""

    def __init__(self, display: str, seconds: float = DEFAULT_SECONDS) -> None:
        self.display = display
        self.seconds = seconds
        self._ends = time.monotonic() + seconds

    def check(self, doing: str) -> None:
        """Refuse the document (one line) when its time is up."""
        if time.monotonic() > self._ends:
            raise DocumentError(
                f"{self.display}: {doing} took longer than {self.seconds:g} s, the limit per "
                "document; split the document, or raise --document-timeout"
            )
