"""A re-review guided by a reviewer's comment (`reject --gate`) may lower only what the comment
concerns.

A comment concerns a finding when it names the criterion (its id, its slug or its title), or a
section the finding's evidence is in (by heading text, or by number: "section 6", "§6", "sections
1 and 6"). A finding the re-review would lower (a worse status, or counted before and not now)
that the comment does not concern keeps its earlier status and evidence, marked `held` with what
the re-review found and why it was held, so a person can amend it if the lower status is right.
A comment cannot raise anything by this guard: it only keeps the re-review from quietly
undoing what it was not asked about.
"""

from __future__ import annotations

import re

from agents.coordinator import counts_toward_verdict
from agents.rubric import Criterion, Rubric
from agents.rubric_set import rubric_set_of
from graphs.context import ReviewContext
from graphs.state import ReviewState
from tools.documents import Document
from traces import attributes as attr
from vocabulary.models import Finding, GateReview

STATUS_RANK = {
    "contradicted": 0, "missing": 1, "mentioned": 2, "found": 2, "partial": 3, "met": 4,
}  # fmt: skip
_SECTION_REFERENCE = re.compile(
    r"(?:\bsections?|§)\s*(\d+(?:\.\d+)*(?:\s*(?:,|and|&|or|to)\s*(?:§\s*)?\d+(?:\.\d+)*)*)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_HEADING_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)*)[.)]?\s")
MIN_HEADING = 4  # shorter headings ("Q&A") would match comments by accident


def section_numbers(comment: str) -> set[str]:
    """The section numbers a comment refers to ("sections 1 and 6" -> {"1", "6"})."""
    return {n for m in _SECTION_REFERENCE.finditer(comment) for n in _NUMBER.findall(m.group(1))}


def _headings(finding: Finding, documents: list[Document]) -> list[str]:
    """The headings above every quote of the finding."""
    by_path = {d.path: d for d in documents}
    found: list[str] = []
    for e in finding.document_evidence:
        document = by_path.get(e.path or "")
        if document is None or e.line_start is None:
            continue
        for section in document.sections:
            if section.line_start <= e.line_start <= section.line_end:
                found.extend(section.heading_path)
    return found


def _names_section(comment: str, numbers: set[str], heading: str) -> bool:
    numbered = _HEADING_NUMBER.match(heading)
    if numbered and any(
        numbered.group(1) == n or numbered.group(1).startswith(f"{n}.") for n in numbers
    ):
        return True
    text = " ".join(heading.split()).casefold()
    return len(text) >= MIN_HEADING and text in comment


def concerns(
    comment: str, criterion: Criterion, findings: list[Finding], documents: list[Document]
) -> bool:
    """Whether the comment is about this criterion or a section its findings quote."""
    flat = " ".join(comment.split()).casefold()
    slug = criterion.id.split(".", 1)[1]
    names = (criterion.id, slug, slug.replace("_", " "), criterion.title.casefold())
    if any(name.casefold() in flat for name in names if name):
        return True
    numbers = section_numbers(comment)
    headings = [h for f in findings for h in _headings(f, documents)]
    return any(_names_section(flat, numbers, h) for h in headings)


def lowered(before: Finding, after: Finding) -> bool:
    """A worse status than before, or counted before and not now."""
    if STATUS_RANK[after.status] < STATUS_RANK[before.status]:
        return True
    return counts_toward_verdict(before) and not counts_toward_verdict(after)


def hold_unconcerned(
    previous: GateReview,
    review: GateReview,
    comment: str,
    rubric: Rubric,
    documents: list[Document],
) -> tuple[GateReview, list[str]]:
    """The re-review with every finding it lowered without being asked kept as it was; and
    the ids of the findings held."""
    before = {f.id: f for f in previous.findings}
    criteria = {c.id: c for c in rubric.criteria}
    findings: list[Finding] = []
    held: list[str] = []
    for finding in review.findings:
        old = before.get(finding.id)
        criterion = criteria.get(finding.criterion)
        if (
            old is None
            or criterion is None
            or not lowered(old, finding)
            or concerns(comment, criterion, [old, finding], documents)
        ):
            findings.append(finding)
            continue
        note = (
            f"the re-review found it {finding.status}: {finding.summary} Kept at {old.status}: "
            "the reviewer's comment does not concern this criterion or the sections it quotes "
            "(amend it if the lower status is right)."
        )
        findings.append(old.model_copy(update={"held": note}))
        held.append(finding.id)
    return review.model_copy(update={"findings": findings}), held


def guarded_review(
    state: ReviewState,
    gate: str,
    review: GateReview,
    documents: list[Document],
    ctx: ReviewContext,
    span: str | None,
) -> GateReview:
    """A re-review sent back with a comment lowers only what the comment concerns
    (graphs.guidance); the findings it held are traced."""
    previous = (state.get("reviews") or {}).get(gate)
    comment = (state.get("guidance") or {}).get(gate)
    if previous is None or not comment:
        return review
    rubric = rubric_set_of(state).rubrics[gate]
    earlier = GateReview.model_validate(previous)
    review, held = hold_unconcerned(earlier, review, comment, rubric, documents)
    if held and ctx.recorder is not None:
        ctx.recorder.record(
            "tool_call",
            "hold_unconcerned",
            span,
            {attr.TOOL_NAME: "hold_unconcerned", "gatereview.held": held},
        )
    return review
