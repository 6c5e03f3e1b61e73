"""Conditions people can act on: each names the finding it lifts, the evidence that would lift
it, an owner and a due date; risk-ranked (blockers first); as CSV and as GitHub issue bodies.

The evidence needed is the model's own words where a model reviewed the gate and wrote a
recommendation for the finding, the reviewer's where a person amended it, else the rubric's
good evidence for the criterion. A gate-level condition (a model's judgement of the whole gate)
keeps its text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from agents.rubric import Rubric
from vocabulary.models import Condition, Finding, GateReview, Verdict

SEVERITY_RANK = {"blocker": 0, "major": 1, "minor": 2, "info": 3}
STATUS_RANK = {
    "contradicted": 0, "missing": 1, "mentioned": 2, "found": 2, "partial": 3, "met": 4,
}  # fmt: skip
GATE_RANK = {"not_ready": 0, "conditional": 1, "ready": 2}
CSV_COLUMNS = (
    "rank", "id", "gate", "severity", "status", "title", "condition", "evidence_needed",
    "evidence_from", "owner", "due",
)  # fmt: skip


def _evidence(
    finding: Finding | None, review: GateReview | None, rubric: Rubric, cid: str
) -> tuple[str, str]:
    if finding is not None and finding.amended_by and finding.recommendation:
        return finding.recommendation, "reviewer"
    by_model = review is not None and review.reviewer != "offline" and not review.degraded
    if finding is not None and by_model and finding.recommendation:
        return finding.recommendation, "model"
    return rubric.criterion(cid).good_evidence, "rubric"


def _one(
    text: str,
    gate: str,
    rubric: Rubric,
    findings: Mapping[str, Finding],
    review: GateReview | None,
) -> Condition:
    cid, _, rest = text.partition(": ")
    known = {c.id: c for c in rubric.criteria}
    if cid not in known:  # a gate-level condition: the model's judgement of the whole gate
        return Condition(
            id=gate, gate=gate, severity="major", text=text, evidence_needed=rest or text,
            evidence_from="judgement",
        )  # fmt: skip
    finding = findings.get(cid)
    needed, source = _evidence(finding, review, rubric, cid)
    return Condition(
        id=cid, gate=gate, finding_id=cid, title=known[cid].title,
        severity=known[cid].severity, status=finding.status if finding else "missing",
        text=text, evidence_needed=needed, evidence_from=source,
    )  # fmt: skip


def build_conditions(
    verdict: Verdict | None,
    findings: list[Finding],
    rubrics: Mapping[str, Rubric],
    reviews: Mapping[str, GateReview],
    assignments: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Condition]:
    """The verdict's conditions, structured, with their owners, blockers first."""
    if verdict is None:
        return []
    by_id = {f.id: f for f in findings}
    conditions = [
        _one(text, gate, rubrics[gate], by_id, reviews.get(gate))
        for gate, gv in verdict.gates.items()
        if gate in rubrics
        for text in gv.conditions
    ]
    order = list(verdict.gates)

    def rank(c: Condition) -> tuple[int, int, int, int]:
        return (
            SEVERITY_RANK[c.severity],
            GATE_RANK[verdict.gates[c.gate].status],
            STATUS_RANK.get(c.status or "", 5),
            order.index(c.gate),
        )

    return with_owners(sorted(conditions, key=rank), assignments or {})


def with_owners(
    conditions: list[Condition], given: Mapping[str, Mapping[str, Any]]
) -> list[Condition]:
    """The conditions with the owners and due dates people set (graphs.assignments)."""
    return [
        c.model_copy(
            update={
                "owner": given[c.id].get("owner"),
                "due": given[c.id].get("due"),
                "assigned_by": given[c.id].get("by"),
                "assigned_at": given[c.id].get("at"),
            }
        )
        if c.id in given
        else c
        for c in conditions
    ]


def conditions_csv(conditions: list[Condition]) -> str:
    """The conditions as CSV, one row each in rank order (a spreadsheet or tracker import)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rank, c in enumerate(conditions, 1):
        writer.writerow(
            [
                rank, c.id, c.gate, c.severity, c.status or "", _cell(c.title), _cell(c.text),
                _cell(c.evidence_needed), c.evidence_from, _cell(c.owner or ""), c.due or "",
            ]
        )  # fmt: skip
    return buffer.getvalue()


def _cell(text: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    flat = " ".join(text.split())
    return f"'{flat}" if flat[:1] in ("=", "+", "-", "@") else flat


def _issue_text(text: str) -> str:
    """Text inside an issue body: one paragraph, no HTML and no mentions or markup."""
    from exports.github import inline

    return inline(text)  # mentions and bare links are neutralised there


def issue_bodies(conditions: list[Condition], run_id: str, project: str | None) -> str:
    """The conditions as GitHub issues (a JSON list of title, body and labels), rank order;
    `gh issue create --title ... --body ...` takes each one."""
    issues = []
    for rank, c in enumerate(conditions, 1):
        lines = [
            f"**Condition {rank} of {len(conditions)}** from gatereview run `{run_id}`"
            + (f" (project {_issue_text(project)})" if project else ""),
            "",
            f"- Finding: `{c.finding_id}` ({c.status})" if c.finding_id else "- Gate-level",
            f"- Gate: {c.gate}, severity {c.severity}",
            f"- Owner: {_issue_text(c.owner) if c.owner else 'not set'}",
            f"- Due: {c.due or 'not set'}",
            "",
            "### What would lift it",
            "",
            _issue_text(c.evidence_needed),
            "",
            f"<sub>Evidence wording from the {c.evidence_from}. Condition as stated: "
            f"{_issue_text(c.text)}</sub>",
        ]
        title = f"[{c.severity}] {c.id}: {' '.join((c.title or c.text).split())}"[:200]
        labels = ["gatereview", f"gate:{c.gate}", f"severity:{c.severity}"]
        issues.append({"title": title, "body": "\n".join(lines) + "\n", "labels": labels})
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
