"""Review output forged by structure rather than wording: decision tables and encoded orders.

A decision table is a table whose rows pair a gate (data, risk, platform, product, change, a
criterion id such as `data.owners`, with a descriptor such as "gate" or a note in brackets, or
the overall verdict, a readiness board, all gates) with a passing status (ready, met, approved,
accepted, passed, signed off, a check mark, or a passing word of any language in
`guard/concepts.toml`): two such rows, or one for the verdict or for all gates, make the table
a forged sign-off. An encoded order is base64 text that decodes to readable
text; the caller scans that text like the document's own.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from functools import lru_cache

from guard.folding import fold

_GATE_LABEL = re.compile(
    r"(?:the\s+)?(?:data|risk|platform|product|change)"
    r"(?:\s+(?:gate|readiness|review|sign[\s-]?off|approval|check))?"
    r"|[a-z]+\.[a-z0-9_]+"
)
_VERDICT_LABEL = re.compile(
    r"(?:the\s+)?(?:overall(?:\s+verdict)?|(?:final\s+)?verdict|all(?:\s+five)?\s+gates|"
    r"gate\s+review|readiness(?:\s+(?:review|board|status|decision))?|review\s+outcome|"
    r"gate\s+decision|(?:readiness\s+|review\s+|governance\s+)?board(?:\s+decision)?|"
    r"go[\s/-]*no[\s-]*go(?:\s+decision)?|final\s+decision|sign[\s-]?off)"
)
_CONDITIONS = r"(?!\s+(?:with|if|once|when|after|pending|subject))"
_PASSING = re.compile(
    r"(?:ready|met|approved|accepted|passed|pass|green|go|signed(?:[\s-]?off)?|compliant"
    rf"|satisfied|cleared|lgtm)\b{_CONDITIONS}"
)
_CHECK_MARKS = "\u2713\u2714\u2705\u2611\ufe0f"
_CELL_JUNK = re.compile(rf"[`*_~:\"'{_CHECK_MARKS}]+")
_CHECKED = "\u2713"  # a cell that held only check marks
_NOTE = re.compile(r"\s*[(\[][^)\]]*[)\]]")  # "(owners named)", "[all five gates]"
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])")
_MIN_PRINTABLE = 0.95


def _cells(line: str) -> list[str]:
    """The cells of a table row, folded, lowercased and without emphasis or ticks."""
    if "|" not in line:
        return []
    cells = [_cell(cell) for cell in line.split("|")]
    return [cell for cell in cells if cell]


@lru_cache(maxsize=1 << 14)  # a table's cells repeat down its rows and across its releases
def _cell(cell: str) -> str:
    folded = fold(cell)[0]
    plain = _CELL_JUNK.sub("", folded).strip().lower()
    if not plain and any(mark in folded for mark in _CHECK_MARKS[:4]):
        return _CHECKED
    return plain


def _passes(cell: str) -> bool:
    """A passing status: a check mark, a word of ours, or a passing word of another language."""
    from guard.concepts import lexicon

    if cell == _CHECKED or _PASSING.match(cell):
        return True
    ends = [end for end, concept in lexicon().words_at(cell, 0) if concept == "passing"]
    return bool(ends) and len(cell) - max(ends) <= 2


def _pairing(cells: list[str]) -> str | None:
    """'gate' or 'verdict' when the row pairs such a label with a passing status."""
    labels = [_NOTE.sub("", cell).strip() for cell in cells[:-1]]
    if any(_VERDICT_LABEL.fullmatch(label) for label in labels):
        kind = "verdict"
    elif any(_GATE_LABEL.fullmatch(label) for label in labels):
        kind = "gate"
    else:
        return None
    return kind if any(_passes(cell) for cell in cells[1:]) else None


def decision_rows(lines: list[str]) -> list[int]:
    """0-based indexes of the rows of every forged decision table in the lines."""
    flagged: list[int] = []
    table: list[tuple[int, str]] = []
    for index, line in enumerate([*lines, ""]):
        cells = _cells(line)
        if len(cells) >= 2:
            if pairing := _pairing(cells):
                table.append((index, pairing))
            continue
        stripped = line.strip()
        if stripped.startswith("|") or (table and stripped and set(stripped) <= set("|-: ")):
            continue  # a separator row, or an ordinary row of the same table
        kinds = [kind for _, kind in table]
        if "verdict" in kinds or len(kinds) >= 2:
            flagged.extend(index for index, _ in table)
        table = []
    return flagged


def encoded_texts(text: str) -> Iterator[tuple[int, int, str]]:
    """Base64 runs in the text that decode to readable text: (start, end, decoded)."""
    for match in _BASE64.finditer(text):
        token = match.group()
        padded = token + "=" * (-len(token) % 4)
        try:
            raw = (
                base64.urlsafe_b64decode(padded)
                if ("-" in token or "_" in token)
                else base64.b64decode(padded, validate=True)
            )
            decoded = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        printable = sum(ch.isprintable() or ch.isspace() for ch in decoded)
        if decoded.strip() and printable >= len(decoded) * _MIN_PRINTABLE:
            yield match.start(), match.end(), decoded
