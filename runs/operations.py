"""Run operations: start a review, decide on it from any process, list and load runs."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from langgraph.checkpoint.base import CheckpointTuple
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command, StateSnapshot

from agents.llm import ModelCallError, check_credentials
from agents.rubric_set import load_rubric_set, rubric_set_of
from exports.view import RunView, build_view
from graphs.acceptance import state_problem
from graphs.anchors import forget_head
from graphs.claims import claim_decision, claimed_decision, last_claim, release_claim
from graphs.context import ReviewContext, make_context
from graphs.decisions import decision_problem
from graphs.review import review_graph
from graphs.runtrace import anchor_trace, continue_trace, new_trace, traced_verdict
from graphs.settings import Settings
from graphs.signoff import check_approvers
from graphs.storage import async_saver, saver, thread_ids
from graphs.tracing import run_start_attributes
from graphs.workspace import Workspace
from runs.catalogue import Mark, latest_mark, list_runs, load_run, load_runs, save_view
from runs.faults import faults_as_errors
from runs.liveness import driving, is_running
from tools.documents import Document
from tools.intake import SourceOptions, load_sources
from traces import attributes as attr
from traces.tracefile import lock_file
from vocabulary.errors import DecisionError, RunNotFoundError
from vocabulary.models import GATES, Decision, RunState, Usage, utc_now, verdict_sha256

__all__ = [
    "all_run_ids", "decide", "load_run", "load_run_documents", "load_runs", "load_values",
    "pending_checkpoint", "resume", "run_settings", "run_state", "start_review",
    "views_from_checkpoints",
]  # fmt: skip
Progress = Callable[[str, dict[str, Any]], None]
# What a run keeps of how it was started, so that whichever process resumes it or re-reviews a
# gate uses the same model and limits (never the key: that comes from the deciding process).
RUN_SETTINGS = (
    "model", "api_base", "mask", "budget_usd", "max_concurrency", "max_context_tokens",
    "timeout_s", "web", "max_bytes", "document_timeout_s", "price_in", "price_out",
)  # fmt: skip


def new_run_id() -> str:
    """A sortable, readable run id: UTC time plus a random suffix."""
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def project_of(documents: list[Document]) -> str:
    """The default project of a review: its document set's paths."""
    return " + ".join(sorted(d.path for d in documents))


