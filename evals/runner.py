"""The eval runner: every case through the full review graph, an automatic decision, scores.

Modes: `offline` (the built-in reviewer), `replay` (the case's recording served over HTTP
under litellm by evals.replay_server), `record` (a live OpenAI-compatible model through the
same server acting as a recording proxy) and `live` (any litellm model, nothing recorded).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from agents.rubric_set import load_rubric_set
from evals.cases import CASES_DIR, Case, load_suite
from evals.recording import load_recording, save_recording
from evals.replay_server import ReplayServer
from evals.results import CaseResult, RunMode, SuiteResult
from evals.scorers import score_case, total_scores
from evals.thresholds import (
    Mode,
    Thresholds,
    below_minimum,
    load_baseline,
    load_thresholds,
    regressions,
)
from exports.view import RunView
from graphs.settings import Settings
from runs.operations import decide, start_review
from vocabulary.errors import GateReviewError
from vocabulary.models import Decision, utc_now

DEFAULT_UPSTREAM = "https://api.openai.com/v1"
RERECORD = (
    "re-record with `python main.py eval --record --model MODEL` "
    "(the committed scripted recordings: `python -m evals.make_recordings`)"
)
AUTOMATIC = Decision(
    action="approve", reviewer="eval-runner", comment="automatic decision by the eval runner"
)
Progress = Callable[[str, str], None]


def wire_model(model: str) -> str:
    """The model id an OpenAI-compatible server sees for a litellm model string."""
    provider, _, name = model.partition("/")
    if not name:
        return model
    if provider != "openai":
        raise GateReviewError(
            f"record mode speaks the OpenAI wire format: use openai/MODEL (got {model}); "
            "for other providers give --api-base of an OpenAI-compatible gateway"
        )
    return name


async def review_case(case: Case, settings: Settings) -> tuple[RunView, float]:
    """The case through the whole graph, its reviewers' decisions replayed, then decided
    automatically; with wall-clock seconds."""
    started = time.perf_counter()
    decisions = case.decisions()
    # Display paths are relative to the case folder, so prompts (and recording keys) do not
    # depend on where the repository is checked out.
    with contextlib.chdir(case.folder), case.sources() as (paths, options, environ):
        view = await start_review(paths, settings, sources=options, environ=environ)
        for decision in decisions:
            if view.state == "awaiting_decision" and _applies(decision, view):
                view = await decide(view.run_id, decision, settings)
        if view.state == "awaiting_decision":
            view = await decide(view.run_id, AUTOMATIC, settings)
    return view, time.perf_counter() - started


def _applies(decision: Decision, view: RunView) -> bool:
    """Whether a replayed decision has something to act on: an amendment applies only to a
    finding this review raised (another model may not raise it at all)."""
    amendment = decision.amendment
    return amendment is None or any(f.id == amendment.finding_id for f in view.findings)


def _scored(case: Case, view: RunView, latency_s: float) -> CaseResult:
    verdict = view.verdict
    statuses = {g: v.status for g, v in verdict.gates.items()} if verdict else {}
    scores = score_case(
        case.expected,
        statuses,
        verdict.overall if verdict else None,
        view.findings,
        view.usage,
        latency_s,
        screened=bool(verdict and verdict.screened),
    )
    degraded = {g: i.degraded_reason or "degraded" for g, i in view.gates.items() if i.degraded}
    return CaseResult(
        name=case.name,
        status="scored",
        scores=scores,
        overall=verdict.overall if verdict else None,
        gates=statuses,
        degraded=degraded,
        run_id=view.run_id,
    )


class SuiteRunner:
    """Runs cases in one mode; holds the replay/record server for the whole suite."""

    def __init__(
        self, mode: RunMode, model: str | None = None, api_base: str | None = None
    ) -> None:
        self.mode, self.model, self.api_base = mode, model, api_base
        self.server: ReplayServer | None = None
        self.home: Path | None = None

    def settings(self, model: str, api_base: str | None, case: Case | None = None) -> Settings:
        """Explicit settings: a user's GATEREVIEW_* or gatereview.toml must not change prompts."""
        if self.home is None:
            raise RuntimeError("cases run inside SuiteRunner.serving()")
        # Prompts are masked, as for every model: what is recorded is what a provider receives.
        rubrics = case.rubrics if case is not None else None
        return Settings(home=self.home, model=model, api_base=api_base, rubrics=rubrics)

    async def run_case(self, case: Case) -> CaseResult:
        """One case in this runner's mode."""
        try:
            rubrics = load_rubric_set(case.rubrics)
        except GateReviewError as exc:
            return CaseResult(name=case.name, status="invalid", problems=[str(exc)])
        unknown = case.expected.unknown_criteria(rubrics.rubrics)
        unknown += [g for g in case.expected.gates if g not in rubrics.gates]
        if unknown:
            problem = f"expected.json names what no rubric defines: {', '.join(unknown)}"
            return CaseResult(name=case.name, status="invalid", problems=[problem])
        if self.mode == "offline":
            return await self._attempt(case, self.settings("offline", None, case))
        if self.mode == "live":
            return await self._attempt(case, self.settings(self.model or "", self.api_base, case))
        return await self._through_server(case)

    async def _through_server(self, case: Case) -> CaseResult:
        server = self.server
        if server is None:
            raise RuntimeError("replay and record run inside SuiteRunner.serving()")
        if self.mode == "record":
            server.load([])
            model = self.model or ""
        else:
            entries = load_recording(case.recording)
            if not entries:
                problem = f"no recording in {case.recording}; {RERECORD}"
                return CaseResult(name=case.name, status="unrecorded", problems=[problem])
            server.load(entries)
            model = next((e.request.model for e in entries if e.request.model), "")
        settings = self.settings(f"openai/{wire_model(model)}", server.api_base, case)
        result = await self._attempt(case, settings)
        if server.misses:
            problems = [f"stale recording, {m.message}; {RERECORD}" for m in server.misses]
            stale = {"status": "stale", "scores": None, "problems": problems}
            return result.model_copy(update=stale)
        if self.mode == "record" and result.status == "scored":
            save_recording(case.recording, server.recorded)
        return result

    async def _attempt(self, case: Case, settings: Settings) -> CaseResult:
        try:
            view, latency = await review_case(case, settings)
        except GateReviewError as exc:
            return CaseResult(name=case.name, status="error", problems=[str(exc)])
        return _scored(case, view, latency)

    @contextlib.contextmanager
    def serving(self) -> Iterator[None]:
        """A throwaway workspace for the runs and, to replay or record, the local server."""
        with tempfile.TemporaryDirectory(prefix="gatereview-eval-") as home:
            self.home = Path(home)
            try:
                if self.mode not in ("replay", "record"):
                    yield
                else:
                    with self._server():
                        yield
            finally:
                self.home = None

    @contextlib.contextmanager
    def _server(self) -> Iterator[None]:
        if self.mode == "record" and not os.environ.get("OPENAI_API_KEY"):
            raise GateReviewError("record mode needs OPENAI_API_KEY (it is sent to the upstream)")
        upstream = (self.api_base or DEFAULT_UPSTREAM) if self.mode == "record" else None
        with ReplayServer(upstream=upstream) as server:
            self.server = server
            try:
                yield
            finally:
                self.server = None


