"""The offline reviewer: a deterministic, rubric-driven gate review that quotes the documents.

For each criterion it retrieves the best sections (more for a long document), reads their
sentences with `agents.reading` and grades them:

- contradicted: a relevant sentence that names the criterion's subject postpones it past go-live
  (a deferral phrase), or a sentence touching the criterion commits to one of its red flags
  with no negation just before or after it and no "not yet" (a deferral beside concrete
  treatment only makes it partial);
- met: the best relevant sentences, none hedged, deferred or open, carry enough distinct
  specifics (figures with units, cadences, named roles or tools), at least one of them the
  criterion's own;
- partial: relevant sentences exist but are vague, hedged, or say it is not done yet (a gap);
- mentioned: fewer weakly relevant sentences than `addressed_sentences`, none unusually
  concrete (a reader would still call the documents silent on it);
- missing: nothing relevant was found (the finding lists what was searched for), or only text
  that commits to nothing: questions, examples, definitions, advice to others (the finding
  quotes it). Such text does not even touch the design, so it cannot make a gate less silent.

A sentence under headings that belong to another gate (`agents.topics`) is relevant only when
it is strongly about the criterion on its own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from agents.reading import SIGNALS_PATH, Reading, Rules, Signals, load_signals, read, touches
from agents.rubric import Criterion, Rubric
from agents.topics import foreign, names_gate
from tools.documents import Document
from tools.retrieval import Passage, SectionIndex
from vocabulary.models import Evidence, Finding, FindingStatus, GateReview

__all__ = ["SIGNALS_PATH", "grade", "load_signals", "review_gate_offline"]

MAX_QUOTE = 200


def _candidates(
    criterion: Criterion, index: SectionIndex, signals: Signals, extra: list[str]
) -> list[Passage]:
    """Sentences of the sections that best match the criterion, in document order, unique."""
    # A long document gets a deeper search, so a bulky appendix cannot crowd out the body.
    depth = signals.sections + len(index.sections) // signals.deeper_every
    hits = index.search([*criterion.terms, *extra], k=depth)
    seen: dict[tuple[str, int, str], Passage] = {}
    for hit in hits:
        for passage in index.passages(hit.section):
            seen.setdefault((passage.path, passage.line_start, passage.text), passage)
    return sorted(seen.values(), key=lambda p: (p.path, p.line_start, p.text))


@dataclass
class Grade:
    """A criterion's status and the readings it rests on, best first."""

    status: FindingStatus
    readings: list[Reading]
    why: str


