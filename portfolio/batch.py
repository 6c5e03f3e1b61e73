"""Review every project of a manifest as its own run, a few at once; one failure stops no other."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from exports.view import RunView
from graphs.settings import Settings
from portfolio.manifest import Manifest, Project
from runs.operations import start_review
from vocabulary.errors import GateReviewError
from vocabulary.models import Strict

ProjectEvent = Literal["started", "step", "finished", "failed"]
# (project, event, detail): detail is the step's name, the verdict, or the error.
BatchProgress = Callable[[str, ProjectEvent, str], None]


class ProjectResult(Strict):
    """What became of one project: its run, or the one-line reason it has none."""

    project: str
    owner: str | None = None
    documents: list[str]
    run_id: str | None = None
    state: str = Field(description="The run's state, or failed")
    verdict: str | None = None
    screened: bool = Field(default=False, description="Only screened offline: not certified")
    gates: dict[str, str] = Field(default_factory=dict)
    conditions: int = 0
    cost_usd: float | None = None
    seconds: float = 0.0
    error: str | None = None


class Portfolio(Strict):
    """The outcome of a batch, in manifest order."""

    projects: list[ProjectResult]
    max_concurrency: int
    seconds: float

    @property
    def failed(self) -> list[ProjectResult]:
        """Projects that did not get a run."""
        return [p for p in self.projects if p.error is not None]


def _result(project: Project, view: RunView, seconds: float) -> ProjectResult:
    verdict = view.verdict
    return ProjectResult(
        project=project.name,
        owner=project.owner,
        documents=project.documents,
        run_id=view.run_id,
        state=view.state,
        verdict=verdict.overall if verdict else None,
        screened=bool(verdict and verdict.screened),
        gates={g: v.status for g, v in verdict.gates.items()} if verdict else {},
        conditions=len(verdict.conditions) if verdict else 0,
        cost_usd=view.usage.cost_usd,
        seconds=round(seconds, 3),
    )


def _failure(exc: BaseException) -> str:
    # A user mistake speaks for itself; anything else names its type, so a bug is recognisable.
    return str(exc) if isinstance(exc, GateReviewError) else f"{type(exc).__name__}: {exc}"


async def _review_one(
    project: Project, settings: Settings, gate: asyncio.Semaphore, progress: BatchProgress | None
) -> ProjectResult:
    def step(node: str, _update: dict[str, Any]) -> None:
        if progress is not None and node != "model_call":  # steps, not each model call
            progress(project.name, "step", node)

    async with gate:
        if progress is not None:
            progress(project.name, "started", ", ".join(project.documents))
        began = time.perf_counter()
        own = settings.model_copy(update={"project": project.name})
        try:
            view = await start_review(project.documents, own, step, owner=project.owner)
        except Exception as exc:  # one project's failure is its own row, never the batch's end
            if progress is not None:
                progress(project.name, "failed", _failure(exc))
            return ProjectResult(
                project=project.name,
                owner=project.owner,
                documents=project.documents,
                state="failed",
                seconds=round(time.perf_counter() - began, 3),
                error=_failure(exc),
            )
        result = _result(project, view, time.perf_counter() - began)
        if progress is not None:
            progress(project.name, "finished", result.verdict or result.state)
        return result


async def review_batch(
    manifest: Manifest,
    settings: Settings,
    max_concurrency: int,
    progress: BatchProgress | None = None,
) -> Portfolio:
    """Review each project as its own run, at most `max_concurrency` at a time."""
    if max_concurrency < 1:
        raise GateReviewError("--max-concurrency must be at least 1")
    gate = asyncio.Semaphore(max_concurrency)
    began = time.perf_counter()
    results = await asyncio.gather(
        *(_review_one(p, settings, gate, progress) for p in manifest.projects)
    )
    return Portfolio(
        projects=list(results),
        max_concurrency=max_concurrency,
        seconds=round(time.perf_counter() - began, 3),
    )
