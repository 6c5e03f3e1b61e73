"""Agreement between our gate statuses and a reviewer's: pure functions over labelled pairs.

A pair is (reviewer's status, ours) for one gate of one document. Cohen's kappa corrects the
raw agreement for what two raters with these marginals would agree on by chance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vocabulary.models import GateStatus

STATUSES: tuple[GateStatus, ...] = ("ready", "conditional", "not_ready")
Pair = tuple[GateStatus, GateStatus]  # (reviewer, ours)


def cohen_kappa(pairs: Sequence[Pair]) -> float | None:
    """Cohen's kappa of two raters over the same items; None with no items or no variation."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    theirs = Counter(a for a, _ in pairs)
    ours = Counter(b for _, b in pairs)
    chance = sum(theirs[s] * ours[s] for s in STATUSES) / (n * n)
    if chance == 1:
        return None
    return (observed - chance) / (1 - chance)


def _ratio(hits: int, total: int) -> float | None:
    return hits / total if total else None


@dataclass(frozen=True)
class Agreement:
    """How far our statuses agree with a reviewer's over a set of gates."""

    pairs: tuple[Pair, ...]

    @property
    def n(self) -> int:
        """Gates compared."""
        return len(self.pairs)

    @property
    def agreed(self) -> int:
        """Gates with the same status."""
        return sum(a == b for a, b in self.pairs)

    @property
    def rate(self) -> float | None:
        """Share of gates with the same status."""
        return _ratio(self.agreed, self.n)

    @property
    def kappa(self) -> float | None:
        """Cohen's kappa."""
        return cohen_kappa(self.pairs)

    @property
    def confusion(self) -> dict[GateStatus, dict[GateStatus, int]]:
        """Counts by the reviewer's status (rows) and ours (columns)."""
        counts = Counter(self.pairs)
        return {a: {b: counts[(a, b)] for b in STATUSES} for a in STATUSES}

    @property
    def not_ready_recall(self) -> float | None:
        """Of the gates the reviewer calls not ready, the share we call not ready."""
        theirs = [b for a, b in self.pairs if a == "not_ready"]
        return _ratio(theirs.count("not_ready"), len(theirs))

    @property
    def not_ready_precision(self) -> float | None:
        """Of the gates we call not ready, the share the reviewer calls not ready."""
        ours = [a for a, b in self.pairs if b == "not_ready"]
        return _ratio(ours.count("not_ready"), len(ours))

    @property
    def false_ready(self) -> int:
        """Gates we call ready that the reviewer does not."""
        return sum(b == "ready" and a != "ready" for a, b in self.pairs)


def agreement(pairs: Iterable[Pair]) -> Agreement:
    """The agreement over these pairs."""
    return Agreement(tuple(pairs))
