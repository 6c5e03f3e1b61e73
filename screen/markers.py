"""What a passage is, whatever the criterion reading it: a placeholder, uncommitted text, a
deferral, or none of these (a statement the authors commit to).

The definitions are in `markers.toml` beside this module; each family is compiled into one
pattern. A passage is read with the headings above it: under a glossary or a future-work
heading every sentence reads that way.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tools.retrieval import Passage

MARKERS_PATH = Path(__file__).parent / "markers.toml"
SHORT_VALUE = 4  # words: a line this short can be a bare value ("TBD", "John Doe")
_CELL = re.compile(r"\s*\|\s*")
# "Owner: TBD", "Data owner - (name)": a short label, then the value it gives.
_LABELLED = re.compile(
    r"^\W*([\w][\w /&()-]{0,40}?)\s*(?::|\s[-\u2013\u2014]\s)\s*(.*)$", re.DOTALL
)


@dataclass(frozen=True)
class Marks:
    """How a passage reads, whatever the criterion."""

    placeholder: bool = False
    uncommitted: bool = False
    deferral: bool = False

    @property
    def hollow(self) -> bool:
        """Commits the authors to nothing: a placeholder or uncommitted text."""
        return self.placeholder or self.uncommitted

    @property
    def committed(self) -> bool:
        """A statement about the design as it will be built, neither hollow nor deferred."""
        return not (self.hollow or self.deferral)

    @property
    def word(self) -> str:
        """The one word a reader is shown for it."""
        if self.placeholder:
            return "placeholder"
        if self.deferral:
            return "deferred"
        if self.uncommitted:
            return "uncommitted"
        return "statement"


@dataclass(frozen=True)
class Families:
    """The marker families of `markers.toml`, one compiled pattern each."""

    placeholder: re.Pattern[str]
    uncommitted: re.Pattern[str]
    uncommitted_heading: re.Pattern[str]
    deferral: re.Pattern[str]
    deferral_heading: re.Pattern[str]
    hollow_scope: re.Pattern[str]


def _joined(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@cache
def load_families(path: Path = MARKERS_PATH) -> Families:
    """The marker families, compiled once per process."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Families(
        placeholder=_joined(data["placeholder"]["text"]),
        uncommitted=_joined(data["uncommitted"]["text"]),
        uncommitted_heading=_joined(data["uncommitted"]["heading"]),
        deferral=_joined(data["deferral"]["text"]),
        deferral_heading=_joined(data["deferral"]["heading"]),
        hollow_scope=_joined(data["hollow_scope"]["text"]),
    )


def values(text: str) -> list[str]:
    """The values a passage gives: a table row's cells after its first, what follows a short
    label, or a short line alone; a sentence gives none (it is a statement, not a value)."""
    stripped = text.strip().strip("|").strip()
    if "|" in stripped:
        cells = [c.strip() for c in _CELL.split(stripped)]
        return cells[1:] if len(cells) > 1 else cells
    labelled = _LABELLED.match(stripped)
    if labelled and len(labelled.group(1).split()) <= 5 and labelled.group(2).strip():
        return [labelled.group(2).strip()]
    return [stripped] if len(stripped.split()) <= SHORT_VALUE else []


def is_placeholder(value: str, families: Families | None = None) -> bool:
    """Whether one value names nothing (an empty cell, a template token, a stand-in name)."""
    families = families or load_families()
    plain = value.strip().strip("*_`").strip()
    return families.placeholder.search(plain) is not None


def read_marks(passage: Passage, families: Families | None = None) -> Marks:
    """The passage's marks, from its text and the headings above it."""
    families = families or load_families()
    text = passage.text
    heading = " / ".join(passage.heading)
    cells = values(text)
    placeholder = bool(cells) and all(is_placeholder(v, families) for v in cells)
    uncommitted = (
        families.uncommitted.search(text) is not None
        or families.uncommitted.search(passage.lead_in) is not None
        or families.uncommitted_heading.search(heading) is not None
    )
    deferral = (
        families.deferral.search(text) is not None
        or families.deferral_heading.search(heading) is not None
    )
    return Marks(placeholder=placeholder, uncommitted=uncommitted, deferral=deferral)


def declares_hollow(passage: Passage, families: Families | None = None) -> bool:
    """Whether the sentence says its section or document holds no design yet."""
    families = families or load_families()
    return families.hollow_scope.search(passage.text) is not None
