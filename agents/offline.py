"""The offline reviewer: a deterministic, rubric-driven gate review that quotes the documents.

For each criterion it retrieves the best sections, reads their sentences and grades them with
the rubric's terms, specifics and red flags plus the shared phrases in `rubrics/signals.toml`:

- contradicted: a relevant sentence that names the criterion's subject postpones it (a deferral
  phrase), or a sentence touching the criterion commits to one of its red flags with no negation
  just before or after it (a deferral beside concrete treatment only makes it partial);
- met: the best relevant sentences, none of them hedged, carry enough distinct specifics
  (figures with units, cadences, named roles or tools, the criterion's own words);
- partial: relevant sentences exist but are vague or hedged;
- missing: nothing relevant was found (the finding lists what was searched for).
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from agents.models import Evidence, Finding, FindingStatus, GateReview
from agents.rubric import RUBRIC_DIR, Criterion, Rubric
from agents.topics import foreign
from tools.documents import Document
from tools.retrieval import STOPWORDS, Passage, SectionIndex, find_phrase, phrases, tokenize

SIGNALS_PATH = RUBRIC_DIR / "signals.toml"
MAX_QUOTE = 200
TERM_SLACK = 1
FLAG_SLACK = 4


@dataclass(frozen=True)
class Signals:
    """The shared phrase lists and thresholds from `signals.toml`, compiled."""

    relevance: int
    foreign: int
    met_specifics: int
    met_criterion_specifics: int
    sections: int
    deeper_every: int
    evidence: int
    deferral: tuple[re.Pattern[str], ...]
    hedge: tuple[re.Pattern[str], ...]
    negation: tuple[re.Pattern[str], ...]
    negation_after: tuple[re.Pattern[str], ...]
    negation_window: int
    specific: tuple[tuple[str, re.Pattern[str]], ...]


@cache
def load_signals(path: Path = SIGNALS_PATH) -> Signals:
    """Read and compile the shared signals file (once per process)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    limits = data["thresholds"]

    def compiled(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in data[key]["patterns"])

    return Signals(
        relevance=limits["relevance"],
        foreign=limits["foreign"],
        met_specifics=limits["met_specifics"],
        met_criterion_specifics=limits["met_criterion_specifics"],
        sections=limits["sections"],
        deeper_every=limits["deeper_every"],
        evidence=limits["evidence"],
        deferral=compiled("deferral"),
        hedge=compiled("hedge"),
        negation=compiled("negation"),
        negation_after=tuple(re.compile(p) for p in data["negation"]["after"]),
        negation_window=data["negation"]["window"],
        specific=tuple((name, re.compile(p)) for name, p in data["specific"].items()),
    )


@dataclass(frozen=True)
class Rules:
    """One criterion's matching rules: terms, specifics and red flags as token phrases."""

    terms: dict[tuple[str, ...], int]
    specifics: dict[tuple[str, ...], str]
    flags: list[tuple[tuple[str, ...], str]]
    firsts: frozenset[str]  # every term's first word: a sentence without one cannot match

    @classmethod
    def of(cls, criterion: Criterion) -> Rules:
        """Compile a criterion's words into token phrases; a term of several words weighs 2."""
        terms: dict[tuple[str, ...], int] = {}
        for term in criterion.terms:
            words = [w for w in term.split() if w.lower() not in STOPWORDS]
            for phrase in phrases([term]):
                terms[phrase] = max(terms.get(phrase, 0), min(2, len(words)))
        flags = [(p, f) for f in criterion.red_flags for p in phrases([f])]
        specifics: dict[tuple[str, ...], str] = {}
        for word in criterion.specifics:
            for phrase in phrases([word]):
                specifics.setdefault(phrase, word)
        return cls(terms, specifics, flags, frozenset(t[0] for t in terms))


@dataclass
class Reading:
    """How one sentence reads against one criterion."""

    passage: Passage
    relevance: int
    specifics: frozenset[str]
    own_specifics: int
    hedged: bool
    deferral: bool
    flag: str | None


@cache
def _heading_tokens(heading: str) -> tuple[str, ...]:
    return tuple(tokenize(heading, keep_stopwords=False))


