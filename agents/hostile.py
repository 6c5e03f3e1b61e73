"""Findings raised when documents address their reviewers or hide text from their readers.

Both are risk findings outside the rubric: reported, never weighed by the coordinator's rule.
Hidden text (`Document.hidden`) is never evidence; it is reported when it is aimed at the
reviewers, or when it reads as a commitment, i.e. the offline reviewer, given that text alone,
would rate some criterion met or partly met on it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Literal

from pydantic import Field

from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from guard import MAX_QUOTE, ReviewerInstruction
from tools.documents import Document
from tools.sections import split_sections
from vocabulary.models import NOT_SILENT, Evidence, Finding, Strict

CRITERION = "risk.reviewer_instructions"
HIDDEN_CRITERION = "risk.hidden_text"
MAX_EVIDENCE = 3
MIN_WORDS = 4  # "<!-- toc -->" and the like hold no commitment
_MARKUP = re.compile(r"<!--|-->|<[^>\n]{0,200}>|^\s*\[[^\]\n]*\]:\s*(?:#|<>)\s*", re.MULTILINE)


class HiddenConcern(Strict):
    """A passage a reader does not see that is aimed at the reviewers or reads as a commitment."""

    evidence: Evidence = Field(description="The hidden text, verbatim, where it sits in the file")
    why: str = Field(description="How it is hidden: html comment, hidden run, white text, ...")
    concern: Literal["reviewer-aimed", "commitment"]
    criteria: list[str] = Field(default_factory=list, description="What it would have lifted")


def _risk_finding(
    criterion: str, title: str, summary: str, recommendation: str, evidence: list[Evidence]
) -> Finding:
    """A contradicted, major risk finding outside the rubric (reported, never weighed)."""
    return Finding(
        id=criterion,
        gate="risk",
        criterion=criterion,
        title=title,
        status="contradicted",
        severity="major",
        summary=summary,
        recommendation=recommendation,
        evidence=evidence[:MAX_EVIDENCE],
    )


def instruction_finding(hits: list[ReviewerInstruction]) -> Finding | None:
    """A risk finding quoting the instructions; outside the rubric, so it cannot move a status."""
    if not hits:
        return None
    patterns = ", ".join(sorted({h.pattern.replace("_", " ") for h in hits}))
    first = hits[0]
    hidden = sum(h.hidden for h in hits)
    unseen = f"; {hidden} of them in text a reader does not see" if hidden else ""
    return _risk_finding(
        CRITERION,
        "Text aimed at the reviewers",
        f"The documents contain {len(hits)} passage(s) addressed to their reviewers rather "
        f"than their readers ({patterns}; first in the {first.place} at {first.location}"
        f"{unseen}). Those lines were withheld from every reviewer and were not taken as "
        "evidence; the verdict rests on the rest of the documents.",
        "Remove text that instructs reviewers or imitates review output (findings, "
        "verdicts, decisions), including HTML comments and code blocks, and resubmit.",
        [h.as_evidence() for h in hits[:MAX_EVIDENCE]],
    )


def _commitments(document: Document) -> dict[int, set[str]]:
    """Per hidden passage (by index), the criteria the offline reviewer would lift on it."""
    lines: list[str] = []
    owner: list[int] = []
    for number, hidden in enumerate(document.hidden):
        text = _MARKUP.sub(" ", hidden.text).strip()
        if len(text.split()) < MIN_WORDS:
            continue
        for line in [*text.split("\n"), ""]:
            lines.append(line)
            owner.append(number)
    if not lines:
        return {}
    path = f"{document.path} (hidden text)"
    alone = Document(
        path=path, kind="text", sha256=document.sha256, lines=lines,
        sections=split_sections(path, lines, [], []),
    )  # fmt: skip
    lifted: dict[int, set[str]] = {}
    for rubric in load_rubrics().values():
        for finding in review_gate_offline(rubric, [alone]).findings:
            if finding.status not in NOT_SILENT:
                continue
            for evidence in finding.document_evidence:
                if evidence.line_start is not None:
                    lifted.setdefault(owner[evidence.line_start - 1], set()).add(finding.criterion)
    return lifted


def hidden_concerns(
    documents: list[Document], hits: list[ReviewerInstruction]
) -> list[HiddenConcern]:
    """Hidden passages aimed at the reviewers (from the detector's hits) or reading as
    commitments, in document order."""
    concerns = [
        HiddenConcern(evidence=h.as_evidence(), why=h.place, concern="reviewer-aimed")
        for h in hits
        if h.hidden
    ]
    aimed = {(c.evidence.path, c.evidence.quote) for c in concerns}
    for document in documents:
        for number, criteria in sorted(_commitments(document).items()):
            hidden = document.hidden[number]
            quote = hidden.text.strip()[:MAX_QUOTE].rstrip()
            if (document.path, quote) in aimed:
                continue
            evidence = Evidence(
                path=document.path, line_start=hidden.line_start or None,
                line_end=hidden.line_end or None, quote=quote, verified=True,
                reader_location=hidden.location,
            )  # fmt: skip
            concerns.append(
                HiddenConcern(
                    evidence=evidence, why=hidden.why, concern="commitment",
                    criteria=sorted(criteria),
                )
            )
    return concerns


def hidden_finding(concerns: list[HiddenConcern]) -> Finding | None:
    """A risk finding quoting hidden text that would otherwise mislead; outside the rubric."""
    if not concerns:
        return None
    kinds = ", ".join(f"{n} {why}" for why, n in Counter(c.why for c in concerns).most_common())
    aimed = sum(c.concern == "reviewer-aimed" for c in concerns)
    criteria = sorted({cid for c in concerns for cid in c.criteria})
    parts = [f"{aimed} aimed at the reviewers"] if aimed else []
    if criteria:
        parts.append(f"{len(concerns) - aimed} reading as commitments on {', '.join(criteria)}")
    return _risk_finding(
        HIDDEN_CRITERION,
        "Text a reader does not see",
        f"The documents hold {len(concerns)} passage(s) that a reader of the file does not "
        f"see ({kinds}; first at {concerns[0].evidence.location}): {'; '.join(parts)}. Hidden "
        "text is never evidence and was not sent to any reviewer; the verdict rests on the "
        "visible text alone.",
        "State commitments in visible text (or remove them), and remove hidden text aimed at "
        "reviewers; then resubmit.",
        [c.evidence for c in concerns],
    )
