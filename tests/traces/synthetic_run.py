"""A synthetic review run that uses every record kind, shared by the trace tests."""

from __future__ import annotations

from traces import attributes as attr
from traces.recorder import TraceRecorder

RUN_ID = "run-20240501-abc"
GATES = ("data", "risk")


def review_gate(recorder: TraceRecorder, root: str, gate: str) -> None:
    """One gate agent: retrieval, a model call, a quote check; the risk gate degrades."""
    node = recorder.start_span(
        "node_start", f"review_gate:{gate}", root, attr.agent_attributes(gate)
    )
    recorder.record(
        "tool_call",
        "retrieve_sections",
        node,
        attr.tool_call_attributes("retrieve_sections", arguments={"criterion": f"{gate}.owners"}),
        duration_s=0.01,
    )
    recorder.record(
        "llm_call",
        "chat openai/gpt-4.1-mini",
        node,
        attr.llm_call_attributes(
            request_model="openai/gpt-4.1-mini",
            response_model="gpt-4.1-mini-2025-04-14",
            provider="openai",
            input_tokens=1200,
            output_tokens=300,
            cost_usd=0.0021,
            latency_s=1.5,
            messages=[{"role": "user", "content": f"review {gate}"}],
            output='{"findings": []}',
        ),
        duration_s=1.5,
    )
    recorder.record(
        "verification",
        f"{gate}.owners",
        node,
        {attr.EVIDENCE_VERIFIED: gate == "data", attr.EVIDENCE_MATCH_KIND: "exact"},
    )
    if gate == "risk":
        recorder.record(
            "degradation",
            "risk",
            node,
            {attr.DEGRADED_REASON: "model timed out; offline reviewer"},
        )
    recorder.end_span(node, {attr.STATUS: "ok"})


def review_until_interrupt(recorder: TraceRecorder) -> None:
    """Ingest, two gate agents with model and tool calls, a degradation, then the interrupt."""
    root = recorder.start_span(
        "run_start",
        "review",
        attributes={
            attr.REQUEST_MODEL: "openai/gpt-4.1-mini",
            attr.DOCUMENTS: [{"path": "docs/design.md", "sha256": "ab" * 32}],
        },
    )
    ingest = recorder.start_span("node_start", "ingest", root)
    recorder.end_span(ingest, {attr.STATUS: "ok"})
    for gate in GATES:
        review_gate(recorder, root, gate)
    review = recorder.start_span("node_start", "human_review", root)
    recorder.end_span(review, {attr.STATUS: "interrupted"})
    recorder.flush()


def decide_and_finish(recorder: TraceRecorder) -> None:
    """What a second process does: the decision, finalise, the verdict, the run's end."""
    review = recorder.start_span("node_start", "human_review", None)
    recorder.record(
        "decision",
        "approve",
        review,
        attr.decision_attributes("approve", "alice", comment="fine for the pilot"),
    )
    recorder.end_span(review, {attr.STATUS: "ok"})
    recorder.record("verdict", "verdict", None, {attr.VERDICT: "ready_with_conditions"})
    recorder.end_run({attr.STATUS: "ok"})
