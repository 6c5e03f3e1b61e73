"""Excerpts for a model: the sections a gate's criteria retrieve, numbered by line, in budget.

Tokens are estimated at four characters each (close enough for English prose to keep a
prompt inside a budget, and free: no tokenizer to load). An excerpt is costed as the prompt
shows it: its header line, line numbers and masked text, so the budget holds for what is sent.
A section too large for what is left of the budget is cut to its first lines that fit; a
document that is one long section is never sent whole past the budget.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from tools.documents import Document, Section
from tools.redact import PLACEHOLDER, redact_lines
from tools.retrieval import SectionIndex

CHARS_PER_TOKEN = 4
MIN_PART_TOKENS = 100  # a cut section shorter than this is not worth a place in the prompt


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

    @property
    def header(self) -> str:
        """The line that introduces the excerpt in the prompt (as `gate_user.md` renders it)."""
        return f"--- {self.path} | {self.heading} | lines {self.line_start}-{self.line_end} ---"

    @property
    def tokens(self) -> int:
        """Estimated tokens of the excerpt as the prompt shows it, header included."""
        return estimate_tokens(f"\n{self.header}\n{self.numbered}\n")


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
        return sum(e.tokens for e in self.excerpts)


def number_lines(lines: Sequence[str], first: int) -> str:
    """Lines prefixed with their 1-based numbers and a bar, as the prompt describes."""
    return "\n".join(f"{first + i}| {line}" for i, line in enumerate(lines))


def _excerpt(section: Section, masked: bool) -> Excerpt:
    """The section as sent; masked (heading path too: it holds ancestors' headings)."""
    lines = section.text.split("\n")
    heading = " > ".join(section.heading_path) or "(top)"
    if masked:
        lines, _ = redact_lines(lines)
        heading = redact_lines([heading])[0][0]
    return Excerpt(
        path=section.path,
        heading=heading,
        line_start=section.line_start,
        line_end=section.line_end,
        numbered=number_lines(lines, section.line_start),
    )


def _cut(excerpt: Excerpt, budget: int) -> Excerpt | None:
    """The excerpt's longest run of first lines within budget; None if under MIN_PART_TOKENS."""
    if budget < MIN_PART_TOKENS:
        return None
    lines = excerpt.numbered.split("\n")

    def first(n: int) -> Excerpt:
        numbered = "\n".join(lines[:n])
        return replace(excerpt, line_end=excerpt.line_start + n - 1, numbered=numbered)

    low, high = 0, len(lines)  # first(low) fits (or low == 0); first(high + 1) does not
    while low < high:
        middle = (low + high + 1) // 2
        if first(middle).tokens <= budget:
            low = middle
        else:
            high = middle - 1
    return first(low) if low else None


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


def _redactions(excerpts: list[Excerpt]) -> dict[str, int]:
    """Masked values by kind in what is sent (counted from the placeholders, never the values)."""
    counts = Counter(
        kind for e in excerpts for kind in PLACEHOLDER.findall(f"{e.heading}\n{e.numbered}")
    )
    return dict(counts)


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
    prepared = {s.anchor: _excerpt(s, redact) for s in every}
    whole = sum(e.tokens for e in prepared.values()) <= max_tokens
    candidates = every if whole else _ranked(index, queries, k)
    chosen: dict[str, Excerpt] = {}
    used = 0
    for section in candidates:
        excerpt = prepared[section.anchor]
        if used + excerpt.tokens > max_tokens:
            part = _cut(excerpt, max_tokens - used)
            if part is None:
                continue
            excerpt = part
        chosen[section.anchor] = excerpt
        used += excerpt.tokens
    excerpts = [chosen[s.anchor] for s in every if s.anchor in chosen]  # document order
    return Selection(excerpts, len(every) - len(excerpts), _redactions(excerpts), whole)
