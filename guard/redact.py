"""Redaction: mask secrets and personal data before text leaves the machine or a report.

Each hit becomes `[REDACTED:<kind>]` on the line it was on, so line numbers survive (a private
key block becomes one placeholder per line). Only counts per kind are kept, never the values.
The rules are in guard.patterns (ours) and guard.detectors (detect-secrets'); all run under
RE2, in time linear in the text. Before matching, invisible format characters (zero-width
spaces and joiners, soft hyphens, bidirectional marks, tags) are skipped and full-width
letters read as ASCII, so `AKIA\\u200b...` is found; the characters around a hit are kept.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from functools import cache, lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from guard.credentials import CredentialRule, credential_rules
from guard.detectors import detector_patterns
from guard.patterns import KINDS, RULES, RedactionKind, Rule

__all__ = ["KINDS", "Redaction", "placeholder", "redact", "redact_lines"]


class Redaction(BaseModel):
    """Redacted text and how many values of each kind were masked (never the values)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    counts: dict[str, int] = Field(default_factory=dict, description="Masked values by kind")

    @property
    def total(self) -> int:
        """How many values were masked in all."""
        return sum(self.counts.values())


def placeholder(kind: RedactionKind) -> str:
    """The text that replaces a masked value of this kind (`PLACEHOLDER` finds it again)."""
    return f"[REDACTED:{kind}]"

# Unicode's default-ignorable code points: invisible, so they can split a secret unseen.
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e0fff]"
)
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_PEM_BEGIN = r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
_PEM_END = re.compile(r"-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PEM_BODY = re.compile(r"[ \t]*(?:[A-Za-z0-9+/=]{16,}|(?:Proc-Type|DEK-Info|Comment):.*)[ \t]*")
_MAX_WIDEN = 256  # a widened hit stops here, so widening stays linear in the text
_TOKEN_BEFORE = re.compile(rf"[A-Za-z0-9_+/=-]{{0,{_MAX_WIDEN}}}\Z")
_TOKEN_AFTER = re.compile(rf"[A-Za-z0-9_+/=-]{{0,{_MAX_WIDEN}}}")
_EDGES = " \t\r\n\"'=:"
Span = tuple[int, int, RedactionKind]


@cache
def _compiled() -> tuple[Rule, ...]:
    """Every rule, in priority order: our credential rules, gitleaks', detect-secrets', then
    the rest."""
    detectors = tuple(Rule("credential", p, widen=True) for p in detector_patterns())
    leaks = tuple(_gitleaks(rule) for rule in credential_rules())
    first_other = next(i for i, rule in enumerate(RULES) if rule.kind != "credential")
    return (*RULES[:first_other], *leaks, *detectors, *RULES[first_other:])


@cache
def _keywords() -> tuple[str, ...]:
    """Every rule keyword, once."""
    return tuple(sorted({k for rule in _compiled() for k in rule.keywords}))


def _keywords_in(lowered: str) -> set[str]:
    """The rule keywords the lower-cased text holds (each looked for once, not once a rule)."""
    return {k for k in _keywords() if k in lowered}


@cache
def _re2(pattern: str) -> Any:
    """A rule's pattern compiled for RE2, when a text first needs it (most of gitleaks' rules
    wait for a keyword that never comes)."""
    import re2

    return re2.compile(pattern)


def _gitleaks(rule: CredentialRule) -> Rule:
    """A gitleaks rule as a masking rule: its keywords gate it, its entropy floor (if any)
    is checked on the secret."""
    floor = rule.entropy

    def valid(text: str, m: Any) -> bool:
        if not floor:
            return True
        start, end = _secret_span(Rule("credential", ""), m)
        return _entropy(text[start:end]) >= floor

    return Rule("credential", rule.pattern, valid, widen=True, keywords=rule.keywords)


def _entropy(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _normalised(text: str) -> tuple[str, list[int]]:
    """The text as matched (ignorables dropped, full-width ASCII folded) and, per dropped
    character, the index in the matched text where it stood (to map spans back)."""
    folded = text.translate(_FULLWIDTH) if any("\uff01" <= c <= "\uff5e" for c in text) else text
    if _IGNORABLE.search(folded) is None:
        return folded, []
    keys = [m.start() - i for i, m in enumerate(_IGNORABLE.finditer(folded))]
    return _IGNORABLE.sub("", folded), keys


def _secret_span(rule: Rule, m: Any) -> tuple[int, int]:
    if rule.secret is not None:
        index = m.re.groupindex[rule.secret] if isinstance(rule.secret, str) else rule.secret
        return m.start(index), m.end(index)
    for index in range(1, m.re.groups + 1):  # a detector masks its first non-empty group
        if m.start(index) >= 0 and m.end(index) > m.start(index):
            return m.start(index), m.end(index)
    return m.start(), m.end()


def _widened(text: str, start: int, end: int) -> tuple[int, int]:
    """The span grown to the token around it (at most _MAX_WIDEN characters each way)."""
    before = _TOKEN_BEFORE.search(text, max(0, start - _MAX_WIDEN), start)
    after = _TOKEN_AFTER.match(text, end)
    return before.start() if before else start, after.end() if after else end


def _hits(rule: Rule, pattern: Any, text: str) -> list[Span]:
    """The rule's valid hits as (start, end, kind), in order, overlapping ones joined."""
    spans: list[Span] = []
    for m in pattern.finditer(text):
        if spans and m.end() <= spans[-1][1]:
            continue  # inside the hit before it (a widened one): nothing new to mask
        if rule.valid is not None and not rule.valid(text, m):
            continue
        start, end = _secret_span(rule, m)
        if rule.widen:
            start, end = _widened(text, start, end)
            while start < end and text[start] in _EDGES:
                start += 1
            while end > start and text[end - 1] in _EDGES:
                end -= 1
        if start >= end:
            continue
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]), rule.kind)
        else:
            spans.append((start, end, rule.kind))
    return spans


