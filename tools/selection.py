"""What a gate is sent of the documents: all of them when they fit, else the budget split by
criterion need.

Each criterion gets an equal share of the context budget and spends it on the sections it
retrieves, best first. A section it needs (scoring at least NEED of its best section) is taken
whole when that fits what is left of its share; otherwise only the sentences of it that carry
the criterion's terms (with a table's header row) are taken, the most matching first, and a
section none of whose sentences do is taken from its first line. A section or sentence taken
for one criterion costs the others nothing, so text that several criteria need is sent once;
and a share a criterion does not need is not spent: a document that answers each criterion in
a few places is sent in those few places, not up to the budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from tools.documents import Document, Section
from tools.excerpts import (
    CHARS_PER_TOKEN,
    Excerpt,
    Selection,
    masked,
    redactions,
    section_excerpt,
    with_leads,
    worst_lead,
)
from tools.retrieval import SectionIndex, tokenize

NEED = 0.25  # a section scoring under this share of a criterion's best one is not needed
MIN_PART_TOKENS = 100  # less than this left of a share is not worth a part of a section


@dataclass
class _Part:
    """The lines of one section chosen so far (offsets into its lines) and their cost."""

    excerpt: Excerpt
    lead_chars: int  # the longest lead a run of its lines could be shown with
    lines: list[str] = field(init=False)
    chosen: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.lines = self.excerpt.text.split("\n")

    @property
    def whole(self) -> bool:
        return len(self.chosen) == len(self.lines)

    def added_cost(self, offsets: Sequence[int]) -> float:
        """Tokens that taking these lines adds: their text, and a lead for each new run."""
        lines, taken = self.lines, set(self.chosen)
        chars = 0
        for offset in sorted(set(offsets) - taken):
            above, below = _neighbour(lines, taken, offset, -1), _neighbour(lines, taken, offset, 1)
            chars += len(lines[offset]) + 1
            if above is None and below is None:
                chars += self.lead_chars + 1 + CHARS_PER_TOKEN  # a new run: lead, break, +1 token
            for near in (above, below):
                if near is not None:
                    chars += abs(offset - near) - 1  # the blank lines bridged to it
            if above is not None and below is not None:
                chars -= self.lead_chars + 1 + CHARS_PER_TOKEN  # two runs become one
            taken.add(offset)
        return chars / CHARS_PER_TOKEN


def _neighbour(lines: list[str], taken: set[int], offset: int, step: int) -> int | None:
    """The chosen line next to `offset` in direction `step` with only blank lines between."""
    near = offset + step
    while 0 <= near < len(lines) and not lines[near].strip() and near not in taken:
        near += step
    return near if near in taken else None


def _table_head(lines: list[str], offset: int) -> list[int]:
    """The header row (and rule) of the table a row belongs to; none for other lines."""
    if not lines[offset].lstrip().startswith("|"):
        return []
    top = offset
    while top > 0 and lines[top - 1].lstrip().startswith("|"):
        top -= 1
    head = [top]
    if top + 1 < len(lines) and set(lines[top + 1].replace(" ", "")) <= set("|:-"):
        head.append(top + 1)
    return [i for i in head if i != offset]


def _sentences(index: SectionIndex, section: Section, words: frozenset[str]) -> list[list[int]]:
    """Offsets of the section's sentences that carry the words, most words first; the section
    from its first line when none does."""
    scored = []
    for passage in index.passages(section):
        found = len(words.intersection(passage.tokens).union(words.intersection(passage.context)))
        if found:
            first = passage.line_start - section.line_start
            scored.append(
                (-found, first, list(range(first, passage.line_end - section.line_start + 1)))
            )
    if not scored:
        return [[offset] for offset in range(section.line_end - section.line_start + 1)]
    return [offsets for _, _, offsets in sorted(scored)]


class _Allotment:
    """Each criterion's share of the budget, spent on the lines of the sections it needs; the
    budget as a whole is never exceeded (with a small budget, the first criteria use it up)."""

    def __init__(
        self, parts: dict[str, _Part], index: SectionIndex, budget: int, criteria: int
    ) -> None:
        self.parts, self.index, self.budget = parts, index, float(budget)
        self.share = max(budget / max(1, criteria), MIN_PART_TOKENS)

    def spend(self, section: Section, words: frozenset[str], share: float) -> float:
        """Take the section (whole, or its best sentences) within what is left of a criterion's
        share and of the budget; returns what is left of the share."""
        part = self.parts[section.anchor]
        if part.whole:
            return share  # already sent for another criterion
        left = min(share, self.budget)
        every = range(len(part.lines))
        cost = part.added_cost(every)
        if cost > left:
            cost = 0.0 if left < MIN_PART_TOKENS else self._sentences(part, section, words, left)
        else:
            part.chosen.update(every)
        self.budget -= cost
        return share - cost

    def _sentences(
        self, part: _Part, section: Section, words: frozenset[str], left: float
    ) -> float:
        """Take the section's best sentences within `left` tokens; what they cost."""
        spent = 0.0
        for offsets in _sentences(self.index, section, words):
            wanted = [*offsets, *(h for o in offsets[:1] for h in _table_head(part.lines, o))]
            cost = part.added_cost(wanted)
            if spent + cost <= left:
                part.chosen.update(wanted)
                spent += cost
            if left - spent < 1:
                break
        return spent