def threshold_mode(mode: RunMode) -> Mode:
    """Which minimums apply: record and live runs are judged as live models."""
    return "live" if mode in ("record", "live") else mode


def run_mode(model: str, record: bool) -> RunMode:
    """The mode a --model value and --record select."""
    if record and model in ("offline", "replay"):
        raise GateReviewError("--record needs a live model: --model openai/MODEL")
    if record:
        return "record"
    return model if model in ("offline", "replay") else "live"  # type: ignore[return-value]


async def evaluate(
    suite: Path | None,
    model: str,
    api_base: str | None = None,
    baseline: Path | None = None,
    record: bool = False,
    progress: Progress | None = None,
) -> SuiteResult:
    """Load the suite, thresholds and baseline, and run the suite in the selected mode."""
    mode = run_mode(model, record)
    cases, thresholds = load_suite(suite), load_thresholds()
    base = None
    if baseline is not None:
        base_mode, base = load_baseline(baseline)
        if base_mode != mode:
            raise GateReviewError(f"{baseline}: a {base_mode} run; compare {mode} with {mode}")
    runner = SuiteRunner(mode, None if mode in ("offline", "replay") else model, api_base)
    return await run_suite(suite or CASES_DIR, cases, runner, thresholds, base, progress)


async def run_suite(
    suite: Path,
    cases: list[Case],
    runner: SuiteRunner,
    thresholds: Thresholds,
    baseline: dict[str, float | None] | None = None,
    progress: Progress | None = None,
) -> SuiteResult:
    """Run every case, total the scores and judge them against thresholds and a baseline."""
    started, t0 = utc_now(), time.perf_counter()
    results: list[CaseResult] = []
    with runner.serving():
        for number, case in enumerate(cases, 1):
            if progress is not None:
                progress(case.name, f"{number}/{len(cases)}")
            result = await runner.run_case(case)
            results.append(result)
            if progress is not None:
                progress(case.name, result.status)
    totals = total_scores([r.scores for r in results])
    metrics = totals.metrics()
    failures = [f"{r.name}: {p}" for r in results if r.status != "scored" for p in r.problems]
    failures += below_minimum(metrics, thresholds, threshold_mode(runner.mode))
    if baseline is not None:
        failures += regressions(metrics, baseline, thresholds)
    return SuiteResult(
        suite=str(suite),
        mode=runner.mode,
        model=runner.model or runner.mode,
        started_at=started,
        duration_s=round(time.perf_counter() - t0, 2),
        cases=results,
        totals=totals,
        metrics=metrics,
        failures=failures,
    )
