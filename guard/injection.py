"""Text in a document aimed at its reviewers rather than its readers (prompt injection).

The patterns live in `guard/injection.toml`; orders in any language are found by concept
(`guard.concepts`). Each document's text is folded first (`guard.folding`: invisible
characters dropped, look-alike letters and compatibility forms made plain, spelled-out words
joined, whitespace collapsed), and read again where a model may read it otherwise (invisible
characters as word breaks, digits as letters), each reading with a map back to the source, so a
hit is reported with the document's own lines and a verbatim quote. One RE2 pass finds where
any pattern may match (`guard.prefilter`); the patterns decide there. The folded text is
scanned as it reads and reversed (text written right to left); base64 runs that decode to text
are scanned too, and tables are checked for forged decisions (`guard.forgeries`). Text a
reader does not see (`Document.hidden`) is scanned the same way. Every hit is reported: there
is no cap a document could exhaust with decoys. (Over 300 lines: the hit, its scan and its
withholding are one concept; the scanning parts live in the modules named above.)
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any as Document
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from guard.concepts import concept_orders, order_names
from guard.folding import fold, foldings
from guard.forgeries import decision_rows, encoded_texts
from guard.prefilter import Family
from guard.visibility import HiddenText
from vocabulary.errors import RubricError
from vocabulary.models import Evidence

PATTERNS_PATH = Path(__file__).resolve().with_name("injection.toml")
MAX_QUOTE = 200  # characters, as for every other quote in a finding
_GUARD_WINDOW = 80  # characters before a hit searched for a description of the own system
DECISION_TABLE = "decision_table"
ENCODED = "encoded_instruction"

Place = Literal["body", "heading", "code", "comment", "table", "hidden", "metadata"]

# An opening quote right before a hit, after three words of the same sentence: a mention.
_QUOTED_MENTION = re.compile(r"(?:\w+[^\w.!?:\n]+){3}[(\[]?[\"'\u201c\u2018`]\s?$")
_ATX = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_LINE = re.compile(r"[^\n]+")
# Common words, and the words of orders to reviewers; a line holding more of them reversed than
# as written was written right to left ("ydaer era setag lla").
_COMMON_WORDS = (
    "the and are all to of is be as for every your you must gate gates ignore previous "
    "instructions ready mark criteria reviewer reviewers"
).split()
_COMMON = re.compile(rf"\b(?:{'|'.join(_COMMON_WORDS)})\b", re.IGNORECASE)
# A text without one of them reversed has no line holding more of them reversed than as written.
_REVERSED_WORDS = frozenset(w[::-1] for w in _COMMON_WORDS)
_REVERSED_COMMON = re.compile(rf"(?:{'|'.join(_REVERSED_WORDS)})", re.IGNORECASE)
_WORD = re.compile(r"\w+")
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
    pattern: str = Field(
        description="What matched: a pattern of injection.toml, decision_table (a forged "
        "sign-off table) or encoded_instruction (base64 that decodes to one)"
    )
    place: Place = Field(description="Where it stands: body, heading, code, comment, table, ...")
    hidden: bool = Field(
        default=False, description="In text a reader does not see (never document text anyway)"
    )
    reader_location: str | None = Field(
        default=None, description="Where a person opening the file finds it"
    )

    @property
    def location(self) -> str:
        """Where a reader finds it: `path:line`, `path:page:line`, `path:¶n`, ..."""
        return self.as_evidence().location

    def as_evidence(self) -> Evidence:
        """The hit as verified document evidence for a finding."""
        return Evidence(
            path=self.path,
            line_start=self.line_start,
            line_end=self.line_end,
            quote=self.quote,
            verified=True,
            reader_location=self.reader_location,
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


@cache
def _family(path: Path = PATTERNS_PATH) -> Family:
    """Every pattern, scanned together (`guard.prefilter`), compiled once."""
    patterns, compiled = load_patterns(path)
    return Family({p.name: compiled[p.name] for p in patterns.patterns})


def find_reviewer_instructions(documents: Iterable[Document]) -> list[ReviewerInstruction]:
    """Every passage aimed at the reviewers, in document and line order; one per pattern a line."""
    return [hit for document in documents for hit in _document_hits(document)]


def _reversed_lines(text: str) -> tuple[str, list[int]]:
    """The lines that read as text written right to left (more reversed than plain common
    words), each reversed, joined; with the source offset of each character."""
    parts: list[str] = []
    origin: list[int] = []
    if not _has_reversed_common_word(text):
        return "", origin
    for line in _LINE.finditer(text):
        backwards = line.group()[::-1]
        if len(_COMMON.findall(backwards)) > len(_COMMON.findall(line.group())):
            parts.append(backwards + "\n")
            origin.extend(range(line.end() - 1, line.start() - 1, -1))
            origin.append(line.end())
    return "".join(parts), origin


def _has_reversed_common_word(text: str) -> bool:
    """Whether a word of the text is a common word spelled backwards (in plain ASCII compared
    lower-cased; beyond it, the regex engine's case folding decides)."""
    return any(
        word.lower() in _REVERSED_WORDS if word.isascii() else _REVERSED_COMMON.fullmatch(word)
        for word in set(_WORD.findall(text))
    )


def scan_text(text: str, *, decode: bool = True) -> Iterator[tuple[int, int, str]]:
    """Every match in the text as (start, end, pattern name), in source offsets."""
    _, compiled = load_patterns()
    family = _family()
    guard = compiled["_guard"]
    for folded, origin in foldings(text):
        spans = [(m.start(), m.end(), name) for name, m in family.finditer(folded)]
        for start, end, name in [*spans, *concept_orders(folded)]:
            if end == start:
                continue
            before = folded[max(0, start - _GUARD_WINDOW) : start]
            if guard.search(before) or _QUOTED_MENTION.search(before):
                continue
            yield origin[start], origin[end - 1] + 1, name
    backwards, back_origin = _reversed_lines(text)
    if backwards:  # written right to left
        unfolded, back_fold = fold(backwards)
        for name, match in family.finditer(unfolded):
            if match.end() > match.start():
                first, last = back_fold[match.start()], back_fold[match.end() - 1]
                ends = (back_origin[first], back_origin[last])
                yield min(ends), max(ends) + 1, name
    if decode:
        for start, end, decoded in encoded_texts(text):
            if next(scan_text(decoded, decode=False), None) is not None:
                yield start, end, ENCODED


def _line_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    return starts


def _document_hits(document: Document) -> list[ReviewerInstruction]:
    """The hits of one document's visible text, then of its hidden text."""
    text = "\n".join(document.lines)
    line_starts = _line_starts(document.lines)
    places = _places(document.lines)
    found: dict[tuple[int, str], ReviewerInstruction] = {}
    for start, end, name in scan_text(text):
        first = bisect_right(line_starts, start)
        last = bisect_right(line_starts, end - 1)
        if (first, name) not in found:
            found[(first, name)] = ReviewerInstruction(
                path=document.path,
                line_start=first,
                line_end=last,
                quote=_quote(document.line_text(first, last), text[start:end]),
                pattern=name,
                place=places[first - 1],
                reader_location=document.location(first, last),
            )
    for index in decision_rows(document.lines):
        found.setdefault(
            (index + 1, DECISION_TABLE),
            ReviewerInstruction(
                path=document.path,
                line_start=index + 1,
                line_end=index + 1,
                quote=_quote(document.lines[index], document.lines[index]),
                pattern=DECISION_TABLE,
                place="table",
                reader_location=document.location(index + 1),
            ),
        )
    hits = sorted(_specific_first(found.values()), key=lambda hit: (hit.line_start, hit.pattern))
    return hits + [hit for hidden in document.hidden for hit in _hidden_hits(document, hidden)]


def _specific_first(hits: Iterable[ReviewerInstruction]) -> list[ReviewerInstruction]:
    """The hits without an order found by concept (`guard.concepts`) on a line where a named
    pattern already found one: the same passage is reported once, by its closer name."""
    hits = list(hits)
    named = {line for h in hits if h.pattern not in order_names()
             for line in range(h.line_start, h.line_end + 1)}  # fmt: skip
    return [h for h in hits if h.pattern not in order_names() or h.line_start not in named]


def _hidden_hits(document: Document, hidden: HiddenText) -> list[ReviewerInstruction]:
    """The hits in one passage a reader does not see, located where it sits in the file."""
    place: Place = {"html comment": "comment", "metadata": "metadata"}.get(hidden.why, "hidden")
    found: dict[str, ReviewerInstruction] = {}
    for start, end, name in scan_text(hidden.text):
        line = hidden.line_start + hidden.text.count("\n", 0, start) if hidden.line_start else 0
        last = line + hidden.text.count("\n", start, end) if line else 0
        located = hidden.why != "metadata" and document.kind != "pdf" and line >= 1
        found.setdefault(
            name,
            ReviewerInstruction(
                path=document.path,
                line_start=line,
                line_end=last,
                quote=_quote(hidden.text, hidden.text[start:end]),
                pattern=name,
                place=place,
                hidden=True,
                reader_location=document.location(line, last) if located else hidden.location,
            ),
        )
    return _specific_first(found.values())


def _quote(whole: str, matched: str) -> str:
    """The hit's whole lines when short, else the matched text itself; always verbatim."""
    whole = whole.strip()
    quote = whole if len(whole) <= MAX_QUOTE else matched.strip()[:MAX_QUOTE].rstrip()
    if quote not in whole:  # the offset map guarantees this
        raise AssertionError(f"quote not verbatim: {quote[:60]!r}")
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
        if hit.hidden:  # never in the visible lines: nothing to withhold there
            continue
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
