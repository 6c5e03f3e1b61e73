"""Section retrieval: BM25 over document sections, and sentence passages with exact line anchors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from tools.bm25 import BM25
from tools.documents import Document, Section

_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:['\u2019][a-z]+)?")
# Small on purpose: words such as "no", "not", "over" and "without" carry meaning for rubrics.
STOPWORDS = frozenset(
    "a an the of to and or for in on at by with is are was were be been being as it its this "
    "that these those we our us they their them i you your he she his her from into onto".split()
)
_SUFFIXES = (
    ("ally", "al"),
    ("ies", "y"),
    ("ied", "y"),
    ("ing", ""),
    ("ed", ""),
    ("es", ""),
    ("s", ""),
)


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light suffix-stripping stem: plurals, -ing, -ed, -ally, a final -e, -ize spelt -ise.

    Cached: a document repeats its vocabulary, so most words are stemmed once per process.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    word = word.replace("iz", "is") if word.endswith(("ize", "izes", "ized", "izing")) else word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and not word.endswith("ss"):
            base = word[: -len(suffix)] + replacement
            if len(base) >= 3:
                word = base
                break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _words(text: str) -> list[str]:
    """Words without apostrophes; a hyphenated word is split unless a part is a stopword,
    so "on-call" and "add-in" stay one word instead of shrinking to "call" and "add"."""
    words: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word.isalnum():  # most words: no hyphen or apostrophe to deal with
            words.append(word)
            continue
        word = word.replace("'", "").replace("\u2019", "")
        parts = word.split("-")
        words.extend(["".join(parts)] if any(p in STOPWORDS for p in parts) else parts)
    return words


def tokenize(text: str, keep_stopwords: bool = True) -> list[str]:
    """Lowercase words with punctuation and apostrophes removed, lightly stemmed."""
    return list(_tokens(text, keep_stopwords))


@lru_cache(maxsize=1 << 16)  # each gate reads the same sections and sentences: tokenize once
def _tokens(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    return tuple(stem(w) for w in _words(text) if keep_stopwords or w not in STOPWORDS)


def phrases(items: list[str]) -> list[tuple[str, ...]]:
    """Phrases as stemmed token tuples (stopwords and "..." dropped), unique, order kept."""
    seen: dict[tuple[str, ...], None] = {}
    for item in items:
        tokens = tuple(t for t in tokenize(item.replace("...", " "), keep_stopwords=False))
        if tokens:
            seen.setdefault(tokens, None)
    return list(seen)


def find_phrase(
    phrase: tuple[str, ...], tokens: tuple[str, ...], slack: int
) -> tuple[int, int] | None:
    """Where the phrase's tokens occur in order within len + slack tokens: (start, end)."""
    size, first = len(phrase), phrase[0]
    start = -1
    while True:
        try:  # jump to the next occurrence of the first word (a C-level scan)
            start = tokens.index(first, start + 1)
        except ValueError:
            return None
        at, position = 1, start + 1
        limit = min(len(tokens), start + size + slack)
        while at < size and position < limit:
            if tokens[position] == phrase[at]:
                at += 1
            position += 1
        if at == size:
            return start, position


@dataclass(frozen=True)
class Hit:
    """A section that matched a query, with its BM25 score."""

    section: Section
    score: float


@dataclass(frozen=True)
class Passage:
    """One sentence (or list item, or table row) of a section, anchored to its exact lines.

    `text` is a verbatim substring of the file (lines joined with "\\n" as in the file);
    `tokens` are its content words, lowercased and stemmed, stopwords removed; `context` are
    those of what the passage is read with: a table row's header row, or the lead-in sentence
    (ending in a colon) of the list an item belongs to.
    """

    path: str
    line_start: int
    line_end: int
    text: str
    heading: tuple[str, ...] = ()
    tokens: tuple[str, ...] = field(default=(), compare=False)
    context: tuple[str, ...] = field(default=(), compare=False)
    lead_in: str = field(default="", compare=False)  # the context's own text, as written


_BLOCK_BREAK = re.compile(r"^\s*(#|[-*+]\s|\d+[.)]\s|\||<|```|~~~|>)")
_LEADER = re.compile(r"^\s*(?:[-*+>|]\s*|\d+[.)]\s*)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]*]*\s+(?=[A-Z0-9\"'(\[*`])")


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Index ranges of paragraphs, list items and table rows; headings and code are left out."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    fenced = False
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            start = _close(blocks, start, i)
            continue
        if fenced or not line.strip() or line.lstrip().startswith("#"):
            start = _close(blocks, start, i)
            continue
        if start is not None and _BLOCK_BREAK.match(line) and not line.startswith("   "):
            start = _close(blocks, start, i)
        if start is None:
            start = i
    _close(blocks, start, len(lines))
    return blocks