def _terms(rules: Rules, tokens: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {t for t in rules.terms if find_phrase(t, tokens, TERM_SLACK) is not None}


def _read(passage: Passage, rules: Rules, signals: Signals) -> Reading:
    tokens = passage.tokens
    above = tuple(t for h in passage.heading[:-1] for t in _heading_tokens(h))
    in_heading = bool(_terms(rules, above))
    leaf = _heading_tokens(passage.heading[-1]) if passage.heading else ()
    if not in_heading and all(
        rules.firsts.isdisjoint(words) for words in (tokens, passage.context, leaf)
    ):
        return Reading(passage, 0, frozenset(), 0, False, False, None)  # no term: not about it
    own_terms = _terms(rules, tokens)
    # A sentence is read with its section heading and, for a list item or a table row, with
    # the lead-in sentence or header row it belongs to: their terms count as its own.
    matched = own_terms | _terms(rules, passage.context) | _terms(rules, leaf)
    base = sum(rules.terms[t] for t in matched)
    in_heading = int(in_heading and not matched)
    own = {w for s, w in rules.specifics.items() if find_phrase(s, tokens, TERM_SLACK) is not None}
    generic = {name for name, pattern in signals.specific if pattern.search(passage.text)}
    # A word that is both a term and a specific must not count twice toward relevance.
    fresh = {w for s, w in rules.specifics.items() if w in own and s not in matched}
    bonus = int(bool(fresh or generic) and base > 0)
    return Reading(
        passage=passage,
        relevance=base + in_heading + bonus,
        specifics=frozenset(own | generic),
        own_specifics=len(own),
        hedged=any(p.search(passage.text) for p in signals.hedge),
        # A deferral counts only where the sentence (or what it is read with) names the subject.
        deferral=base > 0 and any(p.search(passage.text) for p in signals.deferral),
        flag=_red_flag(tokens, rules, signals) if base + in_heading > 0 else None,
    )


def _red_flag(tokens: tuple[str, ...], rules: Rules, signals: Signals) -> str | None:
    """The first red flag the sentence commits to, unless a negation comes just before it."""
    for phrase, text in rules.flags:
        found = find_phrase(phrase, tokens, FLAG_SLACK)
        if found is None:
            continue
        if any(p.search(" ".join(phrase)) for p in signals.negation):
            return text  # the flag is itself a negative ("no fallback")
        start, end = found
        before = " ".join(tokens[max(0, start - signals.negation_window) : start])
        after = " ".join(tokens[end : end + signals.negation_window])
        negated = any(p.search(before) for p in signals.negation) or any(
            p.search(after) for p in signals.negation_after
        )
        if not negated:
            return text
    return None


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
) -> Grade:
    """Grade one criterion from candidate sentences, by the rule in the module docstring;
    sentences in `foreign` (under another gate's headings) must be strongly relevant."""
    rules = Rules.of(criterion)
    readings = [_read(p, rules, signals) for p in passages]
    flagged = [r for r in readings if r.flag]
    relevant = [
        r
        for r in readings
        if r.relevance >= (signals.foreign if r.passage in foreign else signals.relevance)
    ]
    relevant.sort(key=lambda r: (-r.relevance, -len(r.specifics), r.passage.line_start))
    deferred = [r for r in relevant if r.deferral]
    solid = sorted(
        (r for r in relevant if not r.hedged and not r.deferral),
        key=lambda r: (-len(r.specifics), -r.relevance, r.passage.line_start),
    )[:3]
    shown = frozenset().union(*(r.specifics for r in solid)) if solid else frozenset()
    own = sum(r.own_specifics for r in solid)
    met = len(shown) >= signals.met_specifics and own >= signals.met_criterion_specifics
    if flagged:
        return Grade("contradicted", flagged + deferred, f"red flag: {flagged[0].flag}")
    if deferred and not met:
        return Grade("contradicted", deferred, "deferred")
    if not relevant or (len(relevant) < 2 and relevant[0].relevance < 3 and not met):
        return Grade("missing", [], "")
    if met and deferred:
        return Grade("partial", deferred + solid, "partly deferred")
    if met:
        return Grade("met", solid, ", ".join(sorted(shown)))
    return Grade("partial", relevant, "hedged" if all(r.hedged for r in relevant) else "vague")


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
    """Up to `limit` quotes, preferring sentences no other criterion has quoted yet."""
    order = sorted(enumerate(readings), key=lambda item: (used[_key(item[1].passage)], item[0]))
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
    }.get(result.why, "without the specifics it needs (owners, figures or named mechanisms)")
    return f"Mentioned {detail}.", f"Make it concrete: {wanted}"


def review_gate_offline(
    rubric: Rubric,
    documents: list[Document],
    index: SectionIndex | None = None,
    guidance: str | None = None,
) -> GateReview:
    """Review one gate without a model: one finding per criterion, quotes verified."""
    signals = load_signals()
    index = index or SectionIndex(documents)
    by_path = {doc.path: doc for doc in documents}
    extra = [guidance] if guidance else []
    used: Counter[str] = Counter()
    findings: list[Finding] = []
    for criterion in rubric.criteria:
        passages = _candidates(criterion, index, signals, extra)
        elsewhere = frozenset(p for p in passages if foreign(p.heading, rubric))
        result = grade(criterion, passages, signals, elsewhere)
        summary, recommendation = _summary(criterion, result)
        findings.append(
            Finding(
                id=criterion.id,
                gate=rubric.gate,
                criterion=criterion.id,
                title=criterion.title,
                status=result.status,
                severity="info" if result.status == "met" else criterion.severity,
                summary=summary,
                recommendation=recommendation,
                evidence=_evidence(result.readings, by_path, used, signals.evidence),
                searched_for=list(criterion.terms) if result.status == "missing" else [],
            )
        )
    return GateReview(gate=rubric.gate, reviewer="offline", findings=findings)