def _config(run_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": run_id}}


def run_settings(settings: Settings, values: dict[str, Any]) -> Settings:
    """This process's settings with the model and limits the run was started with."""
    recorded = values.get("settings") or {}
    update = {k: v for k, v in recorded.items() if k in RUN_SETTINGS}
    if update.get("api_base", settings.api_base) != settings.api_base:
        update["api_auth"] = None  # this shell's URL credentials belong to another endpoint
    return settings.model_copy(update=update)


def run_state(snapshot: StateSnapshot) -> RunState:
    """The user-facing state of a run from its latest checkpoint."""
    if snapshot.interrupts:
        return "awaiting_decision"
    outcome = snapshot.values.get("outcome")
    if outcome in ("approved", "rejected") and not snapshot.next:
        return outcome
    return "interrupted"


def _gates(checkpoint: CheckpointTuple | None) -> tuple[str, ...]:
    """The gates of a run's rubric set, read from its checkpoint before a graph is built."""
    values = checkpoint.checkpoint.get("channel_values", {}) if checkpoint else {}
    return rubric_set_of(values).gates


@asynccontextmanager
async def _open_graph(
    workspace: Workspace, run_id: str | None = None, gates: tuple[str, ...] = GATES
) -> AsyncIterator[CompiledStateGraph]:
    """The graph of a run (its own gates, when run_id names one) on the workspace's database."""
    async with async_saver(workspace) as checkpointer:
        if run_id is not None:
            gates = _gates(await checkpointer.aget_tuple(_config(run_id)))
        yield review_graph(gates, checkpointer)


async def _drive(
    graph: CompiledStateGraph,
    payload: Any,
    run_id: str,
    context: ReviewContext,
    progress: Progress | None,
) -> None:
    """Stream the graph on under the run's lock, reporting each finished step; then anchor
    the trace's head in the database (also when a step failed).

    The anchor is written off the event loop: other runs of this loop (a portfolio) may hold
    a write transaction on the same SQLite file that only the loop can commit, so a write
    from the loop itself would wait out the busy timeout.
    """
    if progress is not None and context.runtime is not None:  # each model call, as it ends
        context = replace(context, runtime=replace(context.runtime, observer=_calls(progress)))
    with driving(context.workspace, run_id):
        try:
            async for chunk in graph.astream(
                payload, _config(run_id), context=context, stream_mode="updates", durability="sync"
            ):
                for node, update in chunk.items():
                    if progress is not None and node != "__interrupt__":
                        progress(node, update or {})
        except BaseException:
            if context.recorder is not None:
                with suppress(Exception):  # the step's own failure is the one to report
                    await asyncio.to_thread(anchor_trace, context.workspace, context.recorder)
            raise
        if context.recorder is not None:
            await asyncio.to_thread(anchor_trace, context.workspace, context.recorder)


def _calls(progress: Progress) -> Callable[[str, Usage], None]:
    """A model call's end as a progress event: `model_call` with its purpose and usage."""

    def called(purpose: str, usage: Usage) -> None:
        progress("model_call", {"purpose": purpose, "usage": usage.model_dump()})

    return called


def _prior_values(settings: Settings, run_id: str) -> dict[str, Any]:
    workspace = _existing_workspace(settings, run_id)
    with saver(workspace) as checkpointer:
        found = checkpointer.get_tuple(_config(run_id))
    values = found.checkpoint.get("channel_values", {}) if found else {}
    if not values.get("reviews"):
        raise RunNotFoundError(f"no reviewed run {run_id} in {workspace.home} to reuse")
    return values


def prior_reviews(settings: Settings, run_id: str) -> dict[str, Any]:
    """The gate reviews of an earlier run, as checkpointed (before any amendment)."""
    return dict(_prior_values(settings, run_id)["reviews"])


def prior_amendments(settings: Settings, run_id: str) -> dict[str, Any]:
    """The amendments of an earlier run (its own and those it carried), to carry on."""
    return dict(_prior_values(settings, run_id).get("amendments") or {})


def latest_in_project(settings: Settings, project: str) -> str | None:
    """The newest reviewed run of a project, if there is one."""
    if not Workspace(settings.home, settings.database_url).exists():
        return None
    reviewed = ("awaiting_decision", "approved", "rejected")
    runs = [r for r in list_runs(settings) if r.project == project and r.state in reviewed]
    return runs[0].run_id if runs else None


@faults_as_errors
async def start_review(
    paths: list[str],
    settings: Settings,
    progress: Progress | None = None,
    *,
    owner: str | None = None,
    since: str | None = None,
    sources: SourceOptions | None = None,
    environ: Mapping[str, str] | None = None,
) -> RunView:
    """Run a new review up to the human decision, reusing `since`'s unchanged gate reviews.

    The documents are read before anything is written, so one that cannot be read leaves no
    run and no workspace behind, and the trace's first record carries their content hashes.
    There is no preflight request: the gates' first calls stand in for it, and a bad key or an
    unknown model they meet before the model has answered once stops the review and takes
    back what it wrote.
    """
    ingested = await asyncio.to_thread(
        load_sources, paths, sources, os.environ if environ is None else environ,
        max_bytes=settings.max_bytes, timeout_s=settings.document_timeout_s,
    )  # fmt: skip
    rubrics = load_rubric_set(settings.rubrics)
    approvers = check_approvers(settings.approvers, rubrics.gates)
    if progress is not None:
        read = {"documents": ingested.documents, "notes": ingested.notes}
        progress("load_documents", {**read, "gates": list(rubrics.gates)})
    context = make_context(settings, preflight=True)
    if context.runtime is not None:
        check_credentials(context.runtime.settings)
    workspace = context.workspace
    fresh = not workspace.home.exists()
    run_id = new_run_id()
    payload = {
        "run_id": run_id,
        "created_at": utc_now(),
        "paths": [str(p) for p in paths],
        "settings": settings.model_dump(mode="json", include=set(RUN_SETTINGS)),
        "rubrics": rubrics.model_dump(mode="json"),
        "project": settings.project or project_of(ingested.documents),
        "documents": [doc.model_dump() for doc in ingested.documents],
        "ingest_notes": ingested.notes,
    }
    if owner:  # the project's owner, when a portfolio manifest names one
        payload["owner"] = owner
    if since is not None:
        payload |= {"since": since, "prior_reviews": prior_reviews(settings, since)}
        payload["prior_amendments"] = prior_amendments(settings, since)
    if approvers:  # named approvers per gate: each required gate is signed
        payload["approvers"] = approvers
    start = run_start_attributes(settings, payload["paths"], ingested.documents, rubrics)
    try:
        async with _open_graph(workspace, gates=rubrics.gates) as graph:
            try:
                with new_trace(workspace, run_id) as recorder:
                    recorder.start_span("run_start", "review", attributes=start)
                    context = replace(context, recorder=recorder)
                    await _drive(graph, payload, run_id, context, progress)
            except ModelCallError as exc:
                if exc.fatal and graph.checkpointer is not None:
                    await graph.checkpointer.adelete_thread(run_id)
                raise
            return await _view(graph, workspace, run_id)
    except ModelCallError as exc:
        if exc.fatal:
            _discard(workspace, run_id, fresh)
        raise


def _discard(workspace: Workspace, run_id: str, fresh: bool) -> None:
    """Remove a run stopped by a fatal model error: its trace and lock, and the workspace too
    when this review created it and no other run has been saved there meanwhile."""
    workspace.trace_file(run_id).unlink(missing_ok=True)
    lock_file(workspace.trace_file(run_id)).unlink(missing_ok=True)
    forget_head(workspace.database, run_id)
    (workspace.home / "locks" / f"{run_id}.lock").unlink(missing_ok=True)
    if fresh:
        with saver(workspace) as checkpointer:
            others = thread_ids(checkpointer)
        if not others:
            shutil.rmtree(workspace.home, ignore_errors=True)


def _existing_workspace(settings: Settings, run_id: str) -> Workspace:
    workspace = Workspace(settings.home, settings.database_url)
    if not workspace.exists():
        raise RunNotFoundError(f"no run {run_id} in {workspace.home} (no reviews there yet)")
    return workspace


async def _snapshot(graph: CompiledStateGraph, workspace: Workspace, run_id: str) -> StateSnapshot:
    snapshot = await graph.aget_state(_config(run_id))
    if not snapshot.values:
        raise RunNotFoundError(f"no run {run_id} in {workspace.home}")
    return snapshot


async def _continue(
    graph: CompiledStateGraph,
    workspace: Workspace,
    snapshot: StateSnapshot,
    payload: Any,
    settings: Settings,
    progress: Progress | None,
) -> RunView:
    """Drive an existing run on, with the model and limits it was started with."""
    run_id = snapshot.values["run_id"]
    settings = run_settings(settings, snapshot.values)
    spent = build_view(run_id, "interrupted", snapshot.values).usage.cost_usd or 0.0
    start = {attr.REQUEST_MODEL: settings.model, attr.SETTINGS: snapshot.values.get("settings")}
    recorder, warning = continue_trace(workspace, run_id, start)
    with recorder:
        context = make_context(settings, spent, recorder=recorder)
        await _drive(graph, payload, run_id, context, progress)
    view = await _view(graph, workspace, run_id)
    return view.model_copy(update={"warnings": [warning]}) if warning else view


def _checked_verdict(workspace: Workspace, snapshot: StateSnapshot) -> str:
    """The hash of the verdict awaiting a decision, refused if it is not the one traced."""
    run_id = snapshot.values["run_id"]
    current = verdict_sha256(snapshot.values.get("verdict") or {})
    recorded = traced_verdict(workspace, run_id)
    if recorded is not None and recorded != current:
        raise DecisionError(
            f"run {run_id}: the verdict in {workspace.database} is not the one the coordinator "
            "recorded in the trace (the database was edited); nothing was decided. "
            f"Check it with: python main.py trace {run_id} --verify"
        )
    return current


@faults_as_errors
async def decide(
    run_id: str, decision: Decision, settings: Settings, progress: Progress | None = None
) -> RunView:
    """Apply a decision to a run awaiting one; exactly one concurrent decider wins."""
    workspace = _existing_workspace(settings, run_id)
    async with _open_graph(workspace, run_id) as graph:
        snapshot = await _snapshot(graph, workspace, run_id)
        if not snapshot.interrupts:
            claim = last_claim(workspace.store, run_id)
            state = run_state(snapshot)
            # A decision still being applied by another process is as decided as a final one.
            if claim is not None and (
                state in ("approved", "rejected") or is_running(workspace, run_id)
            ):
                raise DecisionError(
                    f"run {run_id} was already decided ({claim[0]}) by {claim[1]} at {claim[2]}"
                )
            hint = f"; finish it with: python main.py resume {run_id}" if claim else ""
            raise DecisionError(f"run {run_id} is not awaiting a decision (state: {state}){hint}")
        problem = decision_problem(snapshot.values, decision)
        if problem is not None:
            raise DecisionError(problem)
        decision = decision.model_copy(
            update={"verdict_sha256": _checked_verdict(workspace, snapshot)}
        )
        checkpoint = snapshot.config["configurable"]["checkpoint_id"]
        try:
            claim_decision(workspace.store, run_id, checkpoint, decision)
        except DecisionError as exc:
            if decision.action != "approve":
                raise
            # Another sign-off may have won this checkpoint: other gates may still need signing.
            raise DecisionError(f"{exc}; if the run still awaits sign-off, sign again") from None
        payload = Command(resume=decision.model_dump())
        try:
            return await _continue(graph, workspace, snapshot, payload, settings, progress)
        except BaseException:
            # Not applied (the graph is still at this interrupt): release the claim, so the
            # run can be decided again. Past the interrupt, resume finishes the decision.
            after = await graph.aget_state(_config(run_id))
            if after.interrupts and after.config["configurable"]["checkpoint_id"] == checkpoint:
                release_claim(workspace.store, run_id, checkpoint)
            raise


@faults_as_errors
async def resume(run_id: str, settings: Settings, progress: Progress | None = None) -> RunView:
    """Finish what a killed process left: unfinished steps, or a claimed but unapplied decision."""
    workspace = _existing_workspace(settings, run_id)
    async with _open_graph(workspace, run_id) as graph:
        snapshot = await _snapshot(graph, workspace, run_id)
        payload: Any = None
        if snapshot.interrupts:
            checkpoint = snapshot.config["configurable"]["checkpoint_id"]
            pending = claimed_decision(workspace.store, run_id, checkpoint)
            if pending is None:
                raise DecisionError(f"run {run_id} is awaiting a decision; nothing to resume")
            payload = Command(resume=pending.model_dump())
        elif not snapshot.next:
            raise DecisionError(
                f"run {run_id} has finished ({run_state(snapshot)}); nothing to resume"
            )
        return await _continue(graph, workspace, snapshot, payload, settings, progress)


def _mark(workspace: Workspace, run_id: str) -> Mark | None:
    # The catalogue is kept beside SQLite checkpoints only; on Postgres runs are read directly.
    return None if workspace.database_url else latest_mark(workspace.database, run_id)


async def _view(graph: CompiledStateGraph, workspace: Workspace, run_id: str) -> RunView:
    """The run's view from its latest checkpoint, kept in the catalogue for fast reading."""
    # The catalogue's SQLite calls block: off the event loop, or they would wait out their busy
    # timeout on a lock that another run of this loop (a portfolio) can only release from it.
    before = await asyncio.to_thread(_mark, workspace, run_id)
    snapshot = await graph.aget_state(_config(run_id))
    view = await asyncio.to_thread(checked_view, workspace, run_id, snapshot)
    await asyncio.to_thread(_catalogue, workspace, view, snapshot, before)
    return view


def checked_view(workspace: Workspace, run_id: str, snapshot: StateSnapshot) -> RunView:
    """The run's view; a decision its human-review node did not accept (a state written around
    it) does not count: the run shows as interrupted, with the reason."""
    view = build_view(run_id, run_state(snapshot), snapshot.values)
    if not (snapshot.values.get("decisions") or snapshot.values.get("outcome")):
        return view
    problem = state_problem(snapshot.values, workspace)
    if problem is None:
        return view
    warning = f"{problem}: its decision does not count (python main.py doctor)"
    return view.model_copy(update={"state": "interrupted", "warnings": [*view.warnings, warning]})


def _catalogue(
    workspace: Workspace, view: RunView, snapshot: StateSnapshot, before: Mark | None
) -> None:
    """Save the view when nothing was written to the run while its snapshot was read."""
    checkpoint = snapshot.config["configurable"].get("checkpoint_id")
    if before is not None and before[0] == checkpoint:
        if latest_mark(workspace.database, view.run_id) == before:
            save_view(workspace.database, view, before)


def views_from_checkpoints(workspace: Workspace, run_ids: list[str]) -> list[RunView]:
    """Views of these runs read from their checkpoints through LangGraph (and catalogued)."""
    views = []
    with saver(workspace) as checkpointer:
        for run_id in run_ids:
            before = _mark(workspace, run_id)
            gates = _gates(checkpointer.get_tuple(_config(run_id)))
            snapshot = review_graph(gates, checkpointer).get_state(_config(run_id))
            if not snapshot.values:
                raise RunNotFoundError(f"no run {run_id} in {workspace.home}")
            view = checked_view(workspace, run_id, snapshot)
            _catalogue(workspace, view, snapshot, before)
            views.append(view)
    return views


def all_run_ids(workspace: Workspace) -> list[str]:
    """Every run with a checkpoint in this workspace's database."""
    with saver(workspace) as checkpointer:
        return thread_ids(checkpointer)


def _latest(workspace: Workspace, run_id: str) -> StateSnapshot:
    """A run's latest state, read through the graph of its own gates."""
    with saver(workspace) as checkpointer:
        gates = _gates(checkpointer.get_tuple(_config(run_id)))
        return review_graph(gates, checkpointer).get_state(_config(run_id))


@faults_as_errors
def pending_checkpoint(run_id: str, settings: Settings) -> str | None:
    """The checkpoint a run awaits its decision at (None when it awaits none)."""
    snapshot = _latest(Workspace(settings.home, settings.database_url), run_id)
    return snapshot.config["configurable"]["checkpoint_id"] if snapshot.interrupts else None


@faults_as_errors
def load_values(run_id: str, settings: Settings) -> dict[str, Any] | None:
    """A run's checkpointed state values (None when the workspace holds no such run)."""
    workspace = Workspace(settings.home, settings.database_url)
    if not workspace.exists():
        return None
    return _latest(workspace, run_id).values or None


@faults_as_errors
def load_run_documents(run_id: str, settings: Settings) -> list[dict[str, Any]]:
    """The documents a run reviewed, as checkpointed (lines and sections), for exports."""
    workspace = _existing_workspace(settings, run_id)
    snapshot = _latest(workspace, run_id)
    if not snapshot.values:
        raise RunNotFoundError(f"no run {run_id} in {workspace.home}")
    return list(snapshot.values.get("documents", []))