def grade(
    criterion: Criterion,
    passages: list[Passage],
    signals: Signals,
    foreign: frozenset[Passage] = frozenset(),
    own_section: frozenset[Passage] = frozenset(),
) -> Grade:
    """Grade one criterion from candidate sentences, by the rule in the module docstring;
    sentences in `foreign` (under another gate's headings) must be strongly relevant, and one
    under a heading that names this gate is a statement about it, never a passing mention."""
    rules = Rules.of(criterion)
    # A sentence that cannot touch the criterion reads as all zeros: it counts for nothing
    # below unless a relevance threshold is 0, so with thresholds above 0 it is not read.
    every = min(signals.relevance, signals.foreign) <= 0
    readings = [read(p, rules, signals) for p in passages if every or touches(p, rules)]
    flagged = [r for r in readings if r.flag]
    relevant = [
        r
        for r in readings
        if r.relevance >= (signals.foreign if r.passage in foreign else signals.relevance)
    ]
    relevant.sort(key=lambda r: (-r.relevance, -len(r.specifics), r.passage.line_start))
    # A question, an example, a definition or advice to others touches a criterion at most.
    uncommitted = [r for r in relevant if r.uncommitted and not (r.deferral or r.flag)]
    relevant = [r for r in relevant if r not in uncommitted]
    deferred = [r for r in relevant if r.deferral]
    gaps = [r for r in relevant if r.gap]
    solid = sorted(
        (r for r in relevant if not (r.hedged or r.deferral or r.gap)),
        key=lambda r: (-len(r.specifics), -r.relevance, r.passage.line_start),
    )[:3]
    shown = frozenset().union(*(r.specifics for r in solid)) if solid else frozenset()
    own = sum(r.own_specifics for r in solid)
    met = len(shown) >= signals.met_specifics and own >= signals.met_criterion_specifics
    if flagged:
        return Grade("contradicted", flagged + deferred, f"red flag: {flagged[0].flag}")
    if deferred and not met:
        return Grade("contradicted", deferred, "deferred")
    # Fewer than `addressed_sentences` weakly relevant sentences are a passing mention, unless
    # they are unusually concrete.
    passing = _units(relevant) < signals.addressed_sentences and all(
        r.relevance <= signals.relevance and r.passage not in own_section for r in relevant
    )
    concrete = len(shown) > signals.met_specifics or own >= signals.met_specifics
    if not relevant:
        if uncommitted:
            return Grade("missing", uncommitted, "uncommitted")
        return Grade("missing", [], "")
    if passing and not concrete:
        return Grade("mentioned", relevant, "in passing")
    if met and (deferred or gaps):
        return Grade("partial", deferred + gaps + solid, "partly deferred")
    if met:
        return Grade("met", solid, ", ".join(sorted(shown)))
    if gaps:
        return Grade("partial", gaps + relevant, "open")
    return Grade("partial", relevant, "hedged" if all(r.hedged for r in relevant) else "vague")


_REFERENCE = re.compile(
    r"\b(?:see|in|under|per|described in|detailed in|refer to|as set out in)\s+(?:the\s+)?"
    r"(annex|appendix|attachment|schedule|exhibit)\s+([A-Z0-9]{1,3})\b",
    re.IGNORECASE,
)


def _headings_and_paths(documents: dict[str, Document]) -> str:
    """Every section's heading path and its document's path, lower-cased, in one string."""
    return " | ".join(
        " ".join(s.heading_path).lower() + " " + d.path.lower()
        for d in documents.values()
        for s in d.sections
    )


def _unsupplied(readings: list[Reading], supplied: str) -> list[str]:
    """Annexes and appendices the sentences point to that no loaded document holds
    (`supplied`: the documents' `_headings_and_paths`)."""
    missing = []
    for reading in readings:
        for kind, name in _REFERENCE.findall(reading.passage.text):
            label = f"{kind.lower()} {name.lower()}"
            if label not in supplied and f"{kind.lower()}-{name.lower()}" not in supplied:
                missing.append(f"{kind.lower()} {name}")
    return sorted(set(missing))


def _units(readings: list[Reading]) -> int:
    """Pieces of evidence: a sentence that matches on its own words is one; the items of a list
    or table that match only through their shared lead-in or header row count once together."""
    return len({r.passage.text if r.own else ("lead", r.passage.context) for r in readings})


def _quote(passage: Passage) -> tuple[str, int]:
    """The passage text cut at a word boundary to MAX_QUOTE characters, and its last line."""
    text = passage.text
    if len(text) > MAX_QUOTE:
        cut = text.rfind(" ", 0, MAX_QUOTE)
        text = text[: cut if cut > 0 else MAX_QUOTE].rstrip(" ,;:\n")
    return text, passage.line_start + text.count("\n")


def _evidence(
    readings: list[Reading], documents: dict[str, Document], used: Counter[str], limit: int
) -> list[Evidence]:
    """Up to `limit` quotes: first a sentence showing one of the criterion's own specifics (what
    makes it met), then sentences no other criterion has quoted yet."""
    order = sorted(
        enumerate(readings),
        key=lambda item: (item[1].own_specifics == 0, used[_key(item[1].passage)], item[0]),
    )
    chosen: list[Evidence] = []
    for _, reading in order:
        if len(chosen) == limit:
            break
        passage = reading.passage
        quote, line_end = _quote(passage)
        if any(e.quote == quote and e.line_start == passage.line_start for e in chosen):
            continue
        doc = documents.get(passage.path)
        verified = doc is not None and quote in doc.line_text(passage.line_start, line_end)
        used[_key(passage)] += 1
        chosen.append(
            Evidence(
                path=passage.path,
                line_start=passage.line_start,
                line_end=line_end,
                quote=quote,
                verified=verified,
            )
        )
    return chosen


