"""The gate agent: one class, driven by a rubric, reviewing documents for one gate.

With no model it is the offline reviewer. With a model it sends the sections each criterion
retrieves (within a context budget, masked when the model is hosted), asks for findings in the
`GateAnswer` schema, verifies every quote against the original documents, sends unlocated
quotes back once, and falls back to the offline reviewer when the model fails.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from agents.answers import CriterionAnswer, GateAnswer
from agents.events import (
    AgentEvent,
    degradation_event,
    failed_call_event,
    llm_event,
    offline_events,
    retrieval_event,
    support_event,
    verification_event,
    web_search_event,
)
from agents.llm import (
    Budget,
    ModelCallError,
    ModelSettings,
    StructuredResult,
    _litellm,
    complete_structured,
)
from agents.offline import review_gate_offline, supplied_text
from agents.prompts import render
from agents.rubric import Criterion, Rubric
from agents.support import check_support, mark_disputes, retrieved_lines
from tools.documents import Document
from tools.evidence import verify_evidence
from tools.excerpts import Selection
from tools.locations import place_evidence, place_findings
from tools.retrieval import SectionIndex
from tools.selection import select_excerpts
from tools.websearch import Searcher, search_web_async
from vocabulary.escaping import PLACEHOLDER
from vocabulary.models import Evidence, Finding, Gate, GateJudgement, GateReview, Usage

WEB_GATES = ("risk", "platform")
MAX_WEB_QUERIES = 2
MAX_QUOTES = 3
SUPPORT_SECTIONS = 4  # sections retrieved per criterion whose lines count as about it
T = TypeVar("T", bound=BaseModel)


@dataclass
class GateOutcome:
    """A gate review and the events behind it."""

    review: GateReview
    events: list[AgentEvent] = field(default_factory=list)


@dataclass
class Preflight:
    """A new review's first calls stand in for a preflight request: until the model has
    answered once, a fatal error (bad key, unknown model) stops the review instead of
    degrading a gate; after that it degrades the gate, as any other failure does."""

    answered: bool = False


@dataclass(frozen=True)
class ModelRuntime:
    """What a model-backed agent needs, built once per process invocation and shared by gates."""

    settings: ModelSettings
    budget: Budget
    limiter: asyncio.Semaphore
    max_context_tokens: int = 6000
    redact: bool = True
    web: bool = False
    searcher: Searcher | None = None
    preflight: Preflight | None = None  # set for a new review; None: fatal errors degrade
    # Told each call's purpose and usage as it ends (a terminal's live progress); never alters it.
    observer: Callable[[str, Usage], None] | None = None

    async def complete(
        self, messages: list[dict[str, Any]], schema: type[T], purpose: str
    ) -> StructuredResult[T]:
        """One structured model call under this runtime's settings, budget and limiter."""
        try:
            result = await complete_structured(
                self.settings,
                messages,
                schema,
                purpose=purpose,
                budget=self.budget,
                limiter=self.limiter,
            )
        except ModelCallError as exc:
            if self.observer is not None:
                self.observer(purpose, exc.usage or Usage())
            raise
        if self.preflight is not None:
            self.preflight.answered = True
        if self.observer is not None:
            self.observer(purpose, result.usage)
        return result

    def stops(self, exc: ModelCallError) -> bool:
        """Whether this failure stops the review rather than degrading one gate."""
        return exc.fatal and self.preflight is not None and not self.preflight.answered


def _finding(criterion: Criterion, answer: CriterionAnswer | None, gate: Gate) -> Finding:
    if answer is None:
        summary = "The model returned no finding for this criterion."
        return criterion.finding(gate, "missing", summary, criterion.question)
    evidence = [Evidence(path=q.path, quote=q.quote) for q in answer.evidence[:MAX_QUOTES]]
    return criterion.finding(gate, answer.status, answer.summary, answer.recommendation, evidence)


def _answers(answer: GateAnswer) -> dict[str, CriterionAnswer]:
    found: dict[str, CriterionAnswer] = {}
    for item in answer.findings:
        found.setdefault(item.criterion, item)
    return found


