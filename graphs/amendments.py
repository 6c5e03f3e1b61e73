"""Amendments that last: an earlier run's amendments carried to a later review of the project.

When a person amends a finding, the graph records what the amendment rests on: the document
text the finding quoted, or (a finding with nothing to quote) a digest of the sections retrieved
for its criterion. A later review of the same project carries the amendment while that text is
unchanged (every quote still in the documents; the same retrieved text), shown as carried with
who and when; when it changed, the finding is marked to be checked again, and the new review's
finding stands.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from agents.amendments import decided
from agents.rubric import Criterion, Rubric
from agents.rubric_set import rubric_set_of
from graphs.context import ReviewContext
from graphs.state import ReviewState
from tools.documents import Document
from tools.evidence import normalise
from tools.retrieval import SectionIndex
from traces import attributes as attr
from vocabulary.models import Amendment, Finding, GateReview

RETRIEVED = 3  # sections a criterion's retrieved text is made of


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def retrieved_digest(criterion: Criterion, index: SectionIndex) -> str:
    """A digest of the sections retrieved for a criterion: their headings and text."""
    hits = index.search(criterion.terms, k=RETRIEVED)
    return _digest([f"{' / '.join(h.section.heading_path)}\n{h.section.text}" for h in hits])


def _criterion(rubrics: Mapping[str, Rubric], finding_id: str) -> Criterion | None:
    rubric = rubrics.get(finding_id.split(".", 1)[0])
    if rubric is None:
        return None
    return next((c for c in rubric.criteria if c.id == finding_id), None)


def anchored(
    amendment: Amendment,
    finding: Finding | None,
    index: SectionIndex,
    rubrics: Mapping[str, Rubric],
) -> Amendment:
    """The amendment with what it rests on: the finding's verified quotes, else the digest of
    its criterion's retrieved text (nothing, for a finding outside the rubrics)."""
    quotes = [e.quote for e in (finding.document_evidence if finding else []) if e.verified]
    if quotes:
        digest = _digest([normalise(q)[0] for q in quotes])
        return amendment.model_copy(update={"quotes": quotes, "text_sha256": digest})
    criterion = _criterion(rubrics, amendment.finding_id)
    if criterion is None:
        return amendment
    return amendment.model_copy(update={"text_sha256": retrieved_digest(criterion, index)})


def _unchanged(
    amendment: Amendment, criterion: Criterion, texts: list[str], index: SectionIndex
) -> bool:
    """Every quote still in a document (whitespace and case aside), or the same retrieved text."""
    if amendment.quotes:
        quotes = [normalise(q)[0] for q in amendment.quotes]
        return all(any(q in text for text in texts) for q in quotes)
    return retrieved_digest(criterion, index) == amendment.text_sha256


def carry_amendments(
    prior: Mapping[str, Amendment],
    since: str,
    documents: list[Document],
    index: SectionIndex,
    rubrics: Mapping[str, Rubric],
) -> tuple[dict[str, Amendment], dict[str, str]]:
    """The earlier run's amendments this run carries, and a note for each one it does not
    because the text it rested on changed ("check again")."""
    texts = [normalise("\n".join(d.lines))[0] for d in documents]
    carried: dict[str, Amendment] = {}
    rechecks: dict[str, str] = {}
    for finding_id, amendment in prior.items():
        criterion = _criterion(rubrics, finding_id)
        if criterion is None:
            continue  # not a rubric criterion of this run (a note found again in each run)
        origin = amendment.carried_from or since
        if amendment.text_sha256 is not None and _unchanged(amendment, criterion, texts, index):
            carried[finding_id] = amendment.model_copy(update={"carried_from": origin})
            continue
        rechecks[finding_id] = (
            f"amended before, text changed: check again ({amendment.reviewer} "
            f"{decided(amendment)} at {amendment.at} in run {origin}: {amendment.reason})"
        )
    return carried, rechecks


def carried_update(
    prior: Mapping[str, dict],
    since: str,
    documents: list[Document],
    index: SectionIndex,
    rubrics: Mapping[str, Rubric],
) -> dict[str, object]:
    """The state update a new run starts with: the carried amendments and the rechecks."""
    amendments = {k: Amendment.model_validate(v) for k, v in prior.items()}
    carried, rechecks = carry_amendments(amendments, since, documents, index, rubrics)
    return {
        "amendments": {k: a.model_dump() for k, a in carried.items()},
        "rechecks": rechecks,
    }


def anchored_update(
    raw: Mapping[str, dict],
    findings: Mapping[str, Finding],
    index: SectionIndex,
    rubrics: Mapping[str, Rubric],
) -> dict[str, dict]:
    """Amendments made in this run, anchored to the text they rest on (the others unchanged)."""
    fresh = {k: Amendment.model_validate(v) for k, v in raw.items() if not v.get("text_sha256")}
    done = {k: anchored(a, findings.get(k), index, rubrics) for k, a in fresh.items()}
    return {k: a.model_dump() for k, a in done.items() if a.text_sha256}


def carry_in(
    state: ReviewState,
    documents: list[Document],
    instructions: list[dict[str, Any]],
    ctx: ReviewContext,
    span: str | None,
) -> dict[str, Any]:
    """The earlier run's amendments carried where their text is unchanged (graphs.amendments)."""
    cleaned, index = ctx.documents.prepare([d.model_dump() for d in documents], instructions)
    rubrics = rubric_set_of(state).rubrics
    update = carried_update(
        state.get("prior_amendments") or {}, state.get("since") or "", cleaned, index, rubrics
    )
    if ctx.recorder is not None:
        ctx.recorder.record(
            "tool_call",
            "carry_amendments",
            span,
            {
                attr.TOOL_NAME: "carry_amendments",
                "gatereview.carried": sorted(update["amendments"]),
                "gatereview.rechecks": sorted(update["rechecks"]),
                "gatereview.reused_from": state.get("since"),
            },
        )
    return update


def anchor_new(
    state: ReviewState, reviews: dict[str, GateReview], ctx: ReviewContext
) -> dict[str, Any]:
    """This run's new amendments with the text they rest on, so a later review can carry them."""
    raw = state.get("amendments") or {}
    if all(v.get("text_sha256") for v in raw.values()):
        return {}
    _, index = ctx.documents.prepare(state["documents"], state.get("instructions", []))
    findings = {f.id: f for r in reviews.values() for f in r.findings}
    return anchored_update(raw, findings, index, rubric_set_of(state).rubrics)
