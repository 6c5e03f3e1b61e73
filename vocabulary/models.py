"""Findings, gate reviews, verdicts and decisions: the typed values every layer exchanges."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from vocabulary.escaping import CONTROL

# Gates are data: a rubric file names one, so a gate is a short lower-case name, not a Literal.
GATE_PATTERN = r"^[a-z][a-z0-9_]{0,30}$"
Gate = Annotated[str, StringConstraints(pattern=GATE_PATTERN)]
# The built-in gates, in the order they are shown.
GATES: tuple[str, ...] = ("data", "risk", "platform", "product", "change")
# What a model or a person can say of a criterion; the offline screen says only `found` (it
# found statements to read, and judged nothing) or `missing`.
JudgedStatus = Literal["met", "partial", "mentioned", "missing", "contradicted"]
FindingStatus = Literal["met", "partial", "mentioned", "found", "missing", "contradicted"]
FINDING_STATUSES: tuple[FindingStatus, ...] = get_args(FindingStatus)
JUDGED_STATUSES: tuple[JudgedStatus, ...] = get_args(JudgedStatus)
# How far a status goes toward addressing its criterion: only these lift a gate off not_ready.
ADDRESSED: frozenset[str] = frozenset({"met", "partial"})
# What lifts a gate off silence: addressed, or found by the screen (never enough for ready).
NOT_SILENT: frozenset[str] = frozenset({"met", "partial", "found"})
Severity = Literal["blocker", "major", "minor", "info"]
GateStatus = Literal["ready", "conditional", "not_ready"]
Overall = Literal["ready", "ready_with_conditions", "not_ready"]
Action = Literal["approve", "reject", "amend"]
RunState = Literal["running", "interrupted", "awaiting_decision", "approved", "rejected"]


def utc_now() -> str:
    """The current time as an ISO 8601 string in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


MAX_REVIEWER = 100


def _reviewer_name(value: str) -> str:
    """A person's name: 1-100 printable characters on one line, trimmed."""
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        raise ValueError("the reviewer's name is empty")
    if len(name) > MAX_REVIEWER:
        raise ValueError(f"the reviewer's name is longer than {MAX_REVIEWER} characters")
    if not name.isprintable() or CONTROL.search(name):
        raise ValueError("the reviewer's name must be printable text on one line")
    return name


def _free_text(value: str) -> str:
    """Text a person typed: line breaks kept, control and bidirectional characters removed."""
    return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


ReviewerName = Annotated[str, AfterValidator(_reviewer_name)]
FreeText = Annotated[str, AfterValidator(_free_text)]


def verdict_sha256(verdict: dict[str, Any]) -> str:
    """The hash of a verdict as checkpointed (canonical JSON), as decisions and traces carry it."""
    canonical = json.dumps(verdict, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Strict(BaseModel):
    """Base for boundary models: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid")


class Evidence(Strict):
    """A verbatim quote from a document at a line range, or an external source from web search."""

    kind: Literal["document", "external"] = Field(
        default="document", description="document: a quote from the reviewed documents"
    )
    path: str | None = Field(default=None, description="Document path the quote comes from")
    line_start: int | None = Field(default=None, description="First line of the quote (1-based)")
    line_end: int | None = Field(default=None, description="Last line of the quote (1-based)")
    quote: str = Field(description="Verbatim text copied from the document")
    verified: bool = Field(default=False, description="Set by verification, never by a model")
    url: str | None = None
    title: str | None = None
    reader_location: str | None = Field(
        default=None,
        description="Set from the document, never by a model: where a person opening the file "
        "finds the quote (path:line; path:page:line for a PDF; path:¶paragraph for a DOCX)",
    )

    @property
    def location(self) -> str:
        """Where a reader finds the quote (see `reader_location`), or the url of a web source."""
        if self.kind == "external":
            return self.url or ""
        if self.reader_location:
            return self.reader_location
        if self.line_start is None:
            return self.path or "(not in the documents)"
        if self.line_end is None or self.line_end == self.line_start:
            return f"{self.path}:{self.line_start}"
        return f"{self.path}:{self.line_start}-{self.line_end}"


class Finding(Strict):
    """One criterion's status in the reviewed documents, with the evidence it rests on."""

    id: str = Field(description="Finding id; the criterion id, e.g. data.owners")
    gate: Gate
    criterion: str = Field(description="Criterion id, e.g. data.owners")
    title: str = ""
    status: FindingStatus
    severity: Severity
    summary: str
    recommendation: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    searched_for: list[str] = Field(
        default_factory=list, description="What was looked for when nothing was found"
    )
    dismissed: bool = False
    amended_by: str | None = None
    amend_reason: str | None = None
    unsupported: str | None = Field(
        default=None, description="Why its verified quotes do not support it (it does not count)"
    )
    support_note: str | None = Field(default=None, description="A change made by the support check")
    disputed: str | None = Field(
        default=None, description="The model and the offline reviewer disagree; a person decides"
    )
    not_applicable: bool = Field(
        default=False, description="A person marked the criterion not applicable (amend_reason)"
    )
    carried: str | None = Field(
        default=None, description="The amendment came from an earlier run: who, when, where"
    )
    recheck: str | None = Field(
        default=None, description="Amended in an earlier run, but the text it rests on changed"
    )
    held: str | None = Field(
        default=None,
        description="A re-review lowered it although the reviewer's comment did not concern it",
    )

    @property
    def document_evidence(self) -> list[Evidence]:
        """Evidence quoted from the reviewed documents (not web results)."""
        return [e for e in self.evidence if e.kind == "document"]

    @property
    def verified(self) -> bool:
        """True when the finding may count toward the verdict: its document quotes all resolve."""
        quotes = self.document_evidence
        if self.status == "missing":
            return all(e.verified for e in quotes)
        return bool(quotes) and all(e.verified for e in quotes)


class Usage(Strict):
    """Tokens, cost and latency of the model calls behind one gate or one review."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0
    latency_s: float = 0.0

    def plus(self, other: Usage) -> Usage:
        """The sum of two usages; cost is unknown if either is unknown."""
        cost = (
            None
            if self.cost_usd is None or other.cost_usd is None
            else (self.cost_usd + other.cost_usd)
        )
        return Usage(
            calls=self.calls + other.calls,
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cost_usd=cost,
            latency_s=round(self.latency_s + other.latency_s, 4),
        )


class GateJudgement(Strict):
    """A model's own status for a whole gate; the rule lets it lower a gate, never raise one."""

    status: GateStatus
    reason: str = ""


class GateReview(Strict):
    """What one gate agent returned: its findings, who produced them, and whether it degraded."""

    gate: Gate
    reviewer: str = Field(description="offline, or the model string that produced the findings")
    findings: list[Finding]
    judgement: GateJudgement | None = Field(
        default=None, description="The model's gate-level status, when a model reviewed the gate"
    )
    degraded: bool = False
    degraded_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)
    external: list[Evidence] = Field(default_factory=list)
    basis: str | None = Field(
        default=None, description="Digest of model, rubric and retrieved sections (graphs.reuse)"
    )
    reused_from: str | None = Field(
        default=None, description="The earlier run this review was reused from, unchanged"
    )


