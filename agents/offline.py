"""The offline reviewer: the screen's readings (`screen`) turned into findings that quote the
documents and say plainly that nothing was judged.

- `found`: the screen found statements on the criterion; they are quoted (recall first) for a
  model or a person to judge. A `found` finding never makes a gate ready.
- `missing`: nothing on it, or only placeholders, uncommitted or deferred text (quoted, and
  said to be so), or only pointers to annexes that were not supplied.
"""

from __future__ import annotations

import re
import weakref
from collections import Counter

from agents.rubric import Criterion, Rubric
from screen.screening import Candidate, Screen, Screening
from tools.documents import Document
from tools.retrieval import Passage, SectionIndex
from vocabulary.models import Evidence, Finding, GateReview

__all__ = ["points_elsewhere", "review_gate_offline", "screen_of", "supplied_text"]

MAX_QUOTE = 200
_SCREENS: weakref.WeakKeyDictionary[SectionIndex, Screen] = weakref.WeakKeyDictionary()
_REFERENCE = re.compile(
    r"\b(?:see|in|under|per|described in|detailed in|refer to|as set out in)\s+(?:the\s+)?"
    r"(annex|appendix|attachment|schedule|exhibit)\s+([A-Z0-9]{1,3})\b",
    re.IGNORECASE,
)


def screen_of(index: SectionIndex) -> Screen:
    """The screen of one review's index, built once: every gate reads the same passages."""
    screen = _SCREENS.get(index)
    if screen is None:
        screen = _SCREENS[index] = Screen(index)
    return screen


def supplied_text(documents: list[Document]) -> str:
    """Every section's heading path and its document's path, lower-cased, in one string."""
    return " | ".join(
        " ".join(s.heading_path).lower() + " " + d.path.lower()
        for d in documents
        for s in d.sections
    )


def points_elsewhere(passage: Passage, supplied: str) -> list[str]:
    """Annexes and appendices the passage points to that no loaded document holds."""
    missing = []
    for kind, name in _REFERENCE.findall(passage.text):
        label = f"{kind.lower()} {name.lower()}"
        if label not in supplied and f"{kind.lower()}-{name.lower()}" not in supplied:
            missing.append(f"{kind.lower()} {name}")
    return sorted(set(missing))


def _quote(passage: Passage) -> tuple[str, int]:
    """The passage text cut at a word boundary to MAX_QUOTE characters, and its last line."""
    text = passage.text
    if len(text) > MAX_QUOTE:
        cut = text.rfind(" ", 0, MAX_QUOTE)
        text = text[: cut if cut > 0 else MAX_QUOTE].rstrip(" ,;:\n")
    return text, passage.line_start + text.count("\n")


def _evidence(
    candidates: list[Candidate], documents: dict[str, Document], used: Counter[str], limit: int
) -> list[Evidence]:
    """Up to `limit` quotes, the weightiest first, preferring passages no other criterion of
    the gate has quoted (among the twice-`limit` weightiest), so a gate cites more of the
    documents."""
    pool = sorted(
        enumerate(candidates[: 2 * limit]), key=lambda item: (used[_key(item[1])], item[0])
    )
    chosen: list[Evidence] = []
    for _, candidate in pool[:limit]:
        passage = candidate.passage
        quote, line_end = _quote(passage)
        doc = documents.get(passage.path)
        verified = doc is not None and quote in doc.line_text(passage.line_start, line_end)
        used[_key(candidate)] += 1
        chosen.append(
            Evidence(
                path=passage.path,
                line_start=passage.line_start,
                line_end=line_end,
                quote=quote,
                verified=verified,
            )
        )
    return chosen


def _key(candidate: Candidate) -> str:
    p = candidate.passage
    return f"{p.path}:{p.line_start}:{p.text}"


def _finding(
    criterion: Criterion,
    gate: str,
    screening: Screening,
    documents: dict[str, Document],
    supplied: str,
    used: Counter[str],
    limit: int,
) -> Finding:
    committed = [c for c in screening.candidates if not points_elsewhere(c.passage, supplied)]
    elsewhere = sorted(
        {ref for c in screening.candidates for ref in points_elsewhere(c.passage, supplied)}
    )
    wanted = criterion.good_evidence
    if screening.status == "found" and committed:
        shown = _evidence(committed, documents, used, limit)
        summary = (
            f"Screened: {len(committed)} passage(s) speak to it; the screen does not judge "
            "whether they are enough."
        )
        if screening.hollow:
            words = sorted({c.marks.word for c in screening.hollow})
            summary += f" {len(screening.hollow)} more are {' or '.join(words)}."
        return criterion.finding(
            gate, "found", summary, f"Read the quoted passages against: {wanted}", shown
        )
    if committed:
        # Statements that only brush its vocabulary: quoted for a reader, but not enough to
        # say the documents speak to it.
        shown = _evidence(committed, documents, used, min(limit, 2))
        return criterion.finding(
            gate,
            "missing",
            f"Only passing uses of its words ({len(committed)} passage(s), quoted); nothing "
            f"that reads as being about {criterion.title.lower()}.",
            f"Add it: {wanted}",
            shown,
        )
    hollow = list(screening.hollow) or list(screening.candidates)
    if hollow:
        words = sorted({c.marks.word for c in hollow} | ({"a pointer"} if elsewhere else set()))
        summary = (
            f"Only {' or '.join(words)} text touches on it; the authors commit to nothing here."
        )
        if elsewhere:
            summary += f" It points to material not supplied ({', '.join(elsewhere)})."
        shown = _evidence(hollow, documents, used, min(limit, 2))
        return criterion.finding(
            gate, "missing", summary, f"Decide and write it down: {wanted}", shown
        )
    terms = ", ".join(criterion.terms[:8])
    return criterion.finding(
        gate,
        "missing",
        f"Nothing found on {criterion.title.lower()}; searched for: {terms}.",
        f"Add it: {wanted}",
    )


def review_gate_offline(
    rubric: Rubric,
    documents: list[Document],
    index: SectionIndex | None = None,
    guidance: str | None = None,
    screen: Screen | None = None,
) -> GateReview:
    """Screen one gate without a model: one finding per criterion, quotes verified (`screen`:
    one with other thresholds than the shipped ones, for calibration)."""
    index = index or SectionIndex(documents)
    screen = screen or screen_of(index)
    by_path = {doc.path: doc for doc in documents}
    supplied = supplied_text(documents)
    extra = [guidance] if guidance else []
    used: Counter[str] = Counter()
    findings = [
        _finding(
            criterion,
            rubric.gate,
            screen.screen(criterion, extra),
            by_path,
            supplied,
            used,
            screen.thresholds.evidence,
        )
        for criterion in rubric.criteria
    ]
    return GateReview(gate=rubric.gate, reviewer="offline", findings=findings)
