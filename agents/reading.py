"""How one sentence reads against one criterion: relevance, specifics, hedges, deferrals, gaps
and red flags, from the rubric's words and the shared phrases in `rubrics/signals.toml`.

A sentence is read with its section heading and, for a list item or a table row, with the
lead-in sentence or header row it belongs to (`Passage.context`): their terms count as its own.
Relevance is the weight of the matched terms (a phrase 2, a word 1), plus 1 when a heading
above names the criterion, plus 1 when a sentence that names it also shows a concrete detail.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TypeVar

from agents.rubric import RUBRIC_DIR, Criterion
from agents.topics import term_weights
from tools.pattern_starts import StartsIndex, WordPrefixes
from tools.retrieval import Passage, find_phrase, phrases, tokenize

SIGNALS_PATH = RUBRIC_DIR / "signals.toml"
TERM_SLACK = 1
FLAG_SLACK = 4
MEMO_LIMIT = 100_000  # sentence texts remembered per process before the memo starts afresh
T = TypeVar("T")


@dataclass(frozen=True)
class TextSignals:
    """What the shared patterns find in one text, whatever the criterion reading it."""

    hedged: bool
    gap: bool
    deferral: bool
    uncommitted: bool
    generic: tuple[tuple[str, str], ...]  # (specific's name, its first match lowercased)


@dataclass(frozen=True)
class Signals:
    """The shared phrase lists and thresholds from `signals.toml`, compiled."""

    relevance: int
    foreign: int
    addressed_sentences: int
    met_specifics: int
    met_criterion_specifics: int
    sections: int
    deeper_every: int
    evidence: int
    deferral: tuple[re.Pattern[str], ...]
    gap: tuple[re.Pattern[str], ...]
    hedge: tuple[re.Pattern[str], ...]
    negation: tuple[re.Pattern[str], ...]
    negation_after: tuple[re.Pattern[str], ...]
    negation_window: int
    specific: tuple[tuple[str, re.Pattern[str]], ...]
    uncommitted: tuple[re.Pattern[str], ...]
    uncommitted_headings: tuple[re.Pattern[str], ...]
    # Every criterion of every gate reads the same sentences: the patterns above are matched
    # once per text and remembered here (they do not depend on the criterion).
    memo: dict[str, TextSignals] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    heading_memo: dict[tuple[str, ...], bool] = field(
        default_factory=dict, init=False, compare=False, repr=False
    )
    # The text-wide patterns above in one list, each with the signal it sets, and filed by how
    # their matches begin: a text is searched only with the patterns that may match it.
    _patterns: tuple[tuple[str, re.Pattern[str]], ...] = field(
        init=False, compare=False, repr=False
    )
    _index: StartsIndex = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        patterns = [
            *(("hedged", p) for p in self.hedge),
            *(("gap", p) for p in self.gap),
            *(("deferral", p) for p in self.deferral),
            *(("uncommitted", p) for p in self.uncommitted),
            *(("generic", p) for _, p in self.specific),
        ]
        object.__setattr__(self, "_patterns", tuple(patterns))
        object.__setattr__(self, "_index", StartsIndex(tuple(p for _, p in patterns)))

    def of(self, text: str) -> TextSignals:
        """The criterion-independent signals of one text (matched once, then remembered)."""
        found = self.memo.get(text)
        if found is None:
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            found = self.memo[text] = self._matched(text)
        return found

    def _matched(self, text: str) -> TextSignals:
        """Search the text with each pattern that may match it (the others would find nothing),
        until each signal but the generic specifics (all of them wanted) is settled."""
        found: set[str] = set()
        generic: list[tuple[str, str]] = []
        first_specific = len(self._patterns) - len(self.specific)
        for number in self._index.candidates(text, WordPrefixes(text)):
            signal, pattern = self._patterns[number]
            if signal in found:  # settled: one match is enough
                continue
            match = pattern.search(text)
            if match is None:
                continue
            if signal == "generic":  # every specific is wanted, each with its first match
                generic.append((self.specific[number - first_specific][0], match.group(0).lower()))
            else:
                found.add(signal)
        return TextSignals(
            hedged="hedged" in found,
            gap="gap" in found,
            deferral="deferral" in found,
            uncommitted="uncommitted" in found,
            generic=tuple(generic),
        )

    def uncommitted_heading(self, heading: tuple[str, ...]) -> bool:
        """Whether a heading below the document's title marks its section as uncommitted."""
        found = self.heading_memo.get(heading)
        if found is None:
            if len(self.heading_memo) >= MEMO_LIMIT:
                self.heading_memo.clear()
            found = self.heading_memo[heading] = any(
                p.search(h) for h in heading[1:] for p in self.uncommitted_headings
            )
        return found

    def commits_to_nothing(self, passage: Passage) -> bool:
        """Whether a sentence commits its authors to nothing, whatever it is about: a question,
        an example, a definition or advice, or a sentence in such a section."""
        return self.of(passage.text).uncommitted or self.uncommitted_heading(passage.heading)


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
        addressed_sentences=limits["addressed_sentences"],
        met_specifics=limits["met_specifics"],
        met_criterion_specifics=limits["met_criterion_specifics"],
        sections=limits["sections"],
        deeper_every=limits["deeper_every"],
        evidence=limits["evidence"],
        deferral=compiled("deferral"),
        gap=compiled("gap"),
        hedge=compiled("hedge"),
        negation=compiled("negation"),
        negation_after=tuple(re.compile(p) for p in data["negation"]["after"]),
        negation_window=data["negation"]["window"],
        specific=tuple((name, re.compile(p)) for name, p in data["specific"].items()),
        uncommitted=compiled("uncommitted"),
        uncommitted_headings=tuple(
            re.compile(p, re.IGNORECASE) for p in data["uncommitted"]["headings"]
        ),
    )


