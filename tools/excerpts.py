"""Excerpts for a model: what a gate is sent of the documents, as plain text.

The model is not asked where a quote is (verification finds it), so excerpts carry no line
numbers: each document starts with a `=== path ===` header, and `[...]` marks text left out
between two excerpts, with the headings above the next one when it has any. Tokens are
estimated at four characters each (close enough for English prose to keep a prompt inside a
budget, and free: no tokenizer to load). Which text is sent is `tools.selection`'s choice; an
excerpt is costed as the prompt could show it at most (document header, gap marker, headings
and masked text), so the budget holds for what is sent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from guard import redact_lines
from tools.documents import Section
from vocabulary.escaping import PLACEHOLDER

CHARS_PER_TOKEN = 4
GAP = "[...]"


def estimate_tokens(text: str) -> int:
    """A cheap token estimate for budgeting a prompt."""
    return len(text) // CHARS_PER_TOKEN + 1


def document_header(path: str) -> str:
    """The line that opens a document's excerpts in the prompt."""
    return f"=== {path} ==="


@dataclass(frozen=True)
class Excerpt:
    """A section, or a run of its lines, as sent to a model: its text (masked if need be) and
    what leads into it."""

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


@lru_cache(maxsize=1 << 14)
def masked(text: str) -> str:
    """Text with personal data and secrets masked, line for line (cached: the five gates of a
    review send many of the same sections, and masking is most of what preparing one costs)."""
    return "\n".join(redact_lines(text.split("\n"))[0])


def section_excerpt(section: Section, mask: bool) -> Excerpt:
    """The section as sent; masked (heading path too: it holds ancestors' headings)."""
    heading = " > ".join(section.heading_path[:-1])
    return Excerpt(
        path=section.path,
        heading=masked(heading) if mask else heading,
        line_start=section.line_start,
        line_end=section.line_end,
        text=masked(section.text) if mask else section.text,
    )


def gap(heading: str) -> str:
    """The marker of left-out text before an excerpt, with the headings above it."""
    return f"{GAP} ({heading})" if heading else GAP


def worst_lead(excerpt: Excerpt) -> Excerpt:
    """The excerpt with the longest lead it could be shown with (for costing)."""
    return replace(excerpt, lead=f"{document_header(excerpt.path)}\n{gap(excerpt.heading)}")


def with_leads(excerpts: list[tuple[Excerpt, bool]]) -> list[Excerpt]:
    """Excerpts in document order, each with its document header and, when the text before it
    was left out (`follows` is False), a gap marker."""
    led: list[Excerpt] = []
    previous: Excerpt | None = None
    for excerpt, follows in excerpts:
        parts = []
        if previous is None or previous.path != excerpt.path:
            parts.append(document_header(excerpt.path))
        if not follows:
            parts.append(gap(excerpt.heading))
        led.append(replace(excerpt, lead="\n".join(parts)))
        previous = excerpt
    return led


def redactions(excerpts: list[Excerpt]) -> dict[str, int]:
    """Masked values by kind in what is sent (counted from the placeholders, never the values)."""
    counts = Counter(kind for e in excerpts for kind in PLACEHOLDER.findall(e.rendered))
    return dict(counts)
