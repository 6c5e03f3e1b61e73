"""Review output forged by structure rather than wording: decision tables and encoded orders.

A decision table is a table whose rows pair a gate (data, risk, platform, product, change, a
criterion id such as `data.owners`, or the overall verdict) with a passing status (ready, met,
approved, passed, signed off, ...): two such rows, or one for the verdict or for all gates,
make the table a forged sign-off. An encoded order is base64 text that decodes to readable
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
    r"(?:the\s+)?(?:data|risk|platform|product|change)(?:\s+(?:gate|readiness|review))?"
    r"|[a-z]+\.[a-z0-9_]+"
)
_VERDICT_LABEL = re.compile(
    r"(?:the\s+)?(?:overall(?:\s+verdict)?|verdict|all(?:\s+five)?\s+gates|gate\s+review|"
    r"readiness(?:\s+review)?|review\s+outcome|gate\s+decision)"
)
_PASSING = re.compile(
    r"(?:ready|met|approved|passed|pass|green|go|signed[\s-]?off|compliant|satisfied|cleared)\b(?!\s+(?:with|if|once|when|after|pending|subject))"
)
_CELL_JUNK = re.compile(r"[`*_~:\"'\u2713\u2714\u2705\u2611]+")
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
    return _CELL_JUNK.sub("", fold(cell)[0]).strip().lower()


def _pairing(cells: list[str]) -> str | None:
    """'gate' or 'verdict' when the row pairs such a label with a passing status."""
    passing = any(_PASSING.match(cell) for cell in cells[1:])
    if not passing:
        return None
    if any(_VERDICT_LABEL.fullmatch(cell) for cell in cells[:-1]):
        return "verdict"
    if any(_GATE_LABEL.fullmatch(cell) for cell in cells[:-1]):
        return "gate"
    return None


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
        if line.strip().startswith("|") or (table and set(line.strip()) <= set("|-: ")):
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