class GateVerdict(Strict):
    """One gate's status under the coordinator's rule, with the conditions that would lift it."""

    status: GateStatus
    reason: str
    conditions: list[str] = Field(default_factory=list)
    lowered_by_judgement: bool = Field(
        default=False, description="The reviewer's gate-level judgement lowered the rule's status"
    )
    degraded: bool = False
    degraded_reason: str | None = None
    screened: bool = Field(
        default=False, description="Only the offline screen read this gate: it cannot certify"
    )


class Verdict(Strict):
    """The readiness verdict: the worst gate decides the overall status."""

    overall: Overall
    gates: dict[Gate, GateVerdict]
    conditions: list[str] = Field(default_factory=list)
    summary: str = ""
    summary_by: str = Field(default="rule", description="rule, or the model that wrote it")
    degraded: bool = False
    screened: bool = Field(default=False, description="Some gate was only screened offline")
    checks: dict[str, str] = Field(default_factory=dict)


# What a person may set a finding to: a judged status (never the screen's `found`), dismissed,
# or not applicable.
AmendStatus = JudgedStatus | Literal["dismissed", "not_applicable"]
AMEND_STATUSES: tuple[str, ...] = (*JUDGED_STATUSES, "dismissed", "not_applicable")


class Amendment(Strict):
    """A reviewer's change to one finding: a new status, dismissal, or not applicable (the
    criterion leaves the rule), with a reason."""

    finding_id: str
    status: AmendStatus
    reason: FreeText = Field(min_length=1)
    reviewer: ReviewerName
    at: str = Field(default_factory=utc_now)
    # Set by the graph, never by the person: what the amendment rests on, so a later review of
    # the project carries it while that text is unchanged (graphs.amendments).
    quotes: list[str] = Field(
        default_factory=list, description="The document text the amended finding quoted"
    )
    text_sha256: str | None = Field(
        default=None, description="Digest of the quotes, or of the criterion's retrieved text"
    )
    carried_from: str | None = Field(
        default=None, description="The run the amendment was made in, when carried to this one"
    )


class Signature(Strict):
    """One gate signed off by a named approver, on the verdict (hash) they saw."""

    gate: Gate
    reviewer: ReviewerName
    at: str
    verdict_sha256: str
    comment: FreeText = ""


class Condition(Strict):
    """A condition to lift: the finding it names, the evidence that would lift it, its owner."""

    id: str = Field(description="The finding id it lifts, or the gate for a gate-level one")
    gate: Gate
    finding_id: str | None = None
    title: str = ""
    severity: Severity = Field(description="The rubric's severity of the criterion")
    status: str | None = Field(default=None, description="The finding's status")
    text: str = Field(description="The condition as the verdict states it")
    evidence_needed: str = Field(description="What evidence would lift it")
    evidence_from: Literal["model", "rubric", "judgement", "reviewer"] = "rubric"
    owner: str | None = None
    due: str | None = Field(default=None, description="ISO date (YYYY-MM-DD)")
    assigned_by: str | None = None
    assigned_at: str | None = None


class Decision(Strict):
    """A named person's decision on a review awaiting one."""

    action: Action
    reviewer: ReviewerName
    comment: FreeText = ""
    gates: list[Gate] = Field(
        default_factory=list,
        description="reject: gates to review again; approve: the gates signed (all when empty)",
    )
    amendment: Amendment | None = None
    verdict_sha256: str | None = Field(
        default=None, description="Hash of the verdict the decision was taken on"
    )
    at: str = Field(default_factory=utc_now)
