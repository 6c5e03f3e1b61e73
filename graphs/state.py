"""The review state: one typed dict of plain data, with reducers on the fan-in fields.

Values are plain JSON-like data (model dumps), not pydantic objects, so the SQLite
checkpoint round trip needs no type allow-list.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


def merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Fan-in reducer: later keys replace earlier ones, other keys are kept."""
    return {**(left or {}), **(right or {})}


class ReviewState(TypedDict, total=False):
    """Everything a run knows, checkpointed after every step."""

    run_id: str
    created_at: str
    paths: list[str]
    settings: dict[str, Any]  # the model and limits it was started with (no secrets)
    documents: list[dict[str, Any]]
    ingest_notes: list[str]
    instructions: list[dict[str, Any]]
    hidden_concerns: list[dict[str, Any]]
    reviews: Annotated[dict[str, dict[str, Any]], merge]
    guidance: dict[str, str]
    verdict: dict[str, Any]
    summary_usage: dict[str, Any]
    amendments: Annotated[dict[str, dict[str, Any]], merge]
    decisions: Annotated[list[dict[str, Any]], operator.add]
    outcome: str
    report: dict[str, str]
