"""The screen itself: for each criterion, the passages a reviewer should read, and whether the
documents are silent on it.

A passage is a candidate for a criterion when it holds the criterion's terms (`markers.toml`,
`[thresholds]`), wherever it sits in the documents: under another gate's heading too. Every
passage is read once for its marks (`screen.markers`), and a section whose own text says it
holds no design yet makes all of its passages hollow.

- `found`: a candidate that holds the criterion's vocabulary strongly (`found_weight`) is a
  statement the authors commit to. The screen does not judge whether it is enough: that
  takes a model or a person.
- `missing`: no such candidate: none at all, only weak ones, or only placeholders,
  uncommitted or deferred text (all kept, so the finding can quote them and say so).
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from screen.markers import MARKERS_PATH, Marks, declares_hollow, read_marks
from tools.retrieval import Passage, SectionIndex, find_phrase, phrases, tokenize

ScreenStatus = Literal["found", "missing"]
PHRASE_SLACK = 1


class ScreenedCriterion(Protocol):
    """What the screen reads of a rubric criterion."""

    id: str
    terms: list[str]


@dataclass(frozen=True)
class Thresholds:
    """The screen's numbers, from `markers.toml`."""

    candidate_weight: int
    found_weight: int
    content_words: int
    sections: int
    evidence: int


def load_thresholds() -> Thresholds:
    """The shipped thresholds."""
    data = tomllib.loads(MARKERS_PATH.read_text(encoding="utf-8"))["thresholds"]
    return Thresholds(**data)


@dataclass(frozen=True)
class Candidate:
    """A passage that holds a criterion's terms, how much, and how it reads."""

    passage: Passage
    weight: int
    marks: Marks


@dataclass(frozen=True)
class Screening:
    """One criterion's screening: its status, the committed candidates best first, and the
    hollow or deferred ones (best first too)."""

    criterion: str
    status: ScreenStatus
    candidates: tuple[Candidate, ...]
    hollow: tuple[Candidate, ...]


def _hollow_headings(passages: list[Passage]) -> set[tuple[str, tuple[str, ...]]]:
    """(path, heading) of each section whose own text says it holds no design yet."""
    return {(p.path, p.heading) for p in passages if declares_hollow(p)}


def _under(heading: tuple[str, ...], scopes: set[tuple[str, ...]]) -> bool:
    return any(heading[: len(scope)] == scope for scope in scopes)


class Screen:
    """The screen over one review's section index: passages split and marked once."""

    def __init__(self, index: SectionIndex, thresholds: Thresholds | None = None) -> None:
        self.index = index
        self.thresholds = thresholds or load_thresholds()
        self.passages: list[Passage] = [p for s in index.sections for p in index.passages(s)]
        self._postings: dict[str, set[int]] = defaultdict(set)
        self._around: dict[str, set[int]] = defaultdict(set)
        for i, passage in enumerate(self.passages):
            for token in passage.tokens:
                self._postings[token].add(i)
            for token in (*passage.context, *_heading_tokens(passage)):
                self._around[token].add(i)
        self.marks = self._marks()
        self._position = {id(p): i for i, p in enumerate(self.passages)}

    def marks_of(self, passage: Passage) -> Marks:
        """The marks of one of the index's passages (read afresh for any other passage)."""
        i = self._position.get(id(passage))
        return self.marks[i] if i is not None else read_marks(passage)

    def weight_of(self, passage: Passage, terms: list[str]) -> int:
        """How much of the terms the passage holds in its own text (0: none of them)."""
        return sum(
            2 if len(phrase) > 1 else 1
            for phrase in phrases(terms)
            if find_phrase(phrase, passage.tokens, PHRASE_SLACK)
        )

    def _marks(self) -> list[Marks]:
        scopes: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for path, heading in _hollow_headings(self.passages):
            # In a document's opening section the statement covers the whole document.
            scopes[path].add(() if self._opening(path, heading) else heading)
        marks = []
        for passage in self.passages:
            mark = read_marks(passage)
            if _under(passage.heading, scopes.get(passage.path, set())):
                mark = Marks(placeholder=mark.placeholder, uncommitted=True, deferral=True)
            marks.append(mark)
        return marks

    def _opening(self, path: str, heading: tuple[str, ...]) -> bool:
        first = next((s for s in self.index.sections if s.path == path), None)
        return first is not None and tuple(first.heading_path) == heading

    def _weights(self, terms: list[str]) -> dict[int, tuple[int, int]]:
        """Per passage index: (weight of the terms in its own text, weight around it)."""
        own: dict[int, int] = defaultdict(int)
        around: dict[int, int] = defaultdict(int)
        for phrase in phrases(terms):
            value = 2 if len(phrase) > 1 else 1
            for i in _holding(phrase, self._postings):
                if len(phrase) == 1 or find_phrase(phrase, self.passages[i].tokens, PHRASE_SLACK):
                    own[i] += value
            for i in _holding(phrase, self._around):
                around[i] = 1
        return {i: (w, around.get(i, 0)) for i, w in own.items()}

    def screen(self, criterion: ScreenedCriterion, extra: Sequence[str] = ()) -> Screening:
        """The screening of one criterion (`extra`: more terms, such as a reviewer's comment)."""
        t = self.thresholds
        terms = [*criterion.terms, *extra]
        retrieved = {id(hit.section) for hit in self.index.search(terms, k=t.sections)}
        in_retrieved = {
            id(p) for s in self.index.sections if id(s) in retrieved for p in self.index.passages(s)
        }
        found: list[Candidate] = []
        for i, (own, around) in self._weights(terms).items():
            passage = self.passages[i]
            weight = own + around + (1 if id(passage) in in_retrieved else 0)
            if weight < t.candidate_weight or len(passage.tokens) < t.content_words:
                continue
            found.append(Candidate(passage, weight, self.marks[i]))
        found.sort(key=lambda c: (-c.weight, c.passage.path, c.passage.line_start))
        committed = tuple(c for c in found if c.marks.committed)
        hollow = tuple(c for c in found if not c.marks.committed)
        strong = any(c.weight >= t.found_weight for c in committed)
        return Screening(criterion.id, "found" if strong else "missing", committed, hollow)


def _heading_tokens(passage: Passage) -> tuple[str, ...]:
    return tuple(tokenize(" ".join(passage.heading), keep_stopwords=False))


def _holding(phrase: tuple[str, ...], postings: dict[str, set[int]]) -> set[int]:
    """Indexes of the passages holding every token of the phrase."""
    sets = [postings.get(token, set()) for token in phrase]
    return set.intersection(*sets) if sets else set()
