"""Text in a document aimed at its reviewers rather than its readers (prompt injection).

The patterns live in `agents/rubrics/injection.toml`. Each document's text is normalised
(whitespace collapsed, zero-width characters and Markdown emphasis markers dropped) with a map
back to the source, so a hit is reported with the document's own lines and a verbatim quote.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.errors import RubricError
from agents.models import Evidence
from tools.documents import Document

PATTERNS_PATH = Path(__file__).resolve().parent.parent / "agents" / "rubrics" / "injection.toml"
MAX_QUOTE = 200  # characters, as for every other quote in a finding
MAX_PER_DOCUMENT = 50  # a document made of attacks needs no more to be judged
_GUARD_WINDOW = 80  # characters before a hit searched for a description of the own system

Place = Literal["body", "heading", "code", "comment", "table"]

# Zero-width characters, soft hyphens and emphasis markers can split a phrase without showing.
_SQUEEZE = re.compile(r"\s+|[\u200b\u200c\u200d\u2060\ufeff\u00ad*~]+")
# An opening quote right before a hit, after three words of the same sentence: a mention.
_QUOTED_MENTION = re.compile(r"(?:\w+[^\w.!?:\n]+){3}[(\[]?[\"'\u201c\u2018`]\s?$")
_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


class Pattern(BaseModel):
    """One named kind of reviewer-aimed text, with examples the tests check."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z_]+$")
    description: str
    regex: str
    examples: list[str] = Field(min_length=1)
    counter_examples: list[str] = Field(default_factory=list)


class PatternSet(BaseModel):
    """All patterns and the guard that drops descriptions of the document's own system."""

    model_config = ConfigDict(extra="forbid")

    describes_own_system: str
    patterns: list[Pattern] = Field(min_length=1)


class ReviewerInstruction(BaseModel):
    """A passage of a document addressed to its reviewers, quoted verbatim from its lines."""

    model_config = ConfigDict(extra="forbid")

    path: str
    line_start: int = Field(description="First line of the quote (1-based, inclusive)")
    line_end: int = Field(description="Last line of the quote (1-based, inclusive)")
    quote: str = Field(description="Verbatim text of the document at those lines")
    pattern: str = Field(description="Name of the pattern in injection.toml that matched")
    place: Place = Field(description="Where it stands: body, heading, code, comment or table")

    @property
    def location(self) -> str:
        """`path:line` or `path:first-last`."""
        return self.as_evidence().location

    def as_evidence(self) -> Evidence:
        """The hit as verified document evidence for a finding."""
        return Evidence(
            path=self.path,
            line_start=self.line_start,
            line_end=self.line_end,
            quote=self.quote,
            verified=True,
        )


@cache
def load_patterns(path: Path = PATTERNS_PATH) -> tuple[PatternSet, dict[str, re.Pattern[str]]]:
    """The pattern set and its compiled regexes (read once per process)."""
    try:
        patterns = PatternSet.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
        compiled = {p.name: re.compile(p.regex, re.IGNORECASE) for p in patterns.patterns}
        compiled["_guard"] = re.compile(patterns.describes_own_system, re.IGNORECASE)
    except (OSError, tomllib.TOMLDecodeError, ValueError, re.error) as exc:
        raise RubricError(f"{path}: {str(exc).splitlines()[0]}") from exc
    return patterns, compiled


def find_reviewer_instructions(documents: Iterable[Document]) -> list[ReviewerInstruction]:
    """Every passage aimed at the reviewers, in document and line order; one per pattern a line."""
    return [hit for document in documents for hit in _document_hits(document)]


