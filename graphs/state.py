"""The review state: one typed dict of plain data, with reducers on the fan-in fields.

Values are plain JSON-like data (model dumps), not pydantic objects, so the SQLite
checkpoint round trip needs no type allow-list.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict


def merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    """Fan-in reducer: later keys replace earlier ones, other keys are kept."""
    return {**(left or {}), **(right or {})}


class ReviewInput(TypedDict, total=False):
    """What a run starts from: the graph's documented input (a LangGraph server shows it).

    Give `paths` (files or folders readable where the graph runs), or `documents` already
    loaded by a caller. `run_id` defaults to the thread id, `created_at` to the start time.
    """

    paths: list[str]
    documents: list[dict[str, Any]]  # loaded Document values (tools.documents.Document)
    ingest_notes: list[str]
    run_id: str
    created_at: str
    settings: dict[str, Any]
    project: str
    owner: str
    rubrics: dict[str, Any]  # a RubricSet; the built-in one when absent
    since: str
    prior_reviews: dict[str, dict[str, Any]]
    prior_amendments: dict[str, dict[str, Any]]
    approvers: dict[str, list[str]]


class ReviewState(TypedDict, total=False):
    """Everything a run knows, checkpointed after every step."""

    run_id: str
    created_at: str
    paths: list[str]
    settings: dict[str, Any]  # the model and limits it was started with (no secrets)
    project: str  # runs of one project are compared (diff) and re-reviewed incrementally
    owner: str  # the project's owner, when a portfolio manifest names one
    rubrics: dict[str, Any]  # the run's RubricSet: every process deciding on it uses the same
    since: str  # the earlier run whose unchanged gate reviews may be reused
    prior_reviews: dict[str, dict[str, Any]]  # that run's gate reviews
    prior_amendments: dict[str, dict[str, Any]]  # that run's amendments (graphs.amendments)
    rechecks: dict[str, str]  # its amendments not carried: the text changed, check again
    approvers: dict[str, list[str]]  # named approvers per gate (graphs.signoff); none: anyone
    signatures: Annotated[dict[str, dict[str, Any]], merge]  # gate -> Signature
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
