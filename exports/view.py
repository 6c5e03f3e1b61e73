"""The run view: one typed picture of a run, shared by `--json`, `show` and the report."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from agents.amendments import apply_amendments, mark_rechecks
from agents.rubric_set import rubric_set_of
from exports.conditions import build_conditions
from exports.coverage import FrameworkCoverage, framework_coverage
from exports.signatures import unsigned_gates, valid_signatures
from tools.evidence import groundedness
from tools.origins import Origin
from vocabulary.models import GATES as BUILTIN_GATES
from vocabulary.models import (
    Amendment,
    Condition,
    Decision,
    Finding,
    GateJudgement,
    GateReview,
    RunState,
    Signature,
    Strict,
    Usage,
    Verdict,
)


class DocumentInfo(Strict):
    """A reviewed document's lineage."""

    path: str
    kind: str
    sha256: str
    sections: int
    lines: int
    origin: Origin | None = Field(
        default=None, description="The commit or wiki page it was read from, if not a file"
    )


class GateInfo(Strict):
    """A gate's reviewer, degradation and usage."""

    reviewer: str
    degraded: bool = False
    degraded_reason: str | None = None
    judgement: GateJudgement | None = None
    usage: Usage = Field(default_factory=Usage)
    reused_from: str | None = Field(
        default=None, description="The earlier run whose review of this gate was reused"
    )


class RubricSetInfo(Strict):
    """Which rubrics a run was reviewed against: the set's digest, where it came from, gates."""

    digest: str
    source: str
    gates: list[str]


class RunView(Strict):
    """Everything a person or a script needs to know about one run."""

    run_id: str
    state: RunState
    created_at: str | None = None
    project: str | None = Field(default=None, description="Runs of one project are linked")
    owner: str | None = Field(default=None, description="The project owner a manifest names")
    documents: list[DocumentInfo] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    verdict: Verdict | None = None
    rubrics: RubricSetInfo | None = None
    frameworks: list[FrameworkCoverage] = Field(
        default_factory=list, description="Findings per clause of each framework"
    )
    gates: dict[str, GateInfo] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    groundedness: float | None = Field(
        default=None, description="Verified document evidence / all document evidence"
    )
    decisions: list[Decision] = Field(default_factory=list)
    conditions: list[Condition] = Field(
        default_factory=list, description="The verdict's conditions, risk-ranked (blockers first)"
    )
    approvers: dict[str, list[str]] = Field(
        default_factory=dict, description="Named approvers per gate (none: anyone signs)"
    )
    signatures: list[Signature] = Field(
        default_factory=list, description="Gates signed on the verdict as it stands"
    )
    unsigned: list[str] = Field(
        default_factory=list, description="Required gates not yet signed on this verdict"
    )
    report: dict[str, str] = Field(default_factory=dict)
    warnings: list[str] = Field(
        default_factory=list, description="What went wrong around the run (a damaged trace)"
    )

    @property
    def gate_names(self) -> tuple[str, ...]:
        """The run's gates in review order (the built-in five for runs older than rubric sets)."""
        return tuple(self.rubrics.gates) if self.rubrics is not None else BUILTIN_GATES


def build_view(run_id: str, state: RunState, values: dict[str, Any]) -> RunView:
    """The view of a run from its checkpointed state values."""
    amendments = {k: Amendment.model_validate(v) for k, v in values.get("amendments", {}).items()}
    reviews = {g: GateReview.model_validate(r) for g, r in values.get("reviews", {}).items()}
    findings: list[Finding] = []
    gates: dict[str, GateInfo] = {}
    total = Usage()
    rubrics = rubric_set_of(values)
    for gate in rubrics.gates:
        if gate not in reviews:
            continue
        review = reviews[gate]
        findings.extend(apply_amendments(review.findings, amendments))
        gates[gate] = GateInfo(
            reviewer=review.reviewer,
            degraded=review.degraded,
            degraded_reason=review.degraded_reason,
            judgement=review.judgement,
            usage=review.usage,
            reused_from=review.reused_from,
        )
        total = total.plus(review.usage)
    rechecks = {k: v for k, v in (values.get("rechecks") or {}).items() if k not in amendments}
    findings = mark_rechecks(findings, rechecks)
    documents = [
        DocumentInfo(
            path=d["path"],
            kind=d["kind"],
            sha256=d["sha256"],
            sections=len(d["sections"]),
            lines=len(d["lines"]),
            origin=d.get("origin"),
        )
        for d in values.get("documents", [])
    ]
    if values.get("summary_usage"):
        total = total.plus(Usage.model_validate(values["summary_usage"]))
    verdict = Verdict.model_validate(values["verdict"]) if values.get("verdict") else None
    return RunView(
        run_id=run_id,
        state=state,
        created_at=values.get("created_at"),
        project=values.get("project"),
        owner=values.get("owner"),
        documents=documents,
        notes=values.get("ingest_notes", []),
        verdict=verdict,
        rubrics=RubricSetInfo(
            digest=rubrics.digest, source=rubrics.source, gates=list(rubrics.gates)
        ),
        frameworks=framework_coverage(findings, rubrics),
        gates=gates,
        findings=findings,
        usage=total,
        groundedness=groundedness(findings),
        decisions=[Decision.model_validate(d) for d in values.get("decisions", [])],
        conditions=build_conditions(verdict, findings, rubrics.rubrics, reviews),
        approvers=values.get("approvers") or {},
        signatures=list(valid_signatures(values).values()),
        unsigned=unsigned_gates(values) if verdict is not None else [],
        report=values.get("report", {}),
    )
