"""Evidence verification: find a model's quote in the source documents and anchor it there.

A quote is looked up in three passes, most faithful first, and the line numbers always come from
where it was found, never from what the model claimed:

1. exact: the quote is a substring of a document's text (lines joined with "\\n", so a quote
   may span a line break).
2. normalised: both sides are normalised (whitespace collapsed, curly quotes and dashes made
   straight, the ellipsis character spelled "...", case folded, the Markdown emphasis markers
   `*`, `_` and backticks dropped) and the quote is searched again. An offset map from every
   normalised character back to the source character it came from turns the hit into exact
   source offsets, so the returned text is the document's own text.
3. fuzzy: `rapidfuzz.fuzz.partial_ratio_alignment` aligns the normalised quote with each
   document's normalised text. A hit is accepted when it scores at least FUZZY_THRESHOLD, the
   normalised quote has at least FUZZY_MIN_CHARS characters and the two differ in no negation,
   modal verb, number or name (`same_meaning`); the returned text is the aligned
   source text widened or trimmed to whole words.

Why FUZZY_THRESHOLD = 90: the score is an indel similarity (100 = identical). One slipped word
("must" for "shall", a dropped article) in a sentence-long quote of 50-100 characters costs
2-10 points, so a paraphrase that keeps the source's words still lands; at 80 and below two
different sentences that share the boilerplate of a design document ("the model will be
monitored by the ... team") start to align, and a quote the document does not contain would be
"verified" against a neighbour. Measured on the public ADRs and model card in the shared
realdocs: invented sentences that reuse a document's opening words score 82-83, one-word slips
93-99. Why FUZZY_MIN_CHARS = 20: in a short quote one word is a large
share of the characters, and short strings align by chance somewhere in a long document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from agents.models import Evidence, Finding
from tools.documents import Document

FUZZY_THRESHOLD = 90.0
FUZZY_MIN_CHARS = 20
FUZZY_WINDOW = 2_000  # characters of normalised text aligned at a time
MAX_OCCURRENCES = 10_000  # a tie-break over more hits than this gains nothing

MatchKind = Literal["exact", "normalised", "fuzzy"]
VerificationKind = Literal["exact", "normalised", "fuzzy", "unlocated", "external"]

_TRANSLATION = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),  # curly single quotes, prime
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),  # curly double quotes
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),  # dashes, minus
        "\u2026": "...",
    }
)
_TOKEN = re.compile(r"[^\s*_`]+")


@dataclass(frozen=True, slots=True)
class Match:
    """Where a quote was found: the document's own text at that place and how it was matched."""

    path: str
    line_start: int
    line_end: int
    text: str
    kind: MatchKind
    score: float


@dataclass(frozen=True, slots=True)
class _Source:
    """A document's text, its line offsets and its normalised form with the offset map."""

    path: str
    text: str
    line_starts: tuple[int, ...]
    norm: str
    origin: tuple[int, ...]

    def line_of(self, offset: int) -> int:
        """The 1-based line holding the source character at offset."""
        return bisect_right(self.line_starts, offset)


@dataclass(frozen=True, slots=True)
class _Hit:
    """A candidate span in one source, in source offsets (end exclusive)."""

    order: int
    source: _Source
    start: int
    end: int
    score: float


def normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the offset of the source character."""
    out: list[str] = []
    origin: list[int] = []
    previous_end = 0
    for token in _TOKEN.finditer(text):
        start, end = token.span()
        if out:
            gap = text[previous_end:start]
            space_at = next((i for i, ch in enumerate(gap) if ch.isspace()), None)
            if space_at is not None:
                out.append(" ")
                origin.append(previous_end + space_at)
        previous_end = end
        word = token.group().translate(_TRANSLATION).casefold()
        if len(word) == end - start:
            out.append(word)
            origin.extend(range(start, end))
            continue
        for offset in range(start, end):  # a character changed length: map it one by one
            piece = text[offset].translate(_TRANSLATION).casefold()
            out.append(piece)
            origin.extend([offset] * len(piece))
    return "".join(out), origin


@lru_cache(maxsize=64)
def _source(path: str, text: str) -> _Source:
    """The searchable form of one document, cached: a finding's quotes share their documents."""
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    norm, origin = normalise(text)
    return _Source(path, text, tuple(starts), norm, tuple(origin))