def _document_hits(document: Document) -> list[ReviewerInstruction]:
    """The hits of one document, at most MAX_PER_DOCUMENT."""
    patterns, compiled = load_patterns()
    text = "\n".join(document.lines)
    norm, origin = _normalise(text)
    line_starts = [0]
    for line in document.lines[:-1]:
        line_starts.append(line_starts[-1] + len(line) + 1)
    places = _places(document.lines)
    guard = compiled["_guard"]
    found: dict[tuple[int, str], ReviewerInstruction] = {}
    for pattern in patterns.patterns:
        for match in compiled[pattern.name].finditer(norm):
            if match.end() == match.start():
                continue
            before = norm[max(0, match.start() - _GUARD_WINDOW) : match.start()]
            if guard.search(before) or _QUOTED_MENTION.search(before):
                continue
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            first = bisect_right(line_starts, start)
            last = bisect_right(line_starts, end - 1)
            if (first, pattern.name) not in found:
                quote = _quote(document, text, start, end, first, last)
                found[(first, pattern.name)] = ReviewerInstruction(
                    path=document.path,
                    line_start=first,
                    line_end=last,
                    quote=quote,
                    pattern=pattern.name,
                    place=places[first - 1],
                )
    hits = sorted(found.values(), key=lambda hit: (hit.line_start, hit.pattern))
    return hits[:MAX_PER_DOCUMENT]


def _normalise(text: str) -> tuple[str, list[int]]:
    """Text with whitespace runs collapsed and emphasis dropped, and each character's origin."""
    parts: list[str] = []
    origin: list[int] = []
    done = 0
    space = False  # the last character kept is a space
    for match in _SQUEEZE.finditer(text):
        if match.start() > done:
            parts.append(text[done : match.start()])
            origin.extend(range(done, match.start()))
            space = False
        if match.group()[0].isspace() and not space and origin:
            parts.append(" ")
            origin.append(match.start())
            space = True
        done = match.end()
    parts.append(text[done:])
    origin.extend(range(done, len(text)))
    return "".join(parts), origin


def _quote(document: Document, text: str, start: int, end: int, first: int, last: int) -> str:
    """The hit's whole lines when short, else the matched text itself; always verbatim."""
    whole = document.line_text(first, last).strip()
    quote = whole if len(whole) <= MAX_QUOTE else text[start:end].strip()[:MAX_QUOTE].rstrip()
    if quote not in document.line_text(first, last):  # the map above guarantees this
        raise AssertionError(f"quote not verbatim at {document.path}:{first}-{last}")
    return quote


def _places(lines: list[str]) -> list[Place]:
    """Where each line stands in Markdown terms: heading, fenced code, HTML comment, table, body."""
    places: list[Place] = []
    fence = ""
    in_comment = False
    for line in lines:
        stripped = line.strip()
        if fence:
            places.append("code")
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
        elif in_comment or "<!--" in stripped:
            places.append("comment")  # hidden when the Markdown is rendered
            tail = stripped if in_comment else stripped.split("<!--", 1)[1]
            in_comment = "-->" not in tail
        elif match := _FENCE.match(line):
            places.append("code")
            fence = match.group(1)
        elif _ATX.match(line):
            places.append("heading")
        elif stripped.startswith("|"):
            places.append("table")
        elif line.startswith(("    ", "\t")):
            places.append("code")
        else:
            places.append("body")
    return places


def without_instructions(
    documents: list[Document], hits: Iterable[ReviewerInstruction]
) -> list[Document]:
    """The documents with every flagged line blanked, so no reviewer reads or quotes it.

    Lines are emptied, not removed, so every other line keeps its number.
    """
    flagged: dict[str, set[int]] = {}
    for hit in hits:
        flagged.setdefault(hit.path, set()).update(range(hit.line_start, hit.line_end + 1))
    cleaned = []
    for doc in documents:
        lines_out = flagged.get(doc.path)
        if not lines_out:
            cleaned.append(doc)
            continue
        lines = ["" if i + 1 in lines_out else line for i, line in enumerate(doc.lines)]
        sections = [
            s.model_copy(update={"text": "\n".join(lines[s.line_start - 1 : s.line_end])})
            for s in doc.sections
        ]
        cleaned.append(doc.model_copy(update={"lines": lines, "sections": sections}))
    return cleaned
