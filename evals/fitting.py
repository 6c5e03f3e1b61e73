"""Parameters fitted on the calibration documents, and their leave-one-document-out figures.

A few thresholds of the offline reviewer (`rubrics/signals.toml`) and of the coordinator's
rule (how many core criteria lift a gate) are chosen by Cohen's kappa on the labelled
documents. Fitting on all of them and scoring on the same ones flatters the result, so each
document is also scored with the parameters fitted on the other documents only: that figure
is the one to quote. The shipped values are what the same fit gives on every document.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

from agents.coordinator import MIN_CORE_ADDRESSED, compile_verdict
from agents.models import GATES, Gate, GateStatus
from agents.offline import load_signals, review_gate_offline
from agents.reading import Signals
from agents.rubric import load_rubrics
from evals.agreement import cohen_kappa
from evals.calibration_docs import LabelledDocument
from tools.retrieval import SectionIndex

# The grid: every combination is tried. Keep it small: a large grid fits noise.
GRID: dict[str, tuple[int, ...]] = {
    "min_core": (1, 2),
    "relevance": (2, 3),
    "addressed_sentences": (2, 3),
}


@dataclass(frozen=True)
class Params:
    """One point of the grid."""

    min_core: int
    relevance: int
    addressed_sentences: int

    def signals(self, base: Signals) -> Signals:
        """The offline reviewer's signals with these thresholds."""
        return replace(
            base, relevance=self.relevance, addressed_sentences=self.addressed_sentences
        )

    def __str__(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.__dict__.items())


def grid() -> list[Params]:
    """Every parameter combination of the grid."""
    names = list(GRID)
    return [Params(**dict(zip(names, v, strict=True))) for v in itertools.product(*GRID.values())]


def shipped_params() -> Params:
    """The parameters the project ships (signals.toml and the coordinator's constant)."""
    signals = load_signals()
    return Params(
        min_core=MIN_CORE_ADDRESSED,
        relevance=signals.relevance,
        addressed_sentences=signals.addressed_sentences,
    )


Statuses = dict[Gate, GateStatus]


@dataclass
class OfflinePredictions:
    """Every document's gate statuses under every grid point, and quotes that were not verbatim."""

    by_params: dict[str, dict[Params, Statuses]]
    shipped: Params
    bad_quotes: list[str]


def offline_predictions(labelled: list[LabelledDocument]) -> OfflinePredictions:
    """Review every document offline under every grid point (and the shipped parameters)."""
    rubrics, base = load_rubrics(), load_signals()
    shipped = shipped_params()
    points = sorted({*grid(), shipped}, key=str)
    by_params: dict[str, dict[Params, Statuses]] = {}
    bad: list[str] = []
    for item in labelled:
        documents = [item.document]
        index = SectionIndex(documents)
        per: dict[Params, Statuses] = {}
        for signals in {p.signals(base) for p in points}:
            reviews = {g: review_gate_offline(rubrics[g], documents, index, signals=signals)
                       for g in GATES}  # fmt: skip
            bad += [
                f"{item.name}: {e.location}"
                for r in reviews.values()
                for f in r.findings
                for e in f.document_evidence
                if not (e.verified and e.quote in item.document.line_text(
                    e.line_start or 0, e.line_end or 0))
            ]  # fmt: skip
            for p in points:
                if p.signals(base) == signals:
                    verdict = compile_verdict(reviews, rubrics, min_core=p.min_core)
                    per[p] = {g: verdict.gates[g].status for g in GATES}
        by_params[item.name] = per
    return OfflinePredictions(by_params, shipped, sorted(set(bad)))


def fit(labelled: list[LabelledDocument], predictions: OfflinePredictions) -> Params:
    """The grid point with the best kappa on these documents (ties: the shipped, then first)."""

    def score(p: Params) -> tuple[float, int, str]:
        pairs = [(d.expected[g], predictions.by_params[d.name][p][g]) for d in labelled
                 for g in GATES]  # fmt: skip
        return (cohen_kappa(pairs) or 0.0, int(p == predictions.shipped), str(p))

    return max(grid(), key=score)


def leave_one_out(
    labelled: list[LabelledDocument], predictions: OfflinePredictions
) -> tuple[dict[str, Statuses], list[str]]:
    """Each document's statuses under the parameters fitted without it, and what was chosen."""
    statuses: dict[str, Statuses] = {}
    chosen: list[str] = []
    for held in labelled:
        rest = [d for d in labelled if d.name != held.name]
        params = fit(rest, predictions)
        statuses[held.name] = predictions.by_params[held.name][params]
        chosen.append(f"  {held.name}: {params}")
    return statuses, chosen