@dataclass(frozen=True)
class Rules:
    """One criterion's matching rules: terms, specifics and red flags as token phrases."""

    terms: dict[tuple[str, ...], int]
    specifics: dict[tuple[str, ...], str]
    flags: list[tuple[tuple[str, ...], str]]
    firsts: frozenset[str]  # every term's first word: a sentence without one cannot match
    # The terms and the specifics filed under their first word, so a sentence is tried only
    # against the phrases that can match it.
    terms_by_first: dict[str, tuple[tuple[str, ...], ...]] = field(compare=False)
    specifics_by_first: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = field(compare=False)
    seen: dict[tuple[str, ...], tuple[bool, frozenset[tuple[str, ...]]]] = field(
        default_factory=dict, compare=False
    )

    @classmethod
    def of(cls, criterion: Criterion) -> Rules:
        """A criterion's words as token phrases (compiled once per process for the same words)."""
        return _compiled(
            tuple(criterion.terms), tuple(criterion.specifics), tuple(criterion.red_flags)
        )


@lru_cache(maxsize=256)
def _compiled(
    terms_: tuple[str, ...], specifics_: tuple[str, ...], red_flags: tuple[str, ...]
) -> Rules:
    """Compile a criterion's words into token phrases; a term of several words weighs 2."""
    terms = term_weights(list(terms_))
    flags = [(p, f) for f in red_flags for p in phrases([f])]
    specifics: dict[tuple[str, ...], str] = {}
    for word in specifics_:
        for phrase in phrases([word]):
            specifics.setdefault(phrase, word)
    return Rules(
        terms,
        specifics,
        flags,
        frozenset(t[0] for t in terms),
        _by_first([(t, t) for t in terms]),
        _by_first([(s, (s, w)) for s, w in specifics.items()]),
    )


def _by_first(items: list[tuple[tuple[str, ...], T]]) -> dict[str, tuple[T, ...]]:
    """Values filed under their phrase's first word, in the order given."""
    found: dict[str, list[T]] = {}
    for phrase, value in items:
        found.setdefault(phrase[0], []).append(value)
    return {first: tuple(values) for first, values in found.items()}


@dataclass
class Reading:
    """How one sentence reads against one criterion."""

    passage: Passage
    relevance: int
    own: bool  # its own words match the criterion (not only its heading or lead-in)
    specifics: frozenset[str]
    own_specifics: int
    hedged: bool
    deferral: bool
    gap: bool
    flag: str | None
    uncommitted: bool = False


