"""Reviewer amendments applied to findings: re-graded, dismissed or not applicable, each saying
what the reviewer decided (summary and recommendation), and where an earlier run's came from."""

from __future__ import annotations

from collections.abc import Mapping

from agents.rubric import Rubric
from vocabulary.models import Amendment, Finding


def decided(change: Amendment) -> str:
    """What the reviewer decided, in words: 'graded it met', 'dismissed it', ..."""
    if change.status == "dismissed":
        return "dismissed it"
    if change.status == "not_applicable":
        return "marked it not applicable"
    return f"graded it {change.status}"


def _amended(finding: Finding, change: Amendment) -> Finding:
    words = decided(change)
    update: dict[str, object] = {
        "amended_by": change.reviewer,
        "amend_reason": change.reason,
        "summary": f"{change.reviewer} {words}: {change.reason} "
        f"(the review found it {finding.status}: {finding.summary})",
    }
    if change.status == "dismissed":
        update["dismissed"] = True
    elif change.status == "not_applicable":
        update["not_applicable"] = True
    else:
        update["status"] = change.status
    if change.status in ("met", "dismissed", "not_applicable"):
        update["recommendation"] = f"None: {change.reviewer} {words}."
    elif finding.recommendation:
        update["recommendation"] = (
            f"{change.reviewer} {words}; still open: {finding.recommendation}"
        )
    if change.carried_from:
        update["carried"] = (
            f"carried from run {change.carried_from}: {change.reviewer} {words} at {change.at}"
        )
    return finding.model_copy(update=update)


def apply_amendments(findings: list[Finding], amendments: Mapping[str, Amendment]) -> list[Finding]:
    """Findings with each reviewer amendment applied (re-graded, dismissed, not applicable)."""
    return [_amended(f, amendments[f.id]) if f.id in amendments else f for f in findings]


def mark_rechecks(findings: list[Finding], rechecks: Mapping[str, str]) -> list[Finding]:
    """Findings amended in an earlier run whose text changed, marked to be checked again."""
    return [
        f.model_copy(update={"recheck": rechecks[f.id]}) if f.id in rechecks else f
        for f in findings
    ]


def applicable(rubric: Rubric, findings: list[Finding]) -> tuple[Rubric, list[Finding]]:
    """The rubric and findings without the criteria a person marked not applicable: those
    leave the rule's denominator (they are neither met nor unmet)."""
    gone = {f.criterion for f in findings if f.not_applicable}
    if not gone:
        return rubric, findings
    criteria = [c for c in rubric.criteria if c.id not in gone]
    kept = [f for f in findings if f.criterion not in gone]
    return rubric.model_copy(update={"criteria": criteria}), kept
