"""Parameters fitted on the calibration documents, and their leave-one-document-out figures.

Two thresholds of the offline reviewer (`rubrics/signals.toml`: `relevance` and
`addressed_sentences`) and two of the coordinator's rule (`JUDGEMENT_FLOOR`, how far a model's
own gate judgement may lower a gate, and `SILENT_SHARE`, how much of a gate's core may be touched
on in passing while the documents still count as silent on it) are chosen by Cohen's kappa on
the labelled documents.
Fitting on all of them and scoring on the same ones flatters the result, so each document is
also scored with the parameters fitted on the other documents only: that figure is the one to
quote. The shipped values are what the same fit gives on every document.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

from agents.coordinator import JUDGEMENT_FLOOR, SILENT_SHARE, compile_verdict
from agents.models import GATES, Gate, GateReview, GateStatus
from agents.offline import load_signals, review_gate_offline
from agents.reading import Signals
from agents.rubric import load_rubrics
from evals.agreement import cohen_kappa
from evals.calibration_docs import LabelledDocument
from tools.retrieval import SectionIndex

Statuses = dict[Gate, GateStatus]

# The grids: every combination is tried. Keep them small: a large grid fits noise.
OFFLINE_GRID: dict[str, tuple[int, ...]] = {"relevance": (2, 3), "addressed_sentences": (2, 3)}
JUDGEMENT_FLOORS: tuple[GateStatus, ...] = ("ready", "conditional", "not_ready")
# 1.0: passing mentions never lift a gate; 0.5: mentions across more than half of the core do.
SILENT_SHARES: tuple[float, ...] = (1.0, 0.5)


@dataclass(frozen=True)
class OfflineParams:
    """One point of the offline reviewer's grid."""

    relevance: int
    addressed_sentences: int
    silent_share: float = SILENT_SHARE

    def signals(self, base: Signals) -> Signals:
        """The offline reviewer's signals with these thresholds."""
        return replace(base, relevance=self.relevance, addressed_sentences=self.addressed_sentences)

    def __str__(self) -> str:
        return (
            f"relevance={self.relevance}, addressed_sentences={self.addressed_sentences}, "
            f"silent_share={self.silent_share}"
        )


@dataclass(frozen=True)
class RuleParams:
    """One point of the model path's grid: the coordinator's two fitted parameters."""

    judgement_floor: GateStatus
    silent_share: float

    def __str__(self) -> str:
        return f"judgement_floor={self.judgement_floor}, silent_share={self.silent_share}"


def offline_grid() -> list[OfflineParams]:
    """Every combination of the offline grid."""
    return [
        OfflineParams(*values, silent_share=share)
        for values in itertools.product(*OFFLINE_GRID.values())
        for share in SILENT_SHARES
    ]


def shipped_offline() -> OfflineParams:
    """The offline thresholds the project ships (signals.toml, the coordinator)."""
    signals = load_signals()
    return OfflineParams(signals.relevance, signals.addressed_sentences, SILENT_SHARE)


@dataclass
class Predictions:
    """Every document's gate statuses under every candidate, and the shipped candidate."""

    by_candidate: dict[str, dict[Hashable, Statuses]]
    candidates: list[Hashable]
    shipped: Hashable
    bad_quotes: list[str]

    def shipped_statuses(self) -> dict[str, Statuses]:
        """Every document's statuses under the shipped parameters."""
        return {name: per[self.shipped] for name, per in self.by_candidate.items()}


def _bad_quotes(item: LabelledDocument, reviews: Mapping[Gate, GateReview]) -> list[str]:
    """Quotes shown as verified that are not verbatim at the lines they claim."""
    return [
        f"{item.name}: {e.location}"
        for r in reviews.values()
        for f in r.findings
        for e in f.document_evidence
        if e.verified and e.quote not in item.document.line_text(e.line_start or 0, e.line_end or 0)
    ]


def offline_predictions(labelled: list[LabelledDocument]) -> Predictions:
    """Review every document offline under every point of the offline grid."""
    rubrics, base = load_rubrics(), load_signals()
    shipped = shipped_offline()
    candidates: list[Hashable] = sorted({*offline_grid(), shipped}, key=str)
    by_candidate: dict[str, dict[Hashable, Statuses]] = {}
    bad: list[str] = []
    for item in labelled:
        documents = [item.document]
        index = SectionIndex(documents)
        per: dict[Hashable, Statuses] = {}
        read: dict[tuple[int, int], dict[Gate, GateReview]] = {}
        for params in candidates:
            assert isinstance(params, OfflineParams)
            key = (params.relevance, params.addressed_sentences)
            if key not in read:  # the silent share changes the rule, not the reading
                signals = params.signals(base)
                read[key] = {
                    g: review_gate_offline(rubrics[g], documents, index, signals=signals)
                    for g in GATES
                }
                bad += _bad_quotes(item, read[key])
            verdict = compile_verdict(read[key], rubrics, silent_share=params.silent_share)
            per[params] = {g: verdict.gates[g].status for g in GATES}
        by_candidate[item.name] = per
    return Predictions(by_candidate, candidates, shipped, sorted(set(bad)))


def model_predictions(
    labelled: list[LabelledDocument], reviews: Mapping[str, Mapping[Gate, GateReview]]
) -> Predictions:
    """The model path's statuses under every point of the rule's grid, from its gate reviews."""
    rubrics = load_rubrics()
    grid = [RuleParams(f, s) for f in JUDGEMENT_FLOORS for s in SILENT_SHARES]
    shipped = RuleParams(JUDGEMENT_FLOOR, SILENT_SHARE)
    candidates: list[Hashable] = sorted({*grid, shipped}, key=str)
    by_candidate: dict[str, dict[Hashable, Statuses]] = {}
    bad: list[str] = []
    for item in labelled:
        per: dict[Hashable, Statuses] = {}
        for rule in grid:
            verdict = compile_verdict(
                reviews[item.name],
                rubrics,
                judgement_floor=rule.judgement_floor,
                silent_share=rule.silent_share,
            )
            per[rule] = {g: verdict.gates[g].status for g in GATES}
        bad += _bad_quotes(item, reviews[item.name])
        by_candidate[item.name] = per
    return Predictions(by_candidate, candidates, shipped, sorted(set(bad)))


def fit(labelled: Sequence[LabelledDocument], predictions: Predictions) -> Hashable:
    """The candidate with the best kappa on these documents (ties: the shipped one, then the
    first by name)."""

    def score(candidate: Hashable) -> tuple[float, int, str]:
        pairs = [
            (d.expected[g], predictions.by_candidate[d.name][candidate][g])
            for d in labelled
            for g in GATES
        ]
        return (cohen_kappa(pairs) or 0.0, int(candidate == predictions.shipped), str(candidate))

    return max(predictions.candidates, key=score)


def leave_one_out(
    labelled: list[LabelledDocument], predictions: Predictions
) -> tuple[dict[str, Statuses], list[str]]:
    """Each document's statuses under the candidate fitted without it, and what was chosen."""
    statuses: dict[str, Statuses] = {}
    chosen: list[str] = []
    for held in labelled:
        params = fit([d for d in labelled if d.name != held.name], predictions)
        statuses[held.name] = predictions.by_candidate[held.name][params]
        chosen.append(f"  {held.name}: {params}")
    return statuses, chosen
