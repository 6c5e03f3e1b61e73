"""The finding raised when documents address their reviewers instead of their readers."""

from __future__ import annotations

from agents.models import Finding
from tools.injection import ReviewerInstruction

CRITERION = "risk.reviewer_instructions"
MAX_EVIDENCE = 3


def instruction_finding(hits: list[ReviewerInstruction]) -> Finding | None:
    """A risk finding quoting the instructions; outside the rubric, so it cannot move a status."""
    if not hits:
        return None
    patterns = ", ".join(sorted({h.pattern.replace("_", " ") for h in hits}))
    first = hits[0]
    return Finding(
        id=CRITERION,
        gate="risk",
        criterion=CRITERION,
        title="Text aimed at the reviewers",
        status="contradicted",
        severity="major",
        summary=(
            f"The documents contain {len(hits)} passage(s) addressed to their reviewers rather "
            f"than their readers ({patterns}; first in the {first.place} at {first.location}). "
            "Those lines were withheld from every reviewer and were not taken as evidence; "
            "the verdict rests on the rest of the documents."
        ),
        recommendation=(
            "Remove text that instructs reviewers or imitates review output (findings, "
            "verdicts, decisions), including HTML comments and code blocks, and resubmit."
        ),
        evidence=[h.as_evidence() for h in hits[:MAX_EVIDENCE]],
    )
