"""The review graph: ingest, the rubric set's gate agents in parallel, coordinator, decision.

`build_graph()` returns the uncompiled builder; the tests and a LangGraph server compile it
with their own checkpointer. `review_graph()` is the one runs use: compiled once per process for
a set of gates, then bound to the run's checkpointer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache, partial
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agents.coordinator import apply_amendments, compile_verdict
from agents.gate import GateAgent
from agents.hostile import HiddenConcern, hidden_concerns, hidden_finding, instruction_finding
from agents.rubric_set import rubric_set_of
from agents.summary import write_summary
from graphs.acceptance import answer_decision, as_taken, finalise_problem, verdict_problem
from graphs.amendments import anchor_new, carry_in
from graphs.auth import server_caller
from graphs.claims import claim_decision, release_claim
from graphs.context import ReviewContext, ServerContext, async_node_context, node_context
from graphs.decisions import decision_problem
from graphs.guidance import guarded_review
from graphs.inbox import review_request
from graphs.report import write_report
from graphs.reuse import gate_basis, reused_review
from graphs.signoff import sign_off
from graphs.state import ReviewInput, ReviewState
from graphs.submission import submission_of, submitted_documents
from graphs.tracing import lineage, record_events
from guard import ReviewerInstruction, find_reviewer_instructions, redact
from tools.documents import Document, Ingested, load_documents
from traces import attributes as attr
from vocabulary.errors import DecisionError
from vocabulary.models import (
    GATES,
    Amendment,
    Decision,
    Gate,
    GateReview,
    Verdict,
    utc_now,
    verdict_sha256,
)

# The CLI passes its own ReviewContext; a LangGraph server passes plain JSON (ServerContext).
NodeRuntime = Runtime[ReviewContext | ServerContext]


@contextmanager
def _span(ctx: ReviewContext, name: str, **attributes: Any) -> Iterator[str | None]:
    """A node span in the run's trace, when the run is traced."""
    if ctx.recorder is None:
        yield None
        return
    with ctx.recorder.node(name, None, attributes) as span_id:
        yield span_id


def _run_id(state: ReviewState) -> str:
    """The run's id: the caller's, or (a server run) its thread's."""
    return state.get("run_id") or str(get_config()["configurable"]["thread_id"])


def _ingested(state: ReviewState, ctx: ReviewContext, trusted: bool) -> Ingested:
    """The run's documents: a trusted caller's (the CLI's, loaded or by path), or what a
    server's client submitted (data only, paths under the documents root)."""
    if not trusted:
        return submitted_documents(submission_of(state), ctx.settings)
    if state.get("documents") is None:
        limits = ctx.settings
        return load_documents(
            state["paths"], max_bytes=limits.max_bytes, timeout_s=limits.document_timeout_s
        )
    documents = [Document.model_validate(d) for d in state["documents"]]
    return Ingested(documents=documents, notes=state.get("ingest_notes", []))