def gate_messages(
    rubric: Rubric, selection: Selection, guidance: str | None, *, web: bool
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The system and user messages of a gate review, and the rendered prompts' hashes."""
    system = render("gate_system", gate=rubric.gate, question=rubric.question, web=web)
    user = render(
        "gate_user",
        gate=rubric.gate,
        criteria=rubric.criteria,
        guidance=guidance,
        excerpts=selection.excerpts,
        omitted=selection.omitted,
    )
    messages = [
        {"role": "system", "content": system.text},
        {"role": "user", "content": user.text},
    ]
    return messages, {"system": system.sha256, "user": user.sha256}


def _failed_usage(exc: ModelCallError) -> Usage:
    """A failed call's usage; requests that got no answer still count as calls, with latency."""
    return exc.usage.model_copy(update={"calls": max(exc.usage.calls, len(exc.attempts))})


def unmasked(claim: Evidence) -> Evidence:
    """A quote of masked text is checked by its longest unmasked run (the original holds it)."""
    if PLACEHOLDER.search(claim.quote) is None:
        return claim
    runs = PLACEHOLDER.split(claim.quote)[::2]  # split also returns each kind: skip those
    longest = max(runs, key=len).strip()
    return claim.model_copy(update={"quote": longest}) if len(longest) >= 20 else claim


def _placed(review: GateReview, documents: list[Document]) -> GateReview:
    """Every quote shown where a reader finds it, and only in a document that was loaded."""
    return review.model_copy(update={"findings": place_findings(review.findings, documents)})


class GateAgent:
    """Reviews the documents against one gate's rubric with the configured model."""

    def __init__(self, rubric: Rubric, runtime: ModelRuntime | None = None) -> None:
        self.rubric = rubric
        self.runtime = runtime

    async def review(
        self, documents: list[Document], index: SectionIndex, guidance: str | None = None
    ) -> GateOutcome:
        """Findings for every criterion of the gate; degraded to offline if the model fails."""
        if self.runtime is None:
            review = review_gate_offline(self.rubric, documents, index, guidance)
            review = _placed(review, documents)
            return GateOutcome(review, offline_events(review))
        # litellm's first import blocks (files, the temp folder): off the loop, where a server
        # refuses blocking calls; later calls find it imported.
        await asyncio.to_thread(_litellm)
        try:
            outcome = await self._review_with_model(self.runtime, documents, index, guidance)
        except ModelCallError as exc:
            if self.runtime.stops(exc):
                raise
            outcome = self._degraded(self.runtime, documents, index, guidance, exc)
        return GateOutcome(_placed(outcome.review, documents), outcome.events)

    def _degraded(
        self,
        rt: ModelRuntime,
        documents: list[Document],
        index: SectionIndex,
        guidance: str | None,
        exc: ModelCallError,
    ) -> GateOutcome:
        review = review_gate_offline(self.rubric, documents, index, guidance)
        reason = f"{exc.kind}: {exc}"
        event = degradation_event(self.rubric.gate, reason, exc.kind)
        usage = _failed_usage(exc)
        events = [event]
        if exc.attempts:
            events.insert(
                0,
                failed_call_event(
                    rt.settings.model, self.rubric.gate, exc.attempts, usage, exc.kind
                ),
            )
        return GateOutcome(
            review.model_copy(update={"degraded": True, "degraded_reason": reason, "usage": usage}),
            events,
        )

    async def _review_with_model(
        self,
        rt: ModelRuntime,
        documents: list[Document],
        index: SectionIndex,
        guidance: str | None,
    ) -> GateOutcome:
        gate, events = self.rubric.gate, []
        selection = select_excerpts(
            documents,
            index,
            [c.terms for c in self.rubric.criteria],
            rt.max_context_tokens,
            redact=rt.redact,
        )
        events.append(retrieval_event(selection))
        messages, prompts = gate_messages(
            self.rubric, selection, guidance, web=rt.web and gate in WEB_GATES
        )
        result = await rt.complete(messages, GateAnswer, f"review {gate}")
        events.append(llm_event(result, messages, gate, prompts))
        usage = result.usage
        answers = _answers(result.parsed)
        findings = [_finding(c, answers.get(c.id), gate) for c in self.rubric.criteria]
        findings = [self._verify(f, documents, events) for f in findings]
        findings, extra = await self._repair(rt, findings, messages, result, documents, events)
        usage = usage.plus(extra)
        external = await self._search(rt, result.parsed.web_queries, events)
        judgement = GateJudgement(
            status=result.parsed.gate_status, reason=" ".join(result.parsed.gate_reason.split())
        )
        review = GateReview(
            gate=gate,
            reviewer=rt.settings.model,
            findings=self._supported(findings, index, documents),
            judgement=judgement,
            usage=usage,
            external=external,
        )
        offline = review_gate_offline(self.rubric, documents, index, guidance)
        review = mark_disputes(review, offline, self.rubric)
        events.append(support_event(gate, review.findings))
        return GateOutcome(review, events)

    def _supported(
        self, findings: list[Finding], index: SectionIndex, documents: list[Document]
    ) -> list[Finding]:
        """Each finding with the support of its verified quotes judged (agents.support)."""
        supplied = supplied_text(documents)
        uses = Counter(
            " ".join(e.quote.split())
            for f in findings
            for e in {x.quote: x for x in f.document_evidence if x.verified}.values()
        )
        shared = frozenset(q for q, n in uses.items() if n > 1)
        return [
            check_support(
                finding,
                self.rubric.criterion(finding.criterion),
                index,
                retrieved_lines(self.rubric.criterion(finding.criterion), index, SUPPORT_SECTIONS),
                supplied,
                shared,
            )
            for finding in findings
        ]

    def _verify(
        self, finding: Finding, documents: list[Document], events: list[AgentEvent]
    ) -> Finding:
        checked = []
        for claim in finding.evidence:
            evidence, kind = verify_evidence(unmasked(claim), documents)
            evidence = place_evidence(evidence, documents)
            checked.append(evidence)
            events.append(
                verification_event(
                    finding.id, finding.criterion, kind, evidence.verified, evidence.location
                )
            )
        return finding.model_copy(update={"evidence": checked})

    async def _repair(
        self,
        rt: ModelRuntime,
        findings: list[Finding],
        messages: list[dict[str, Any]],
        first: StructuredResult[GateAnswer],
        documents: list[Document],
        events: list[AgentEvent],
    ) -> tuple[list[Finding], Usage]:
        """Send unlocated quotes back once; what still fails stays unverified.

        If the repair call itself fails (timeout, budget), the first answer is kept as it is,
        its unlocated quotes unverified: it was paid for, and the rest of it was grounded.
        """
        failing = [f for f in findings if any(not e.verified for e in f.document_evidence)]
        if not failing:
            return findings, Usage()
        failures = [
            {"criterion": f.criterion, "quote": e.quote}
            for f in failing
            for e in f.document_evidence
            if not e.verified
        ]
        ids = [f.criterion for f in failing]
        repair = render("repair_quotes", failures=failures, criteria=ids)
        retry = [
            *messages,
            {"role": "assistant", "content": first.raw},
            {"role": "user", "content": repair.text},
        ]
        try:
            result = await rt.complete(retry, GateAnswer, f"repair {self.rubric.gate}")
        except ModelCallError as exc:
            events.append(
                degradation_event(f"repair {self.rubric.gate}", f"{exc.kind}: {exc}", exc.kind)
            )
            return findings, _failed_usage(exc)
        events.append(llm_event(result, retry, self.rubric.gate, {"repair": repair.sha256}))
        answers = _answers(result.parsed)
        repaired = []
        for finding in findings:
            answer = answers.get(finding.criterion)
            if finding.criterion in ids and answer is not None:
                criterion = self.rubric.criterion(finding.criterion)
                finding = self._verify(
                    _finding(criterion, answer, self.rubric.gate), documents, events
                )
            repaired.append(finding)
        return repaired, result.usage

    async def _search(
        self, rt: ModelRuntime, queries: list[str], events: list[AgentEvent]
    ) -> list[Evidence]:
        if not (rt.web and self.rubric.gate in WEB_GATES):
            return []
        found: list[Evidence] = []
        for query in queries[:MAX_WEB_QUERIES]:
            outcome = await search_web_async(query, searcher=rt.searcher)
            events.append(web_search_event(query, outcome))
            found.extend(outcome.results)
        return found
