"""What a model must return: the JSON schemas of a gate review and of the verdict summary.

Every field is required (providers' strict JSON-schema mode demands it); every text a model
writes is cleaned of control characters as it is parsed (`ModelText`). A quote is the
model's claim until evidence verification has found it in the documents; its location (path
and lines) always comes from that search, so the model is not asked for line numbers.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from agents.prose import plain
from vocabulary.models import GateStatus, JudgedStatus, Strict

# Text a model writes: escape sequences, control characters and bidi overrides are removed.
ModelText = Annotated[str, AfterValidator(plain)]
# Fewer words than this is no summary for a go/no-go meeting (the schema asks for sentences).
MIN_SUMMARY_WORDS = 5


class QuoteClaim(Strict):
    """A quote the model says supports a finding."""

    path: ModelText = Field(
        description="Path of the document the quote comes from, as in its header"
    )
    quote: ModelText = Field(description="Text copied character for character from the excerpt")


class CriterionAnswer(Strict):
    """The model's finding for one criterion."""

    criterion: str = Field(description="Criterion id exactly as given, e.g. data.owners")
    status: JudgedStatus = Field(description="met | partial | mentioned | missing | contradicted")
    summary: ModelText = Field(description="One or two sentences on what the documents say")
    recommendation: ModelText = Field(description="What to add or change; empty when met")
    evidence: list[QuoteClaim] = Field(description="One to three verbatim quotes; none if missing")


class GateAnswer(Strict):
    """The model's review of one gate."""

    findings: list[CriterionAnswer] = Field(description="Exactly one finding per criterion")
    gate_status: GateStatus = Field(
        description="ready | conditional | not_ready: the gate as a careful reviewer would rate it"
    )
    gate_reason: ModelText = Field(description="One sentence: why the gate has that status")
    web_queries: list[ModelText] = Field(description="Up to two web searches for external context")

    def hollow(self) -> str | None:
        """Why this schema-valid answer gives a review nothing to use, or None: no finding at
        all, or findings that rate criteria without one quote between them (a gate whose
        documents are silent is every criterion `missing`, which needs none)."""
        if not self.findings:
            return "findings is empty; give one finding per criterion"
        if any(f.evidence for f in self.findings):
            return None
        if any(f.status != "missing" for f in self.findings) or self.gate_status != "not_ready":
            return (
                "no finding quotes the documents, yet some rate a criterion above "
                "missing; quote the passages each finding rests on"
            )
        return None


class ConditionText(Strict):
    """A condition phrased by the model, tied to a finding id."""

    finding_id: str = Field(description="The id of a finding listed as a condition")
    text: ModelText = Field(description="One imperative sentence: what would lift this condition")


class SummaryAnswer(Strict):
    """The model's executive summary of a verdict it cannot change."""

    summary: ModelText = Field(description="Three to five sentences for a go/no-go meeting")
    conditions: list[ConditionText] = Field(description="One entry per listed finding id")

    def hollow(self) -> str | None:
        """Why this schema-valid summary says nothing, or None."""
        if len(self.summary.split()) < MIN_SUMMARY_WORDS:
            return f"summary has fewer than {MIN_SUMMARY_WORDS} words; write sentences"
        return None
