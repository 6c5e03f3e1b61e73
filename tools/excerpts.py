"""Excerpts for a model: the sections a gate's criteria retrieve, numbered by line, in budget.

Tokens are estimated at four characters each (close enough for English prose to keep a
prompt inside a budget, and free: no tokenizer to load).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tools.documents import Document, Section
from tools.redact import redact_lines
from tools.retrieval import SectionIndex

CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    """A cheap token estimate for budgeting a prompt."""
    return len(text) // CHARS_PER_TOKEN + 1


@dataclass(frozen=True)
class Excerpt:
    """A section as sent to a model: its lines prefixed by their numbers."""

    path: str
    heading: str
    line_start: int
    line_end: int
    numbered: str


@dataclass(frozen=True)
class Selection:
    """The excerpts chosen for a gate and what was masked or left out."""

    excerpts: list[Excerpt]
    omitted: int
    redactions: dict[str, int]
    whole_documents: bool

    @property
    def tokens(self) -> int:
        """Estimated tokens of the excerpts."""
        return sum(estimate_tokens(e.numbered) for e in self.excerpts)


def number_lines(lines: Sequence[str], first: int) -> str:
    """Lines prefixed with their 1-based numbers and a bar, as the prompt describes."""
    return "\n".join(f"{first + i}| {line}" for i, line in enumerate(lines))


def _excerpt(section: Section, redact: bool, counts: dict[str, int]) -> Excerpt:
    lines = section.text.split("\n")
    if redact:
        lines, found = redact_lines(lines)
        for kind, n in found.items():
            counts[kind] = counts.get(kind, 0) + n
    return Excerpt(
        path=section.path,
        heading=" > ".join(section.heading_path) or "(top)",
        line_start=section.line_start,
        line_end=section.line_end,
        numbered=number_lines(lines, section.line_start),
    )


def _ranked(index: SectionIndex, queries: Sequence[Sequence[str]], k: int) -> list[Section]:
    """Sections in round-robin order over the queries' ranked hits, without repeats."""
    hits = [[h.section for h in index.search(list(q), k=k)] for q in queries]
    ordered: list[Section] = []
    seen: set[str] = set()
    for rank in range(k):
        for ranked in hits:
            if rank < len(ranked) and ranked[rank].anchor not in seen:
                seen.add(ranked[rank].anchor)
                ordered.append(ranked[rank])
    return ordered


def select_excerpts(
    documents: Sequence[Document],
    index: SectionIndex,
    queries: Sequence[Sequence[str]],
    max_tokens: int,
    *,
    redact: bool,
    k: int = 3,
) -> Selection:
    """Every section when the documents fit the budget; else the best per query until full."""
    every = [s for d in documents for s in d.sections]
    whole = sum(estimate_tokens(s.text) for s in every) <= max_tokens
    candidates = every if whole else _ranked(index, queries, k)
    chosen: list[Section] = []
    used = 0
    for section in candidates:
        cost = estimate_tokens(section.text) + 20
        if used + cost > max_tokens and chosen:
            continue
        chosen.append(section)
        used += cost
    order = {s.anchor: i for i, s in enumerate(every)}
    chosen.sort(key=lambda s: order.get(s.anchor, 0))
    counts: dict[str, int] = {}
    excerpts = [_excerpt(s, redact, counts) for s in chosen]
    return Selection(excerpts, len(every) - len(chosen), counts, whole)
