"""Whether a model's verified quotes support its finding, and whether the offline reviewer
disputes it.

A quote that exists in the documents is not yet evidence for the finding it is attached to:

- it must be substantive: at least MIN_CONTENT_WORDS content words, not a fragment such as
  "the" or a heading;
- it must be about the criterion: it shares the criterion's vocabulary (a term or a specific,
  read as the offline reviewer reads a sentence, with its heading and lead-in), or it lies in
  one of the sections retrieved for the criterion;
- a `met` needs one of the criterion's own specifics in the quoted text (a named owning team
  for owners, a cadence or target for freshness...); without one it is at most `partial`.

A `met` or `partial` finding whose quotes fail the first two tests is unsupported and does not
count toward the verdict (a `contradicted` one is not judged: dropping it would raise a gate).
A `mentioned` finding whose every quote commits to nothing (a question, an example, a
definition, advice to others, read as the offline reviewer reads them) is shown as `missing`:
such text does not touch the design, so it cannot make a gate thin rather than silent.

Then a second opinion: when the model says `met` and the offline reviewer finds no relevant
passage at all or only a passing mention, or the model says a blocker is `missing` while the
offline reviewer finds it met, the finding is `disputed`; a disputed finding does not lift
its gate until a person amends it.
"""

from __future__ import annotations

from agents.reading import Rules, Signals, read
from agents.rubric import Criterion, Rubric
from tools.retrieval import Passage, SectionIndex, tokenize
from vocabulary.models import Evidence, Finding, GateReview

MIN_CONTENT_WORDS = 4


def _passages_at(index: SectionIndex, evidence: Evidence) -> list[Passage]:
    """The sentences a verified quote overlaps, with their headings and lead-ins (split once
    per review, by the index)."""
    first, last = evidence.line_start or 0, evidence.line_end or evidence.line_start or 0
    return [
        passage
        for section in index.sections
        if section.path == evidence.path
        and section.line_start <= last
        and first <= section.line_end
        for passage in index.passages(section)
        if passage.line_start <= last and first <= passage.line_end
    ]


def _about(rules: Rules, passages: list[Passage], signals: Signals) -> tuple[bool, bool]:
    """Whether the quoted sentences read as about the criterion, and whether one shows a
    specific."""
    readings = [read(p, rules, signals) for p in passages]
    relevant = any(r.relevance > 0 for r in readings)
    # The specific must be one of the criterion's own (a named owner for owners, a cadence or
    # target for freshness...): a figure about something else does not make this met.
    specific = any(r.own_specifics for r in readings)
    return relevant, specific


def _commits_to_nothing(passages: list[Passage], signals: Signals) -> bool:
    """Whether every quoted sentence is a question, example, definition or advice, whatever it
    is about (a deferral commits to something: to later)."""
    return bool(passages) and all(
        signals.commits_to_nothing(p) and not signals.of(p.text).deferral for p in passages
    )


def check_support(
    finding: Finding,
    criterion: Criterion,
    index: SectionIndex,
    retrieved: frozenset[str],
    signals: Signals,
) -> Finding:
    """The finding with its support judged (see the module docstring)."""
    quotes = [e for e in finding.document_evidence if e.verified]
    # Only statuses that lift a gate are judged: dropping a contradiction would raise one.
    if finding.status not in ("met", "partial", "mentioned") or not quotes:
        return finding
    if finding.status == "mentioned":
        if all(_commits_to_nothing(_passages_at(index, e), signals) for e in quotes):
            note = "its quotes commit to nothing (questions, examples, definitions or advice)"
            return finding.model_copy(update={"status": "missing", "support_note": note})
        return finding
    problems: list[str] = []
    specific = False
    rules = Rules.of(criterion)  # compiled once for all of the finding's quotes
    for evidence in quotes:
        if len(tokenize(evidence.quote, keep_stopwords=False)) < MIN_CONTENT_WORDS:
            problems.append(f"{evidence.location}: a fragment, not a statement")
            continue
        relevant, shows = _about(rules, _passages_at(index, evidence), signals)
        in_retrieved = f"{evidence.path}:{evidence.line_start}" in retrieved
        if not (relevant or in_retrieved):
            problems.append(f"{evidence.location}: not about {criterion.title.lower()}")
            continue
        specific = specific or shows
    if len(problems) == len(quotes):
        return finding.model_copy(update={"unsupported": "; ".join(problems)})
    if finding.status == "met" and not specific:
        note = "met needs a specific in the quoted text; shown as partial"
        return finding.model_copy(update={"status": "partial", "support_note": note})
    return finding


def retrieved_lines(criterion: Criterion, index: SectionIndex, k: int) -> frozenset[str]:
    """`path:line` of every line in the sections the criterion retrieves."""
    hits = index.search(list(criterion.terms), k=k)
    return frozenset(
        f"{hit.section.path}:{line}"
        for hit in hits
        for line in range(hit.section.line_start, hit.section.line_end + 1)
    )


def mark_disputes(review: GateReview, offline: GateReview, rubric: Rubric) -> GateReview:
    """The model's review with findings the offline reviewer contradicts marked disputed."""
    theirs = {f.criterion: f for f in offline.findings}
    marked = []
    for finding in review.findings:
        other = theirs.get(finding.criterion)
        if other is None or finding.criterion not in {c.id for c in rubric.criteria}:
            marked.append(finding)
            continue
        blocker = rubric.criterion(finding.criterion).severity == "blocker"
        if finding.status == "met" and other.status in ("missing", "mentioned"):
            if other.status == "mentioned":
                view = "the offline reviewer found it only touched on in passing"
            elif other.document_evidence:
                view = "the offline reviewer found only text that commits to nothing"
            else:
                view = "the offline reviewer found no passage about it"

        elif blocker and finding.status == "missing" and other.status == "met":
            where = ", ".join(e.location for e in other.document_evidence) or "the documents"
            view = f"the offline reviewer found it met at {where}"
        else:
            marked.append(finding)
            continue
        dispute = f"model: {finding.status}; {view}. A person decides (amend)."
        marked.append(finding.model_copy(update={"disputed": dispute}))
    return review.model_copy(update={"findings": marked})