def ingest(state: ReviewState, runtime: NodeRuntime) -> dict[str, Any]:
    """Load the documents (unless the caller already did) and find text aimed at reviewers."""
    if state.get("verdict") is not None or state.get("decisions"):
        where = state.get("outcome") or "awaiting a decision"
        raise DecisionError(
            f"run {state.get('run_id', '?')} was already reviewed ({where}): a thread holds "
            "one review; start another thread for a new one"
        )
    trusted = isinstance(runtime.context, ReviewContext)
    with node_context(runtime.context, _run_id(state)) as ctx, _span(ctx, "ingest") as span:
        ingested = _ingested(state, ctx, trusted)
        if ctx.recorder is not None:
            ctx.recorder.record(
                "tool_call",
                "load_documents",
                span,
                {
                    attr.TOOL_NAME: "load_documents",
                    attr.DOCUMENTS: lineage(ingested.documents),
                    "gatereview.notes": ingested.notes,
                },
            )
        hits = find_reviewer_instructions(ingested.documents)
        concerns = hidden_concerns(ingested.documents, hits)
        if ctx.recorder is not None and hits:
            ctx.recorder.record(
                "tool_call",
                "find_reviewer_instructions",
                span,
                {
                    attr.TOOL_NAME: "find_reviewer_instructions",
                    "gatereview.hits": len(hits),
                    "gatereview.locations": [h.location for h in hits],
                },
            )
        if ctx.recorder is not None and any(d.hidden for d in ingested.documents):
            ctx.recorder.record(
                "tool_call",
                "find_hidden_text",
                span,
                {
                    attr.TOOL_NAME: "find_hidden_text",
                    "gatereview.hidden": sum(len(d.hidden) for d in ingested.documents),
                    "gatereview.concerns": len(concerns),
                    "gatereview.locations": [c.evidence.location for c in concerns],
                },
            )
        carried = (
            carry_in(state, ingested.documents, [h.model_dump() for h in hits], ctx, span)
            if state.get("prior_amendments")
            else {}
        )
    update: dict[str, Any] = {
        "instructions": [h.model_dump() for h in hits],
        "hidden_concerns": [c.model_dump() for c in concerns],
        **carried,  # an earlier run's amendments, where their text is unchanged
    }
    if not state.get("run_id"):  # a server run: the thread is the run
        update["run_id"] = _run_id(state)
        update["created_at"] = utc_now()
    if not trusted:
        update["paths"] = [d.path for d in ingested.documents]
        update["project"] = state.get("project") or " + ".join(sorted(update["paths"]))
    if not trusted or state.get("documents") is None:  # loaded here: keep them
        update["documents"] = [doc.model_dump() for doc in ingested.documents]
        update["ingest_notes"] = ingested.notes
    return update


async def review_gate(gate: Gate, state: ReviewState, runtime: NodeRuntime) -> dict:
    """Review the documents against one gate's rubric."""
    async with async_node_context(runtime.context, _run_id(state)) as ctx:
        return await _review_gate(gate, state, ctx)


async def _review_gate(gate: Gate, state: ReviewState, ctx: ReviewContext) -> dict:
    with _span(ctx, f"review_gate:{gate}", **attr.agent_attributes(gate)) as span:
        instructions = state.get("instructions", [])
        documents, index = ctx.documents.prepare(state["documents"], instructions)
        rubric = rubric_set_of(state).rubrics[gate]
        guidance = (state.get("guidance") or {}).get(gate)
        if guidance and ctx.runtime is not None and ctx.runtime.redact:
            guidance = redact(guidance).text  # a reviewer's comment leaves masked, like documents
        rt = ctx.runtime
        basis = gate_basis(
            rubric,
            documents,
            index,
            ctx.settings.model,
            rt.max_context_tokens if rt else ctx.settings.max_context_tokens,
            rt.redact if rt else False,
        )
        review = _reusable(state, gate, basis, documents)
        if review is None:
            outcome = await GateAgent(rubric, rt).review(documents, index, guidance=guidance)
            record_events(ctx.recorder, span, outcome.events, ctx.settings.model)
            review = outcome.review.model_copy(update={"basis": basis})
            review = guarded_review(state, gate, review, documents, ctx, span)
        elif ctx.recorder is not None:
            ctx.recorder.record(
                "tool_call",
                "reuse_review",
                span,
                {attr.TOOL_NAME: "reuse_review", "gatereview.reused_from": review.reused_from},
            )
        if gate == "risk":
            hits = [ReviewerInstruction.model_validate(h) for h in instructions]
            concerns = [HiddenConcern.model_validate(c) for c in state.get("hidden_concerns", [])]
            extra = [f for f in (instruction_finding(hits), hidden_finding(concerns)) if f]
            review = review.model_copy(update={"findings": [*review.findings, *extra]})
    return {"reviews": {gate: review.model_dump()}}


def _reusable(
    state: ReviewState, gate: str, basis: str, documents: list[Document]
) -> GateReview | None:
    """The earlier run's review of this gate, on a first pass when its basis is unchanged."""
    prior = (state.get("prior_reviews") or {}).get(gate)
    if prior is None or gate in (state.get("reviews") or {}):  # a re-review asks the model
        return None
    since = state.get("since") or ""
    return reused_review(GateReview.model_validate(prior), basis, documents, since)