def _occurrences(haystack: str, needle: str) -> list[int]:
    """Start offsets of every occurrence of needle in haystack (overlapping), capped."""
    found: list[int] = []
    at = haystack.find(needle)
    while at != -1 and len(found) < MAX_OCCURRENCES:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _exact_hits(quote: str, sources: list[_Source]) -> list[_Hit]:
    """Hits of the quote as it stands."""
    return [
        _Hit(order, src, at, at + len(quote), 100.0)
        for order, src in enumerate(sources)
        for at in _occurrences(src.text, quote)
    ]


def _normalised_hits(quote_norm: str, sources: list[_Source]) -> list[_Hit]:
    """Hits of the normalised quote, mapped back to source offsets."""
    hits: list[_Hit] = []
    for order, src in enumerate(sources):
        for at in _occurrences(src.norm, quote_norm):
            end = src.origin[at + len(quote_norm) - 1] + 1
            hits.append(_Hit(order, src, src.origin[at], end, 100.0))
    return hits


def _word_bounds(norm: str, start: int, end: int) -> tuple[int, int]:
    """Widen or trim an aligned span [start, end) of normalised text to whole words."""
    if 0 < start < len(norm) and norm[start - 1] != " " and norm[start] != " ":
        word_start = norm.rfind(" ", 0, start) + 1
        word_end = norm.find(" ", start)
        word_end = len(norm) if word_end == -1 else word_end
        # keep the word when most of it was aligned, else drop the stray tail of a neighbour
        start = word_start if (word_end - start) * 2 >= word_end - word_start else word_end
    if 0 < end < len(norm) and norm[end - 1] != " " and norm[end] != " ":
        word_start = norm.rfind(" ", 0, end) + 1
        word_end = norm.find(" ", end)
        word_end = len(norm) if word_end == -1 else word_end
        end = word_end if (end - word_start) * 2 >= word_end - word_start else word_start
    while start < end and norm[start] == " ":
        start += 1
    while end > start and norm[end - 1] == " ":
        end -= 1
    return start, end


def _windows(length: int, quote_len: int) -> list[tuple[int, int]]:
    """Overlapping windows of equal size; every span up to twice the quote fits whole in one."""
    size = max(FUZZY_WINDOW, quote_len * 4)
    if length <= size:  # a text shorter than the quote cannot hold it
        return [(0, length)] if length >= quote_len else []
    starts = list(range(0, length - size, size - quote_len * 2))
    starts.append(length - size)  # the last window is full-sized too, never a stub
    return [(start, start + size) for start in starts]


def _fuzzy_hits(quote_norm: str, sources: list[_Source]) -> list[_Hit]:
    """The best alignment of the normalised quote in each window, at or above the threshold."""
    if len(quote_norm) < FUZZY_MIN_CHARS:
        return []
    hits: dict[tuple[int, int, int], _Hit] = {}
    for order, src in enumerate(sources):
        for low, high in _windows(len(src.norm), len(quote_norm)):
            aligned = fuzz.partial_ratio_alignment(
                quote_norm, src.norm[low:high], score_cutoff=FUZZY_THRESHOLD
            )
            if aligned is None:
                continue
            start, end = _word_bounds(src.norm, low + aligned.dest_start, low + aligned.dest_end)
            if start < end:
                start, end = src.origin[start], src.origin[end - 1] + 1
                hits.setdefault((order, start, end), _Hit(order, src, start, end, aligned.score))
    return list(hits.values())


def _path_matches(hint: str, path: str) -> bool:
    """True when a model's path names this document (it may give only the file name)."""
    hint, path = hint.replace("\\", "/"), path.replace("\\", "/")
    return hint == path or path.endswith("/" + hint) or hint.endswith("/" + path)


def _best(hits: list[_Hit], path_hint: str | None, line_hint: int | None) -> _Hit:
    """Best score first; then the hinted document, the hinted line, the first occurrence."""

    def rank(hit: _Hit) -> tuple[float, int, int, int, int]:
        other_doc = int(path_hint is not None and not _path_matches(path_hint, hit.source.path))
        distance = 0 if line_hint is None else abs(hit.source.line_of(hit.start) - line_hint)
        return (-hit.score, other_doc, distance, hit.order, hit.start)

    return min(hits, key=rank)


