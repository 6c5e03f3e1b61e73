"""The reviewed documents as exports need them: lines around a quote, the first heading."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from guard import redact
from vocabulary.models import Evidence

AROUND = 2  # lines of context shown before and after a quote


@dataclass(frozen=True)
class Source:
    """One reviewed document's lines and where its first heading is."""

    path: str
    lines: tuple[str, ...]
    heading_line: int
    url: str | None = None  # a wiki page's address, where the quote's location links to


@dataclass(frozen=True)
class ContextLine:
    """A line shown around a quote; `quoted` marks the lines the quote spans."""

    number: int
    text: str
    quoted: bool


def sources_from_state(documents: Iterable[Mapping[str, Any]]) -> dict[str, Source]:
    """Sources keyed by path, from the checkpointed documents."""
    sources = {}
    for doc in documents:
        sections = doc.get("sections") or []
        headed = [s["line_start"] for s in sections if s.get("heading_path")]
        sources[doc["path"]] = Source(
            path=doc["path"], lines=tuple(doc["lines"]), heading_line=min(headed, default=1),
            url=(doc.get("origin") or {}).get("url"),
        )
    return sources


def quote_context(
    evidence: Evidence, sources: Mapping[str, Source], around: int = AROUND
) -> list[ContextLine]:
    """The quote's lines and `around` lines either side, personal data masked; [] if unknown."""
    source = sources.get(evidence.path or "")
    if evidence.kind != "document" or source is None or evidence.line_start is None:
        return []
    end = evidence.line_end or evidence.line_start
    first = max(1, evidence.line_start - around)
    last = min(len(source.lines), end + around)
    return [
        ContextLine(n, redact(source.lines[n - 1]).text, evidence.line_start <= n <= end)
        for n in range(first, last + 1)
    ]
