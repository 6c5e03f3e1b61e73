"""Fold trace records into spans: a start/end pair or a single completed record each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from traces import attributes as attr
from traces.schema import END_KINDS, RecordKind, TraceRecord


@dataclass
class Span:
    """One span of the run's tree, with its children in file order."""

    span_id: str
    parent_id: str | None
    kind: RecordKind  # the opening kind: run_start, node_start, llm_call, ...
    name: str
    start: datetime
    end: datetime | None  # None while the span is still open (interrupted or crashed)
    attributes: dict[str, Any]
    children: list[Span] = field(default_factory=list)

    @property
    def duration_s(self) -> float | None:
        """Seconds between start and end, None if the span never closed."""
        return None if self.end is None else (self.end - self.start).total_seconds()

    def walk(self) -> list[Span]:
        """This span and all its descendants, depth first."""
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found

    def usage(self) -> tuple[int, int, float]:
        """Input tokens, output tokens and cost (USD) of all model calls in this subtree."""
        calls = [span for span in self.walk() if span.kind == "llm_call"]
        return (
            sum(int(span.attributes.get(attr.INPUT_TOKENS) or 0) for span in calls),
            sum(int(span.attributes.get(attr.OUTPUT_TOKENS) or 0) for span in calls),
            sum(float(span.attributes.get(attr.COST_USD) or 0.0) for span in calls),
        )


def _opened(record: TraceRecord) -> Span:
    """A span from its opening (or only) record; a duration puts its start before ts."""
    end = record.time
    start = end - timedelta(seconds=record.duration_s or 0.0)
    is_open = record.kind in ("run_start", "node_start")
    return Span(
        span_id=record.span_id,
        parent_id=record.parent_span_id,
        kind=record.kind,
        name=record.name,
        start=end if is_open else start,
        end=None if is_open else end,
        attributes=dict(record.attributes),
    )


def build_spans(records: list[TraceRecord]) -> list[Span]:
    """The root spans (normally exactly one, the workflow) with their subtrees."""
    spans: dict[str, Span] = {}
    roots: list[Span] = []
    for record in records:
        if record.kind in END_KINDS:
            span = spans.get(record.span_id)
            if span is not None:
                span.end = record.time
                span.attributes.update(record.attributes)
            continue
        span = _opened(record)
        spans[span.span_id] = span
        parent = spans.get(span.parent_id) if span.parent_id else None
        (parent.children if parent else roots).append(span)
    return roots
