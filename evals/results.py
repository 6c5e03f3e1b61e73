"""Eval results: what each case gave, the suite's totals and failures, and the results file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field

from evals.scorers import CaseScores, Totals
from vocabulary.models import GateStatus, Overall, Strict

RunMode = Literal["offline", "replay", "record", "live"]
CaseStatus = Literal["scored", "stale", "unrecorded", "invalid", "error"]


class CaseResult(Strict):
    """One case's outcome: scored, or why it could not be scored."""

    name: str
    status: CaseStatus
    scores: CaseScores | None = None
    overall: Overall | None = None
    gates: dict[str, GateStatus] = Field(default_factory=dict)
    degraded: dict[str, str] = Field(default_factory=dict, description="gate: reason")
    problems: list[str] = Field(default_factory=list)
    run_id: str | None = None


class SuiteResult(Strict):
    """A whole eval run: per-case results, totals, metrics and what failed."""

    suite: str
    mode: RunMode
    model: str
    started_at: str
    duration_s: float
    cases: list[CaseResult]
    totals: Totals
    metrics: dict[str, float | None]
    failures: list[str]

    @property
    def passed(self) -> bool:
        """True when no case failed and no metric is below its minimum or regressed."""
        return not self.failures


def write_results(result: SuiteResult, home: Path) -> Path:
    """Save the results as `<home>/evals/<timestamp>-<mode>.json`; returns the path."""
    folder = home / "evals"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = folder / f"{stamp}-{result.mode}.json"
    path.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    return path
