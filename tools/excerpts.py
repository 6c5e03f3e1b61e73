"""Excerpts for a model: the sections a gate's criteria retrieve, in budget, as plain text.

The model is not asked where a quote is (verification finds it), so excerpts carry no line
numbers: each document starts with a `=== path ===` header, and `[...]` marks text left out
between two excerpts, with the headings above the next one when it has any. Tokens are
estimated at four characters each (close enough for English prose to keep a prompt inside a
budget, and free: no tokenizer to load). A document set that fits the budget is sent whole;
otherwise each excerpt is costed as the prompt could show it at most (document header, gap
marker, headings and masked text), so the budget holds for what is sent. A section too large
for what is left of the budget is cut to its first lines that fit; a document that is one long
section is never sent whole past the budget.
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
GAP = "[...]"


def estimate_tokens(text: str) -> int:
    """A cheap token estimate for budgeting a prompt."""
    return len(text) // CHARS_PER_TOKEN + 1


def document_header(path: str) -> str:
    """The line that opens a document's excerpts in the prompt."""
    return f"=== {path} ==="


@dataclass(frozen=True)
class Excerpt:
    """A section as sent to a model: its text (masked if need be) and what leads into it."""

    path: str
    heading: str
    line_start: int
    line_end: int
    text: str
    lead: str = ""  # the document header and/or gap marker shown before the text

    @property
    def rendered(self) -> str:
        """The excerpt as the prompt shows it (`gate_user.md` renders this)."""
        return f"{self.lead}\n{self.text}" if self.lead else self.text

    @property
    def tokens(self) -> int:
        """Estimated tokens of the excerpt as the prompt shows it."""
        return estimate_tokens(f"{self.rendered}\n")


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


def _excerpt(section: Section, masked: bool) -> Excerpt:
    """The section as sent; masked (heading path too: it holds ancestors' headings)."""
    lines = section.text.split("\n")
    heading = " > ".join(section.heading_path[:-1])
    if masked:
        lines, _ = redact_lines(lines)
        heading = redact_lines([heading])[0][0]
    return Excerpt(
        path=section.path,
        heading=heading,
        line_start=section.line_start,
        line_end=section.line_end,
        text="\n".join(lines),
    )


def _gap(excerpt: Excerpt) -> str:
    """The marker of left-out text before an excerpt, with the headings above it."""
    return f"{GAP} ({excerpt.heading})" if excerpt.heading else GAP


def _worst_lead(excerpt: Excerpt) -> Excerpt:
    """The excerpt with the longest lead it could be shown with (for costing)."""
    return replace(excerpt, lead=f"{document_header(excerpt.path)}\n{_gap(excerpt)}")


def _with_leads(excerpts: list[tuple[Excerpt, bool]]) -> list[Excerpt]:
    """Excerpts in document order, each with its document header and, when the text before it
    was left out (`follows` is False), a gap marker."""
    led: list[Excerpt] = []
    previous: Excerpt | None = None
    for excerpt, follows in excerpts:
        parts = []
        if previous is None or previous.path != excerpt.path:
            parts.append(document_header(excerpt.path))
        if not follows:
            parts.append(_gap(excerpt))
        led.append(replace(excerpt, lead="\n".join(parts)))
        previous = excerpt
    return led


def _cut(excerpt: Excerpt, budget: int) -> Excerpt | None:
    """The excerpt's longest run of first lines within budget; None if under MIN_PART_TOKENS."""
    if budget < MIN_PART_TOKENS:
        return None
    lines = excerpt.text.split("\n")

    def first(n: int) -> Excerpt:
        return replace(
            excerpt, line_end=excerpt.line_start + n - 1, text="\n".join(lines[:n])
        )

    low, high = 0, len(lines)  # first(low) fits (or low == 0); first(high + 1) does not
    while low < high:
        middle = (low + high + 1) // 2
        if _worst_lead(first(middle)).tokens <= budget:
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
    counts = Counter(kind for e in excerpts for kind in PLACEHOLDER.findall(e.rendered))
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
    whole = _with_leads([(e, True) for e in prepared.values()])
    if sum(e.tokens for e in whole) <= max_tokens:
        return Selection(whole, 0, _redactions(whole), True)
    chosen: dict[str, Excerpt] = {}
    used = 0
    for section in _ranked(index, queries, k):
        excerpt = prepared[section.anchor]
        cost = _worst_lead(excerpt).tokens
        if used + cost > max_tokens:
            part = _cut(excerpt, max_tokens - used)
            if part is None:
                continue
            excerpt, cost = part, _worst_lead(part).tokens
        chosen[section.anchor] = excerpt
        used += cost
    shown: list[tuple[Excerpt, bool]] = []
    for before, section in zip([None, *every], every, strict=False):
        if section.anchor not in chosen:
            continue
        # Nothing was left out before it: it opens its document, or the section before it is
        # shown whole.
        opens = before is None or before.path != section.path
        whole_before = (
            not opens
            and before is not None
            and before.anchor in chosen
            and chosen[before.anchor].line_end == before.line_end
        )
        shown.append((chosen[section.anchor], opens or whole_before))
    excerpts = _with_leads(shown)
    return Selection(excerpts, len(every) - len(excerpts), _redactions(excerpts), False)