async def compile_review(state: ReviewState, runtime: NodeRuntime) -> dict[str, Any]:
    """Turn the gate reviews and any amendments into a verdict by the coordinator's rule."""
    async with async_node_context(runtime.context, _run_id(state)) as ctx:
        return await _compile_review(state, ctx)


async def _compile_review(state: ReviewState, ctx: ReviewContext) -> dict[str, Any]:
    with _span(ctx, "coordinator") as span:
        rubrics = rubric_set_of(state).rubrics
        reviews = {g: GateReview.model_validate(state["reviews"][g]) for g in rubrics}
        amendments = {
            k: Amendment.model_validate(v) for k, v in state.get("amendments", {}).items()
        }
        verdict = compile_verdict(reviews, rubrics, amendments)
        update: dict[str, Any] = {}
        fresh = anchor_new(state, reviews, ctx)
        if fresh:
            update["amendments"] = fresh
        if ctx.runtime is not None:
            findings = [
                f for r in reviews.values() for f in apply_amendments(r.findings, amendments)
            ]
            verdict, events, usage = await write_summary(verdict, findings, rubrics, ctx.runtime)
            record_events(ctx.recorder, span, events, ctx.settings.model)
            update["summary_usage"] = usage.model_dump()
        if ctx.recorder is not None:
            # The hash of the verdict as checkpointed: a decision must be taken on this one.
            ctx.recorder.record("verdict", verdict.overall, span, _verdict_attributes(verdict))
    return {**update, "verdict": verdict.model_dump()}


def _verdict_attributes(verdict: Verdict, **extra: Any) -> dict[str, Any]:
    return {
        attr.VERDICT: verdict.overall,
        **extra,
        attr.GATE_STATUSES: {g: v.status for g, v in verdict.gates.items()},
        attr.VERDICT_SHA256: verdict_sha256(verdict.model_dump()),
    }


def _route(decision: Decision, state: ReviewState) -> Command:
    record = decision.model_dump()
    if decision.action == "approve":
        return sign_off(state, decision)  # final once every required gate is signed
    if decision.action == "reject" and not decision.gates:
        return Command(goto="finalise", update={"decisions": [record], "outcome": "rejected"})
    if decision.action == "reject":
        guidance = {gate: decision.comment for gate in decision.gates}
        return Command(
            goto=list(decision.gates), update={"decisions": [record], "guidance": guidance}
        )
    amendment = decision.amendment
    if amendment is None:
        raise ValueError("an amend decision carries an amendment")
    return Command(
        goto="coordinator",
        update={
            "decisions": [record],
            "amendments": {amendment.finding_id: amendment.model_dump()},
        },
    )


def _valid_decision(state: ReviewState, ctx: ReviewContext) -> Decision:
    """Ask until the answer is a decision this run accepts; each refusal says why.

    A refused resume leaves the run awaiting a decision (a new interrupt carrying the reason),
    so the next caller can still decide it.
    """
    caller, error = server_caller(), None
    while True:
        decision = answer_decision(interrupt(review_request(state, error)), caller)
        problem = decision if isinstance(decision, str) else decision_problem(state, decision)
        if problem is None:
            problem = verdict_problem(state, ctx.workspace)
        if problem is None and isinstance(decision, Decision):
            return as_taken(decision, state)
        error = problem


def await_decision(state: ReviewState, runtime: NodeRuntime) -> Command:
    """Pause for a named person's decision, and claim it: of two deciders resuming the same
    interrupt, exactly one wins. Only the trace span opens before `interrupt()`."""
    with node_context(runtime.context, _run_id(state)) as ctx, _span(ctx, "human_review") as span:
        decision = _valid_decision(state, ctx)
        run_id, checkpoint = state["run_id"], _pending_checkpoint()
        # The claim is keyed by the checkpoint the interrupt waits at; claiming the same
        # decision again (a resumed process, or the CLI's early claim) is no second decision,
        # and what is recorded is the decision as first claimed (its time included).
        store = ctx.workspace.ensure().store
        decision = claim_decision(store, run_id, checkpoint, decision)
        try:
            _record_decision(ctx, span, state, decision)
        except BaseException:
            release_claim(store, run_id, checkpoint)  # not applied: decide again
            raise
    return _route(decision, state)