def _key(passage: Passage) -> str:
    return f"{passage.path}:{passage.line_start}:{passage.text}"


def _summary(criterion: Criterion, result: Grade) -> tuple[str, str]:
    """The finding's summary and recommendation for a grade."""
    wanted = criterion.good_evidence
    if result.status == "met":
        return f"Addressed concretely ({result.why}).", ""
    if result.status == "missing" and result.why == "uncommitted":
        return (
            "Only questions, examples, definitions or advice touch on it; the authors commit to "
            "nothing.",
            f"Decide and write it down: {wanted}",
        )
    if result.status == "mentioned":
        return (
            f"Touched on only in passing; nothing on {criterion.title.lower()} is committed to.",
            f"Address it: {wanted}",
        )
    if result.status == "missing":
        terms = ", ".join(criterion.terms[:8])
        return (
            f"Nothing found on {criterion.title.lower()}; searched for: {terms}.",
            f"Add it: {wanted}",
        )
    if result.status == "contradicted" and result.why == "deferred":
        return (
            "The documents leave this open or postpone it.",
            f"Decide it before go-live: {wanted}",
        )
    if result.status == "contradicted":
        return (
            f"The documents commit to what this criterion warns against ({result.why}).",
            f"Replace it: {wanted}",
        )
    detail = {
        "hedged": "only tentatively (hedged wording)",
        "partly deferred": "concretely in part, with part of it left open",
        "open": "as not done yet (a gap to close before go-live)",
    }.get(result.why, "without the specifics it needs (owners, figures or named mechanisms)")
    return f"Mentioned {detail}.", f"Make it concrete: {wanted}"


def review_gate_offline(
    rubric: Rubric,
    documents: list[Document],
    index: SectionIndex | None = None,
    guidance: str | None = None,
    signals: Signals | None = None,
) -> GateReview:
    """Review one gate without a model: one finding per criterion, quotes verified
    (`signals`: other thresholds than the shipped ones, for calibration)."""
    signals = signals or load_signals()
    index = index or SectionIndex(documents)
    by_path = {doc.path: doc for doc in documents}
    supplied = _headings_and_paths(by_path)
    extra = [guidance] if guidance else []
    used: Counter[str] = Counter()
    findings: list[Finding] = []
    for criterion in rubric.criteria:
        passages = _candidates(criterion, index, signals, extra)
        sections = {p.heading for p in passages}  # judged once per section, not per sentence
        foreign_headings = {h for h in sections if foreign(h, rubric)}
        own_headings = {h for h in sections if names_gate(h, rubric)}
        elsewhere = frozenset(p for p in passages if p.heading in foreign_headings)
        own = frozenset(p for p in passages if p.heading in own_headings)
        result = grade(criterion, passages, signals, elsewhere, own)
        summary, recommendation = _summary(criterion, result)
        unsupplied = _unsupplied(result.readings, supplied)
        if unsupplied:
            # What the documents point to was not given to the review: a gap, named.
            if result.status == "met":
                result = Grade("partial", result.readings, "refers elsewhere")
                summary, recommendation = _summary(criterion, result)
            gaps = ", ".join(f"{ref}: not provided" for ref in unsupplied)
            summary = f"{summary} It points to material not supplied ({gaps})."
        evidence = _evidence(result.readings, by_path, used, signals.evidence)
        findings.append(
            criterion.finding(rubric.gate, result.status, summary, recommendation, evidence)
        )
    return GateReview(gate=rubric.gate, reviewer="offline", findings=findings)
