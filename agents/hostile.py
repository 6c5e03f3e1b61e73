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

from agents.models import ADDRESSED, Evidence, Finding, Strict
from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from tools.documents import Document
from tools.injection import MAX_QUOTE, ReviewerInstruction
from tools.sections import split_sections

CRITERION = "risk.reviewer_instructions"
HIDDEN_CRITERION = "risk.hidden_text"
MAX_EVIDENCE = 3
MIN_WORDS = 4  # "<!-- toc -->" and the like hold no commitment
_MARKUP = re.compile(r"<!--|-->|<[^>\n]{0,200}>|^\s*\[[^\]\n]*\]:\s*(?:#|<>)\s*", re.MULTILINE)


class HiddenConcern(Strict):
    """A passage a reader does not see that is aimed at the reviewers or reads as a commitment."""

    path: str
    location: str = Field(description="Where a person opening the file finds it")
    line_start: int | None = None
    line_end: int | None = None
    quote: str = Field(description="The hidden text, verbatim (at most 200 characters)")
    why: str = Field(description="How it is hidden: html comment, hidden run, white text, ...")
    concern: Literal["reviewer-aimed", "commitment"]
    criteria: list[str] = Field(default_factory=list, description="What it would have lifted")

    def as_evidence(self) -> Evidence:
        """The passage as evidence of the finding (verified: it is in the file as quoted)."""
        return Evidence(
            path=self.path,
            line_start=self.line_start,
            line_end=self.line_end,
            quote=self.quote,
            verified=True,
            reader_location=self.location,
        )


def instruction_finding(hits: list[ReviewerInstruction]) -> Finding | None:
    """A risk finding quoting the instructions; outside the rubric, so it cannot move a status."""
    if not hits:
        return None
    patterns = ", ".join(sorted({h.pattern.replace("_", " ") for h in hits}))
    first = hits[0]
    hidden = sum(h.hidden for h in hits)
    unseen = f"; {hidden} of them in text a reader does not see" if hidden else ""
    return Finding(
        id=CRITERION,
        gate="risk",
        criterion=CRITERION,
        title="Text aimed at the reviewers",
        status="contradicted",
        severity="major",
        summary=(
            f"The documents contain {len(hits)} passage(s) addressed to their reviewers rather "
            f"than their readers ({patterns}; first in the {first.place} at {first.location}"
            f"{unseen}). Those lines were withheld from every reviewer and were not taken as "
            "evidence; the verdict rests on the rest of the documents."
        ),
        recommendation=(
            "Remove text that instructs reviewers or imitates review output (findings, "
            "verdicts, decisions), including HTML comments and code blocks, and resubmit."
        ),
        evidence=[h.as_evidence() for h in hits[:MAX_EVIDENCE]],
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
            if finding.status not in ADDRESSED:
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
        HiddenConcern(
            path=h.path, location=h.location, line_start=h.line_start or None,
            line_end=h.line_end or None, quote=h.quote, why=h.place, concern="reviewer-aimed",
        )
        for h in hits
        if h.hidden
    ]
    aimed = {(c.path, c.quote) for c in concerns}
    for document in documents:
        for number, criteria in sorted(_commitments(document).items()):
            hidden = document.hidden[number]
            quote = hidden.text.strip()[:MAX_QUOTE].rstrip()
            if (document.path, quote) in aimed:
                continue
            concerns.append(
                HiddenConcern(
                    path=document.path, location=hidden.location,
                    line_start=hidden.line_start or None, line_end=hidden.line_end or None,
                    quote=quote, why=hidden.why, concern="commitment", criteria=sorted(criteria),
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
    return Finding(
        id=HIDDEN_CRITERION,
        gate="risk",
        criterion=HIDDEN_CRITERION,
        title="Text a reader does not see",
        status="contradicted",
        severity="major",
        summary=(
            f"The documents hold {len(concerns)} passage(s) that a reader of the file does not "
            f"see ({kinds}; first at {concerns[0].location}): {'; '.join(parts)}. Hidden text "
            "is never evidence and was not sent to any reviewer; the verdict rests on the "
            "visible text alone."
        ),
        recommendation=(
            "State commitments in visible text (or remove them), and remove hidden text "
            "aimed at reviewers; then resubmit."
        ),
        evidence=[c.as_evidence() for c in concerns[:MAX_EVIDENCE]],
    )