def _parts(sections: list[Section], mask: bool) -> dict[str, _Part]:
    parts = {}
    for section in sections:
        excerpt = section_excerpt(section, mask)
        full = " > ".join(section.heading_path)  # what a gap inside the section names
        if mask:
            full = masked(full)
        leads = [worst_lead(replace(excerpt, heading=h)).lead for h in (excerpt.heading, full)]
        parts[section.anchor] = _Part(excerpt, max(len(lead) for lead in leads))
    return parts


def _runs(part: _Part, section: Section, masked_heading: str) -> list[tuple[Excerpt, bool]]:
    """The chosen lines of a section as excerpts, one per run (blank lines between chosen ones
    bridged); a run not at the section's start is led by a gap naming the section's heading."""
    lines, chosen = part.lines, sorted(part.chosen)
    runs: list[list[int]] = []
    for offset in chosen:
        if runs and all(not line.strip() for line in lines[runs[-1][-1] + 1 : offset]):
            runs[-1].extend(range(runs[-1][-1] + 1, offset + 1))
        else:
            runs.append([offset])
    shown = []
    for run in runs:
        first, last = run[0], run[-1]
        excerpt = replace(
            part.excerpt,
            line_start=section.line_start + first,
            line_end=section.line_start + last,
            text="\n".join(lines[first : last + 1]),
            heading=part.excerpt.heading if first == 0 else masked_heading,
        )
        shown.append((excerpt, first == 0))  # a run at the start may follow what came before
    return shown


def select_excerpts(
    documents: Sequence[Document],
    index: SectionIndex,
    queries: Sequence[Sequence[str]],
    max_tokens: int,
    *,
    redact: bool,
    k: int = 8,
) -> Selection:
    """Every section when the documents fit the budget; else what each criterion needs."""
    every = [s for d in documents for s in d.sections]
    parts = _parts(every, redact)
    whole = with_leads([(p.excerpt, True) for p in parts.values()])
    if sum(e.tokens for e in whole) <= max_tokens:
        return Selection(whole, 0, redactions(whole), True)
    allotment = _Allotment(parts, index, max_tokens, len(queries))
    hits = [index.search(list(q), k=k) for q in queries]
    words = [
        frozenset(t for term in q for t in tokenize(term, keep_stopwords=False)) for q in queries
    ]
    left = [allotment.share] * len(queries)
    for rank in range(k):  # round robin: every criterion's best section before any second best
        for i, ranked in enumerate(hits):
            if rank < len(ranked) and ranked[rank].score >= NEED * ranked[0].score:
                left[i] = allotment.spend(ranked[rank].section, words[i], left[i])
    return _selection(every, parts, redact)


def _selection(every: list[Section], parts: dict[str, _Part], mask: bool) -> Selection:
    shown: list[tuple[Excerpt, bool]] = []
    previous: Section | None = None
    for section in every:
        part = parts[section.anchor]
        if part.chosen:
            full = " > ".join(section.heading_path)
            heading = masked(full) if mask else full
            runs = _runs(part, section, heading)
            first, starts = runs[0]
            # Nothing was left out before a run at the section's start when it opens its
            # document or the section before it was shown to its end.
            opens = previous is None or previous.path != section.path
            ends = (
                previous is not None
                and 0 < len(parts[previous.anchor].chosen)
                and (max(parts[previous.anchor].chosen) == len(parts[previous.anchor].lines) - 1)
            )
            runs[0] = (first, starts and (opens or ends))
            shown.extend(runs)
        previous = section
    excerpts = with_leads(shown)
    sent = sum(1 for p in parts.values() if p.chosen)
    return Selection(excerpts, len(every) - sent, redactions(excerpts), False)
