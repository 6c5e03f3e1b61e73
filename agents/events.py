"""What an agent did, as events for the trace: model calls, tool calls, checks, degradations.

Attribute names are the trace's own (`traces.attributes`: OpenTelemetry GenAI names where one
exists), so the graph writes events as they are.

Agents return these beside their review; the graph writes them under the agent's span. They
never enter the review state.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agents.llm import Attempt, StructuredResult
from agents.models import Finding, GateReview, Strict, Usage
from tools.excerpts import Selection
from tools.websearch import WebSearchOutcome
from traces import attributes as attr


class AgentEvent(Strict):
    """Something an agent did that belongs in the trace (never in the review state)."""

    kind: Literal["llm_call", "tool_call", "verification", "degradation"]
    name: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    duration_s: float | None = None


def llm_event(
    result: StructuredResult[Any],
    messages: list[dict[str, Any]],
    gate: str,
    prompts: dict[str, str],
) -> AgentEvent:
    """A model call that answered: tokens, cost, attempts, messages sent and output."""
    return AgentEvent(
        kind="llm_call",
        name=f"chat {result.model}",
        duration_s=result.usage.latency_s,
        attributes={
            attr.AGENT_NAME: gate,
            attr.RESPONSE_MODEL: result.model,
            attr.INPUT_TOKENS: result.usage.input_tokens,
            attr.OUTPUT_TOKENS: result.usage.output_tokens,
            attr.COST_USD: result.usage.cost_usd,
            "gatereview.purpose": result.purpose,
            "gatereview.attempts": [a.model_dump() for a in result.attempts],
            "gatereview.repaired": result.repaired,
            attr.PROMPT_HASH: prompts,
            attr.INPUT_MESSAGES: messages,
            attr.OUTPUT_MESSAGES: result.raw,
        },
    )


def failed_call_event(
    model: str, gate: str, attempts: list[Attempt], usage: Usage, kind: str
) -> AgentEvent:
    """A model call that failed after its attempts, with the error kind."""
    return AgentEvent(
        kind="llm_call",
        name=f"chat {model}",
        duration_s=usage.latency_s,
        attributes={
            attr.AGENT_NAME: gate,
            attr.ERROR_TYPE: kind,
            "gatereview.purpose": f"review {gate}",
            "gatereview.attempts": [a.model_dump() for a in attempts],
            attr.INPUT_TOKENS: usage.input_tokens,
            attr.OUTPUT_TOKENS: usage.output_tokens,
            attr.COST_USD: usage.cost_usd,
        },
    )


def degradation_event(name: str, reason: str, kind: str) -> AgentEvent:
    """A step that fell back (to the offline reviewer, or to the rule's wording)."""
    return AgentEvent(
        kind="degradation",
        name=name,
        attributes={attr.DEGRADED_REASON: reason, attr.ERROR_TYPE: kind},
    )


def retrieval_event(selection: Selection) -> AgentEvent:
    """The sections chosen for a model prompt, what was left out and what was masked."""
    return AgentEvent(
        kind="tool_call",
        name="retrieve_sections",
        attributes={
            attr.TOOL_NAME: "retrieve_sections",
            "gatereview.sections": len(selection.excerpts),
            "gatereview.sections_omitted": selection.omitted,
            "gatereview.estimated_tokens": selection.tokens,
            "gatereview.redactions": selection.redactions,
        },
    )


def support_event(gate: str, findings: list[Finding]) -> AgentEvent:
    """How many of a gate's findings their quotes do not support, and how many are disputed."""
    return AgentEvent(
        kind="tool_call",
        name="check_support",
        attributes={
            attr.TOOL_NAME: "check_support",
            attr.GATE: gate,
            "gatereview.unsupported": [f.criterion for f in findings if f.unsupported],
            "gatereview.downgraded": [f.criterion for f in findings if f.support_note],
            "gatereview.disputed": [f.criterion for f in findings if f.disputed],
        },
    )


def verification_event(
    finding_id: str, criterion: str, kind: str, verified: bool, location: str
) -> AgentEvent:
    """One quote located (or not) in the documents, how, and where a reader finds it."""
    return AgentEvent(
        kind="verification",
        name=finding_id,
        attributes={
            attr.CRITERION: criterion,
            attr.EVIDENCE_MATCH_KIND: kind,
            attr.EVIDENCE_VERIFIED: verified,
            attr.EVIDENCE_LOCATION: location,
        },
    )


def prose_event(name: str, rejected: list[str], text: str) -> AgentEvent:
    """A model-written summary or condition checked against the rule: kept, or rejected (the
    rule's wording stands) with the reasons."""
    return AgentEvent(
        kind="verification",
        name=f"prose {name}",
        attributes={
            "gatereview.prose.accepted": not rejected,
            "gatereview.prose.rejected_reasons": rejected,
            "gatereview.prose.text": text,
        },
    )


def web_search_event(query: str, outcome: WebSearchOutcome) -> AgentEvent:
    """One web search and how it went."""
    return AgentEvent(
        kind="tool_call",
        name="web_search",
        duration_s=outcome.latency_s,
        attributes={
            attr.TOOL_NAME: "web_search",
            "gatereview.query": query,
            "gatereview.ok": outcome.ok,
            "gatereview.error": outcome.error,
            "gatereview.results": len(outcome.results),
        },
    )


def offline_events(review: GateReview) -> list[AgentEvent]:
    """What the offline reviewer did, for the trace: its retrieval and its quote checks."""
    quoted = [e for f in review.findings for e in f.document_evidence]
    return [
        AgentEvent(
            kind="tool_call",
            name="retrieve_sections",
            attributes={
                attr.TOOL_NAME: "retrieve_sections",
                "gatereview.reviewer": "offline",
                "gatereview.criteria": len(review.findings),
                "gatereview.quotes": len(quoted),
            },
        ),
        AgentEvent(
            kind="verification",
            name=review.gate,
            attributes={
                attr.EVIDENCE_MATCH_KIND: "exact",
                attr.EVIDENCE_VERIFIED: all(e.verified for e in quoted),
                "gatereview.quotes": len(quoted),
                "gatereview.evidence.locations": [e.location for e in quoted],
            },
        ),
    ]
