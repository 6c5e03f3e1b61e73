"""What an agent did, as events for the trace: model calls, tool calls, checks, degradations.

Agents return these beside their review; the graph writes them under the agent's span. They
never enter the review state.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agents.llm import Attempt, StructuredResult
from agents.models import GateReview, Strict, Usage
from tools.excerpts import Selection
from tools.websearch import WebSearchOutcome


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
            "gen_ai.agent.name": gate,
            "gen_ai.response.model": result.model,
            "gen_ai.usage.input_tokens": result.usage.input_tokens,
            "gen_ai.usage.output_tokens": result.usage.output_tokens,
            "gatereview.cost_usd": result.usage.cost_usd,
            "gatereview.purpose": result.purpose,
            "gatereview.attempts": [a.model_dump() for a in result.attempts],
            "gatereview.repaired": result.repaired,
            "gatereview.prompt_sha256": prompts,
            "gatereview.messages": messages,
            "gatereview.output": result.raw,
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
            "gen_ai.agent.name": gate,
            "error.type": kind,
            "gatereview.purpose": f"review {gate}",
            "gatereview.attempts": [a.model_dump() for a in attempts],
            "gen_ai.usage.input_tokens": usage.input_tokens,
            "gen_ai.usage.output_tokens": usage.output_tokens,
            "gatereview.cost_usd": usage.cost_usd,
        },
    )


def degradation_event(name: str, reason: str, kind: str) -> AgentEvent:
    """A step that fell back (to the offline reviewer, or to the rule's wording)."""
    return AgentEvent(
        kind="degradation",
        name=name,
        attributes={"gatereview.degraded_reason": reason, "error.type": kind},
    )


def retrieval_event(selection: Selection) -> AgentEvent:
    """The sections chosen for a model prompt, what was left out and what was masked."""
    return AgentEvent(
        kind="tool_call",
        name="retrieve_sections",
        attributes={
            "gen_ai.tool.name": "retrieve_sections",
            "gatereview.sections": len(selection.excerpts),
            "gatereview.sections_omitted": selection.omitted,
            "gatereview.estimated_tokens": selection.tokens,
            "gatereview.redactions": selection.redactions,
        },
    )


def verification_event(finding_id: str, criterion: str, kind: str, verified: bool) -> AgentEvent:
    """One quote located (or not) in the documents, and how."""
    return AgentEvent(
        kind="verification",
        name=finding_id,
        attributes={
            "gatereview.criterion": criterion,
            "gatereview.match_kind": kind,
            "gatereview.verified": verified,
        },
    )


def web_search_event(query: str, outcome: WebSearchOutcome) -> AgentEvent:
    """One web search and how it went."""
    return AgentEvent(
        kind="tool_call",
        name="web_search",
        duration_s=outcome.latency_s,
        attributes={
            "gen_ai.tool.name": "web_search",
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
                "gen_ai.tool.name": "retrieve_sections",
                "gatereview.reviewer": "offline",
                "gatereview.criteria": len(review.findings),
                "gatereview.quotes": len(quoted),
            },
        ),
        AgentEvent(
            kind="verification",
            name=review.gate,
            attributes={
                "gatereview.match_kind": "exact",
                "gatereview.verified": all(e.verified for e in quoted),
                "gatereview.quotes": len(quoted),
            },
        ),
    ]