def _pending_checkpoint() -> str:
    """The id of the checkpoint this node's interrupt waits at (the claim's key)."""
    checkpoint = get_config()["configurable"].get("checkpoint_map", {}).get("")
    if not checkpoint:
        raise RuntimeError("the graph runs without a checkpointer: a decision cannot be claimed")
    return str(checkpoint)


def _record_decision(
    ctx: ReviewContext, span: str | None, state: ReviewState, decision: Decision
) -> None:
    """The decision in the trace, with what a reviewer typed masked (the trace travels)."""
    if ctx.recorder is None:
        return
    amendment = decision.amendment
    if amendment is not None:
        amendment = amendment.model_copy(update={"reason": redact(amendment.reason).text})
    ctx.recorder.record(
        "decision",
        decision.action,
        span,
        attr.decision_attributes(
            decision.action,
            decision.reviewer,
            comment=redact(decision.comment).text,
            gates=list(decision.gates),
            amendments=[amendment.model_dump()] if amendment else None,
            at=decision.at,
            verdict_sha256=verdict_sha256(state["verdict"]),
        ),
    )


def finalise(state: ReviewState, runtime: NodeRuntime) -> dict[str, Any]:
    """Record the final verdict, close the trace and write the report (Markdown and JSON)."""
    with node_context(runtime.context, _run_id(state)) as ctx:
        return _finalise(state, ctx)


def _finalise(state: ReviewState, ctx: ReviewContext) -> dict[str, Any]:
    problem = finalise_problem(state, ctx.workspace)
    if problem is not None:  # a state written around the human-review node: no report
        raise DecisionError(f"{problem}; no report was written")
    recorder = ctx.recorder
    trace: dict[str, str] = {}
    if recorder is not None and recorder.root_span_id is not None:
        verdict = Verdict.model_validate(state["verdict"])
        with recorder.node("finalise") as span:
            attributes = _verdict_attributes(verdict, **{attr.STATUS: state.get("outcome")})
            recorder.record("verdict", verdict.overall, span, attributes)
        recorder.end_run({attr.STATUS: state.get("outcome")})
        recorder.flush()  # the report names the trace's last hash: it must be written first
        trace = {"trace": str(recorder.path), "trace_last_hash": recorder.last_hash or ""}
    return {"report": write_report(state, ctx.workspace, trace)}


def build_graph(gates: Sequence[str] = GATES, input_schema: type = ReviewInput) -> StateGraph:
    """The uncompiled review graph, one node per gate of the run's rubric set (a server's has
    its own input schema)."""
    builder = StateGraph(ReviewState, context_schema=ServerContext, input_schema=input_schema)
    builder.add_node("ingest", ingest)
    for gate in gates:
        builder.add_node(gate, partial(review_gate, gate))
    builder.add_node("coordinator", compile_review)
    builder.add_node(
        "human_review",
        await_decision,
        destinations=(*gates, "coordinator", "human_review", "finalise"),
    )
    builder.add_node("finalise", finalise)
    builder.add_edge(START, "ingest")
    for gate in gates:
        builder.add_edge("ingest", gate)
        # One edge per gate (not a join): a re-review of some gates still reaches the coordinator.
        builder.add_edge(gate, "coordinator")
    builder.add_edge("coordinator", "human_review")
    builder.add_edge("finalise", END)
    return builder


@cache
def _compiled(gates: tuple[str, ...]) -> CompiledStateGraph:
    return build_graph(gates).compile()


def review_graph(gates: Sequence[str], checkpointer: BaseCheckpointSaver) -> CompiledStateGraph:
    """The review graph of these gates on a checkpointer: compiled once per process (5 ms a
    review), then copied with the checkpointer, as LangGraph's own `with_config` copies it."""
    return _compiled(tuple(gates)).copy({"checkpointer": checkpointer})