@cache
def _heading_tokens(heading: str) -> tuple[str, ...]:
    return tuple(tokenize(heading, keep_stopwords=False))


def _terms(rules: Rules, tokens: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    if rules.firsts.isdisjoint(tokens):
        return frozenset()
    return frozenset(
        t
        for first in rules.firsts.intersection(tokens)
        for t in rules.terms_by_first[first]
        if find_phrase(t, tokens, TERM_SLACK) is not None
    )


def _headings(rules: Rules, heading: tuple[str, ...]) -> tuple[bool, frozenset[tuple[str, ...]]]:
    """Whether a heading above the leaf names the criterion, and the terms the leaf matches
    (worked out once per section and criterion)."""
    if heading not in rules.seen:
        if len(rules.seen) >= MEMO_LIMIT:
            rules.seen.clear()
        above = tuple(t for h in heading[:-1] for t in _heading_tokens(h))
        leaf = _heading_tokens(heading[-1]) if heading else ()
        rules.seen[heading] = (bool(_terms(rules, above)), _terms(rules, leaf))
    return rules.seen[heading]


def touches(passage: Passage, rules: Rules) -> bool:
    """False when a sentence cannot be about the criterion: neither its headings nor its own or
    its lead-in's words hold a single term's first word (its reading is all zeros)."""
    in_heading, in_leaf = _headings(rules, passage.heading)
    return bool(
        in_heading
        or in_leaf
        or not rules.firsts.isdisjoint(passage.tokens)
        or not rules.firsts.isdisjoint(passage.context)
    )


def read(passage: Passage, rules: Rules, signals: Signals) -> Reading:
    """How one sentence reads against one criterion (see the module docstring)."""
    tokens = passage.tokens
    if not touches(passage, rules):
        # Without a single term's first word, nothing below can match: not about it.
        return Reading(passage, 0, False, frozenset(), 0, False, False, False, None)
    in_heading, in_leaf = _headings(rules, passage.heading)
    own_terms = _terms(rules, tokens)
    # A sentence is read with its section heading and, for a list item or a table row, with
    # the lead-in sentence or header row it belongs to: their terms count as its own.
    matched = own_terms | _terms(rules, passage.context) | in_leaf
    base = sum(rules.terms[t] for t in matched)
    in_heading = int(in_heading and not matched)
    own = {
        w
        for first in rules.specifics_by_first.keys() & set(tokens)
        for s, w in rules.specifics_by_first[first]
        if find_phrase(s, tokens, TERM_SLACK) is not None
    }
    sentence = signals.of(passage.text)
    generic = _generic(sentence, own)
    # A word that is both a term and a specific must not count twice toward relevance.
    fresh = {w for s, w in rules.specifics.items() if w in own and s not in matched}
    bonus = int(bool(fresh or generic) and base > 0)
    gap = base > 0 and sentence.gap
    # A list whose lead-in postpones its items ("Later releases will add:") defers each item.
    # So does a section headed as future work ("Future work", "Roadmap").
    leaf = passage.heading[-1] if passage.heading else ""
    deferred = any(
        signals.of(text).deferral for text in (passage.text, passage.lead_in, leaf) if text
    )
    return Reading(
        passage=passage,
        relevance=base + in_heading + bonus,
        own=bool(own_terms),
        specifics=frozenset(own | generic),
        own_specifics=len(own),
        hedged=sentence.hedged,
        # A deferral counts only where the sentence (or what it is read with) names the subject.
        deferral=base > 0 and deferred,
        gap=gap,
        flag=_red_flag(tokens, rules, signals) if base + in_heading > 0 and not gap else None,
        # True when the sentence commits its authors to nothing (see signals.toml).
        uncommitted=signals.commits_to_nothing(passage),
    )


def _generic(sentence: TextSignals, own: set[str]) -> set[str]:
    """The generic specifics a sentence shows, leaving out one that only repeats a word the
    criterion already counts ("monthly" is not also a separate cadence)."""
    return {name for name, match in sentence.generic if match not in own}


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