def _close(blocks: list[tuple[int, int]], start: int | None, end: int) -> None:
    if start is not None:
        blocks.append((start, end))
    return None


_TABLE_RULE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_LIST_ITEM = re.compile(r"^([-*+]|\d+[.)])\s")


def _contexts(lines: list[str], blocks: list[tuple[int, int]]) -> list[str]:
    """Per block, the text it is read with: a table row its table's header row, a list item
    the sentence ending in a colon that introduces its list; otherwise nothing."""
    contexts: list[str] = []
    header = lead = ""
    for first, last in blocks:
        line = lines[first].lstrip()
        if line.startswith("|"):
            if last < len(lines) and _TABLE_RULE.match(lines[last]):
                header = lines[first]
                contexts.append("")
            else:
                contexts.append(header)
            continue
        header = ""
        if _LIST_ITEM.match(line):
            contexts.append(lead)
            continue
        text = "\n".join(lines[first:last]).rstrip()
        lead = _SENTENCE_END.split(text)[-1] if text.endswith(":") else ""
        contexts.append("")
    return contexts


def split_passages(section: Section) -> list[Passage]:
    """The section's sentences, each a verbatim substring of the file with exact line numbers."""
    lines = section.text.split("\n")
    heading = tuple(section.heading_path)
    passages: list[Passage] = []
    blocks = _blocks(lines)
    for (first, last), context in zip(blocks, _contexts(lines, blocks), strict=True):
        text = "\n".join(lines[first:last])
        around = tuple(tokenize(context, keep_stopwords=False))
        cuts = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
        counted, newlines = 0, 0  # newlines before `counted`: counted once, in order (linear)
        for begin, end in pairwise(cuts):
            chunk = text[begin:end].rstrip()
            leader = _LEADER.match(chunk)
            lead = len(leader.group(0)) if leader else 0
            chunk = chunk[lead:].rstrip(" |")
            tokens = tuple(tokenize(chunk, keep_stopwords=False))
            if len(tokens) < 2:
                continue
            offset = begin + lead
            newlines += text.count("\n", counted, offset)
            counted = offset
            line_start = section.line_start + first + newlines
            line_end = line_start + chunk.count("\n")
            passages.append(
                Passage(
                    path=section.path,
                    line_start=line_start,
                    line_end=line_end,
                    text=chunk,
                    heading=heading,
                    tokens=tokens,
                    context=around,
                    lead_in=context,
                )
            )
    return passages


class SectionIndex:
    """A BM25 index over the sections of the reviewed documents, built once per review."""

    def __init__(self, documents: list[Document]) -> None:
        """Index every section of every document (heading path included in its text)."""
        self.sections: list[Section] = [s for doc in documents for s in doc.sections]
        texts = [tokenize(s.text, keep_stopwords=False) for s in self.sections]
        corpus = [
            tokenize(" ".join(s.heading_path), keep_stopwords=False) + tokens
            for s, tokens in zip(self.sections, texts, strict=True)
        ]
        self._shapes = [tuple(t for t in tokens if not t.isdigit()) for tokens in texts]
        self._bm25 = BM25([tokens or [""] for tokens in corpus])
        self._position = {id(s): i for i, s in enumerate(self.sections)}
        self._passages: dict[int, list[Passage]] = {}
        # A criterion's query is asked for excerpts, by the offline reading and by the support
        # checks: ranked once per review.
        self._searched: dict[tuple[tuple[str, ...], int], tuple[Hit, ...]] = {}

    def search(self, terms: list[str], k: int = 3) -> list[Hit]:
        """The k sections that best match the terms, best first; sections scoring 0 are left out,
        and so is a section whose words (numbers aside) repeat one already returned."""
        key = (tuple(terms), k)
        if key not in self._searched:
            self._searched[key] = tuple(self._ranked(terms, k))
        return list(self._searched[key])

    def _ranked(self, terms: list[str], k: int) -> list[Hit]:
        query = [t for term in terms for t in tokenize(term, keep_stopwords=False)]
        if not self.sections or not query:
            return []
        scores = self._bm25.scores(query)
        hits: list[Hit] = []
        seen: set[tuple[str, ...]] = set()
        for i in sorted(range(len(scores)), key=lambda i: -scores[i]):  # stable: ties in order
            if len(hits) == k or scores[i] <= 0:
                break
            # Repeated boilerplate (a sprint log, a numbered template) takes one slot, not many.
            if self._shapes[i] not in seen:
                seen.add(self._shapes[i])
                hits.append(Hit(self.sections[i], float(scores[i])))
        return hits

    def passages(self, section: Section) -> list[Passage]:
        """The sentences of one indexed section (split once, then cached)."""
        key = self._position.get(id(section))
        if key is None:
            return split_passages(section)
        if key not in self._passages:
            self._passages[key] = split_passages(section)
        return self._passages[key]