def _pem_blocks(text: str) -> list[Span]:
    """Private key blocks: the BEGIN line, base64 and header lines, up to the END marker."""
    import re2

    spans: list[Span] = []
    covered = 0
    for m in re2.finditer(_PEM_BEGIN, text):
        if m.start() < covered:
            continue
        line_end = text.find("\n", m.end())
        end = len(text) if line_end < 0 else line_end
        while end < len(text):
            next_end = text.find("\n", end + 1)
            next_end = len(text) if next_end < 0 else next_end
            line = text[end + 1 : next_end]
            closing = _PEM_END.search(line)
            if closing is not None:
                end = end + 1 + closing.end()
                break
            if not _PEM_BODY.fullmatch(line):
                break
            end = next_end
        spans.append((m.start(), end, "credential"))
        covered = end
    return spans


def _accepted(taken: list[Span], new: list[Span]) -> list[Span]:
    """The spans taken so far plus the new ones that overlap none of them (both sorted)."""
    if not new:
        return taken
    merged: list[Span] = []
    i = 0
    for span in new:
        while i < len(taken) and taken[i][1] <= span[0]:
            merged.append(taken[i])
            i += 1
        if i < len(taken) and taken[i][0] < span[1]:
            continue  # an earlier rule claimed this text
        merged.append(span)
    return merged + taken[i:]


def _spans(text: str) -> list[Span]:
    """What to mask, in the original text's positions."""
    matched, keys = _normalised(text)
    taken = _pem_blocks(matched) if "PRIVATE KEY" in matched else []
    present = _keywords_in(matched.lower())
    for rule in _compiled():
        if rule.keywords and present.isdisjoint(rule.keywords):
            continue  # gitleaks' own prefilter: no keyword, no match
        taken = _accepted(taken, _hits(rule, _re2(rule.pattern), matched))
    if not keys:
        return taken

    def original(index: int) -> int:
        return index + bisect.bisect_right(keys, index)

    return [(original(start), original(end - 1) + 1, kind) for start, end, kind in taken]


@lru_cache(maxsize=8192)
def _masked(text: str) -> tuple[str, tuple[tuple[str, int], ...]]:
    counts: Counter[str] = Counter()
    parts: list[str] = []
    last = 0
    for start, end, kind in _spans(text):
        counts[kind] += 1
        parts.append(text[last:start])
        lines = text.count("\n", start, end) + 1
        parts.append("\n".join([placeholder(kind)] * lines))
        last = end
    parts.append(text[last:])
    return "".join(parts), tuple((kind, counts[kind]) for kind in KINDS if counts[kind])


def redact(text: str) -> Redaction:
    """Text with secrets and personal data masked, and the count of masked values by kind."""
    masked, counts = _masked(text)
    return Redaction(text=masked, counts=dict(counts))


def redact_lines(lines: list[str]) -> tuple[list[str], dict[str, int]]:
    """Redacted lines, as many as given (a masked key block keeps its lines), and the counts."""
    if any("\n" in line for line in lines):
        raise ValueError("redact_lines expects lines without line breaks")
    result = redact("\n".join(lines))
    return result.text.split("\n"), result.counts
