"""Incremental re-review: a gate's earlier review is reused when nothing it rests on changed.

A gate review records its basis: the model, the gate's rubric digest and a digest of the
sections retrieved for its criteria (their text, not their line numbers; the offline reviewer's
basis is the documents' whole text). A later review of the
same project reuses a gate whose basis is unchanged, after verifying every quote again against
the new text (lines re-anchored); a quote that is no longer there makes the gate reviewed again.
"""

from __future__ import annotations

import hashlib

from agents.hostile import CRITERION, HIDDEN_CRITERION
from agents.rubric import Rubric
from tools.documents import Document
from tools.evidence import verify_finding
from tools.retrieval import SectionIndex
from tools.selection import select_excerpts
from vocabulary.models import GateReview, Usage


def gate_basis(
    rubric: Rubric,
    documents: list[Document],
    index: SectionIndex,
    model: str,
    max_tokens: int,
    redact: bool,
) -> str:
    """A digest of what a gate review depends on: model, rubric and retrieved sections (for
    the offline reviewer, which reads every line, the whole text)."""
    digest = hashlib.sha256(f"{model}\0{rubric.digest}".encode())
    if model == "offline":  # no retrieval to repeat: cheap on a pathological document too
        for document in documents:
            digest.update(f"\0{document.path}\0".encode() + "\n".join(document.lines).encode())
        return digest.hexdigest()[:16]
    selection = select_excerpts(
        documents, index, [c.terms for c in rubric.criteria], max_tokens, redact=redact
    )
    for excerpt in selection.excerpts:
        digest.update(f"\0{excerpt.path}\0{excerpt.heading}\0{excerpt.text}".encode())
    return digest.hexdigest()[:16]


def reused_review(
    prior: GateReview, basis: str, documents: list[Document], since: str
) -> GateReview | None:
    """The earlier review with its quotes re-anchored in the new text, or None when it cannot be
    reused (another basis, a degraded review, or a quote no longer in the documents)."""
    if prior.basis != basis or prior.degraded:
        return None
    findings = []
    for finding in prior.findings:
        if finding.criterion in (CRITERION, HIDDEN_CRITERION):
            continue  # found again in this run's documents, not carried over
        checked, _ = verify_finding(finding, documents)
        if any(
            was.verified and not now.verified
            for was, now in zip(finding.evidence, checked.evidence, strict=True)
        ):
            return None
        findings.append(checked)
    return prior.model_copy(
        update={"findings": findings, "usage": Usage(), "reused_from": since}
    )