def _sources(documents: list[Document]) -> list[_Source]:
    """The searchable form of each document."""
    return [_source(doc.path, "\n".join(doc.lines)) for doc in documents]


def locate_quote(
    quote: str,
    documents: list[Document],
    path_hint: str | None = None,
    line_hint: int | None = None,
) -> Match | None:
    """Find a quote in the documents: exact, then normalised, then fuzzy; None if absent."""
    quote = quote.strip()
    if not quote:
        return None
    sources = _sources(documents)
    quote_norm, _ = normalise(quote)
    passes: tuple[tuple[MatchKind, list[_Hit]], ...] = (
        ("exact", _exact_hits(quote, sources)),
        ("normalised", _normalised_hits(quote_norm, sources) if quote_norm else []),
    )
    for kind, hits in passes:
        if hits:
            return _as_match(_best(hits, path_hint, line_hint), kind)
    fuzzy = [
        hit
        for hit in _fuzzy_hits(quote_norm, sources)
        if same_meaning(quote, hit.source.text[hit.start : hit.end])
    ]
    return _as_match(_best(fuzzy, path_hint, line_hint), "fuzzy") if fuzzy else None


_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|\d+(?:[.,]\d+)*")
_NEGATIONS = frozenset(
    "no not never none nor neither without cannot can't won't don't doesn't didn't isn't "
    "aren't wasn't weren't hasn't haven't hadn't shouldn't mustn't nobody nothing".split()
)
_MODALS = frozenset("will would may might must shall should can could".split())


def _marks(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """A text's negations, modal verbs and numbers; its names (capitalised words after the
    first), lowercased; and all its words, lowercased."""
    words = _WORD.findall(text.replace("\u2019", "'"))
    lower = [w.lower() for w in words]
    return (
        frozenset(w for w in lower if w in _NEGATIONS or w.endswith("n't"))
        | frozenset(f"modal:{w}" for w in lower if w in _MODALS)
        | frozenset(f"number:{w}" for w in words if w[:1].isdigit()),
        frozenset(w.lower() for i, w in enumerate(words) if i and w[:1].isupper() and w.isalpha()),
        frozenset(lower),
    )


def same_meaning(quote: str, found: str) -> bool:
    """True when a fuzzy match differs from the quote only in spelling, spacing, punctuation or
    case: not in a negation, a modal verb, a number or a name (as "has not been named" against
    "has been named")."""
    ours, theirs = _marks(quote), _marks(found)
    if ours[0] != theirs[0]:
        return False
    # A name (in either text) must be in the other too, in any case.
    return ours[1] <= theirs[2] and theirs[1] <= ours[2]


def _as_match(hit: _Hit, kind: MatchKind) -> Match:
    """The public form of a hit: path, lines and the document's own text."""
    src = hit.source
    return Match(
        path=src.path,
        line_start=src.line_of(hit.start),
        line_end=src.line_of(hit.end - 1),
        text=src.text[hit.start : hit.end],
        kind=kind,
        score=round(hit.score, 1),
    )


def verify_evidence(
    evidence: Evidence, documents: list[Document]
) -> tuple[Evidence, VerificationKind]:
    """Evidence anchored where its quote was found (verified), or marked unverified."""
    if evidence.kind == "external":
        return evidence, "external"
    found = locate_quote(evidence.quote, documents, evidence.path, evidence.line_start)
    if found is None:
        return evidence.model_copy(update={"verified": False}), "unlocated"
    anchored = evidence.model_copy(
        update={
            "path": found.path,
            "line_start": found.line_start,
            "line_end": found.line_end,
            "quote": found.text,
            "verified": True,
        }
    )
    return anchored, found.kind


def verify_finding(
    finding: Finding, documents: list[Document]
) -> tuple[Finding, list[VerificationKind]]:
    """The finding with every piece of evidence verified, and how each one was matched."""
    results = [verify_evidence(item, documents) for item in finding.evidence]
    verified = finding.model_copy(update={"evidence": [evidence for evidence, _ in results]})
    return verified, [kind for _, kind in results]


def groundedness(findings: list[Finding]) -> float | None:
    """Share of document evidence that is verified; None when there is no document evidence."""
    quotes = [item for finding in findings for item in finding.document_evidence]
    if not quotes:
        return None
    return sum(item.verified for item in quotes) / len(quotes)
