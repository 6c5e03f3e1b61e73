"""The review graph: ingest, five gate agents in parallel, coordinator, human review, finalise.

`build_graph()` returns the uncompiled builder; the CLI, the tests and a LangGraph server
compile it with their own checkpointer.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from agents.coordinator import apply_amendments, compile_verdict
from agents.gate import GateAgent
from agents.models import GATES, Amendment, Decision, Gate, GateReview
from agents.rubric import load_rubrics
from agents.summary import write_summary
from graphs.context import ReviewContext
from graphs.report import write_report
from graphs.state import ReviewState
from tools.documents import Document, load_documents
from tools.retrieval import SectionIndex


def ingest(state: ReviewState, runtime: Runtime[ReviewContext]) -> dict[str, Any]:
    """Load every document into sections with line anchors and content hashes."""
    ingested = load_documents(state["paths"], max_bytes=runtime.context.settings.max_bytes)
    return {
        "documents": [doc.model_dump() for doc in ingested.documents],
        "ingest_notes": ingested.notes,
    }


async def review_gate(gate: Gate, state: ReviewState, runtime: Runtime[ReviewContext]) -> dict:
    """Review the documents against one gate's rubric."""
    documents = [Document.model_validate(d) for d in state["documents"]]
    agent = GateAgent(load_rubrics()[gate], runtime.context.runtime)
    guidance = (state.get("guidance") or {}).get(gate)
    outcome = await agent.review(documents, SectionIndex(documents), guidance=guidance)
    return {"reviews": {gate: outcome.review.model_dump()}}


async def compile_review(state: ReviewState, runtime: Runtime[ReviewContext]) -> dict[str, Any]:
    """Turn the gate reviews and any amendments into a verdict by the coordinator's rule."""
    reviews = {g: GateReview.model_validate(state["reviews"][g]) for g in GATES}
    amendments = {k: Amendment.model_validate(v) for k, v in state.get("amendments", {}).items()}
    rubrics = load_rubrics()
    verdict = compile_verdict(reviews, rubrics, amendments)
    update: dict[str, Any] = {}
    model = runtime.context.runtime
    if model is not None:
        findings = [f for r in reviews.values() for f in apply_amendments(r.findings, amendments)]
        verdict, _events, usage = await write_summary(verdict, findings, rubrics, model)
        update["summary_usage"] = usage.model_dump()
    return {**update, "verdict": verdict.model_dump()}


def await_decision(state: ReviewState) -> Command:
    """Pause for a named person's decision; nothing before `interrupt()` has side effects."""
    raw = interrupt({"run_id": state["run_id"], "verdict": state["verdict"]})
    decision = Decision.model_validate(raw)
    record = decision.model_dump()
    if decision.action == "approve":
        return Command(goto="finalise", update={"decisions": [record], "outcome": "approved"})
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


def finalise(state: ReviewState, runtime: Runtime[ReviewContext]) -> dict[str, Any]:
    """Write the report (Markdown and JSON) and close the run."""
    paths = write_report(state, runtime.context.workspace)
    return {"report": {k: str(v) for k, v in paths.items()}}


def build_graph() -> StateGraph:
    """The uncompiled review graph."""
    builder = StateGraph(ReviewState, context_schema=ReviewContext)
    builder.add_node("ingest", ingest)
    for gate in GATES:
        builder.add_node(gate, partial(review_gate, gate))
    builder.add_node("coordinator", compile_review)
    builder.add_node(
        "human_review", await_decision, destinations=(*GATES, "coordinator", "finalise")
    )
    builder.add_node("finalise", finalise)
    builder.add_edge(START, "ingest")
    for gate in GATES:
        builder.add_edge("ingest", gate)
        # One edge per gate (not a join): a re-review of some gates still reaches the coordinator.
        builder.add_edge(gate, "coordinator")
    builder.add_edge("coordinator", "human_review")
    builder.add_edge("finalise", END)
    return builder
