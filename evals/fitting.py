"""Parameters fitted on the open calibration documents, and their held-out figures.

One threshold of the offline screen (`screen/markers.toml`: `found_weight`, how much of a
criterion's vocabulary a passage must hold to be read as speaking to it) and two of the
coordinator's rule (`JUDGEMENT_FLOOR`, how far a model's own gate judgement may lower a gate,
and `SILENT_SHARE`, how much of a gate's core may be touched on in passing while the documents
still count as silent on it) are chosen by Cohen's kappa. Only the open documents are fitted
on: each is scored with the parameters fitted on the other open documents
(leave-one-document-out), and the sealed documents with the parameters fitted on all open ones.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

from agents.coordinator import JUDGEMENT_FLOOR, SILENT_SHARE, compile_verdict
from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from evals.agreement import cohen_kappa
from evals.calibration_docs import LabelledDocument
from screen.screening import Screen, load_thresholds
from tools.retrieval import SectionIndex
from vocabulary.models import GATES, Gate, GateReview, GateStatus

Statuses = dict[Gate, GateStatus]

# The grids: every combination is tried. Keep them small: a large grid fits noise.
FOUND_WEIGHTS: tuple[int, ...] = (2, 3, 4)
JUDGEMENT_FLOORS: tuple[GateStatus, ...] = ("ready", "conditional", "not_ready")
# 1.0: passing mentions never lift a gate; 0.5: mentions across more than half of the core do.
SILENT_SHARES: tuple[float, ...] = (1.0, 0.5)


@dataclass(frozen=True)
class ScreenParams:
    """One point of the offline screen's grid."""

    found_weight: int

    def __str__(self) -> str:
        return f"found_weight={self.found_weight}"


@dataclass(frozen=True)
class RuleParams:
    """One point of the model path's grid: the coordinator's two fitted parameters."""

    judgement_floor: GateStatus
    silent_share: float

    def __str__(self) -> str:
        return f"judgement_floor={self.judgement_floor}, silent_share={self.silent_share}"


@dataclass
class Predictions:
    """Every document's gate statuses and reviews under every candidate, and the shipped one."""

    by_candidate: dict[str, dict[Hashable, Statuses]]
    reviews: dict[str, dict[Hashable, dict[Gate, GateReview]]]
    candidates: list[Hashable]
    shipped: Hashable
    bad_quotes: list[str]

    def statuses(self, chosen: Mapping[str, Hashable]) -> dict[str, Statuses]:
        """Every document's statuses under the candidate chosen for it."""
        return {name: self.by_candidate[name][chosen[name]] for name in chosen}

    def reviews_of(self, chosen: Mapping[str, Hashable]) -> dict[str, dict[Gate, GateReview]]:
        """Every document's gate reviews under the candidate chosen for it."""
        return {name: self.reviews[name][chosen[name]] for name in chosen}


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
    """Screen every document under every point of the screen's grid."""
    rubrics, base = load_rubrics(), load_thresholds()
    shipped = ScreenParams(base.found_weight)
    grid = {ScreenParams(w) for w in FOUND_WEIGHTS}
    candidates: list[Hashable] = sorted({*grid, shipped}, key=str)
    by_candidate: dict[str, dict[Hashable, Statuses]] = {}
    reviews: dict[str, dict[Hashable, dict[Gate, GateReview]]] = {}
    bad: list[str] = []
    for item in labelled:
        documents = [item.document]
        index = SectionIndex(documents)
        by_candidate[item.name], reviews[item.name] = {}, {}
        read: dict[int, dict[Gate, GateReview]] = {}
        for params in candidates:
            assert isinstance(params, ScreenParams)
            if params.found_weight not in read:
                screen = Screen(index, replace(base, found_weight=params.found_weight))
                read[params.found_weight] = {
                    g: review_gate_offline(rubrics[g], documents, index, screen=screen)
                    for g in GATES
                }
                bad += _bad_quotes(item, read[params.found_weight])
            verdict = compile_verdict(read[params.found_weight], rubrics)
            by_candidate[item.name][params] = {g: verdict.gates[g].status for g in GATES}
            reviews[item.name][params] = read[params.found_weight]
    return Predictions(by_candidate, reviews, candidates, shipped, sorted(set(bad)))


def model_predictions(
    labelled: list[LabelledDocument], reviews: Mapping[str, Mapping[Gate, GateReview]]
) -> Predictions:
    """The model path's statuses under every point of the rule's grid, from its gate reviews."""
    rubrics = load_rubrics()
    grid = [RuleParams(f, s) for f, s in itertools.product(JUDGEMENT_FLOORS, SILENT_SHARES)]
    shipped = RuleParams(JUDGEMENT_FLOOR, SILENT_SHARE)
    candidates: list[Hashable] = sorted({*grid, shipped}, key=str)
    by_candidate: dict[str, dict[Hashable, Statuses]] = {}
    kept: dict[str, dict[Hashable, dict[Gate, GateReview]]] = {}
    bad: list[str] = []
    for item in labelled:
        per: dict[Hashable, Statuses] = {}
        for rule in candidates:
            assert isinstance(rule, RuleParams)
            verdict = compile_verdict(
                reviews[item.name],
                rubrics,
                judgement_floor=rule.judgement_floor,
                silent_share=rule.silent_share,
            )
            per[rule] = {g: verdict.gates[g].status for g in GATES}
        bad += _bad_quotes(item, reviews[item.name])
        by_candidate[item.name] = per
        kept[item.name] = {key: dict(reviews[item.name]) for key in candidates}
    return Predictions(by_candidate, kept, candidates, shipped, sorted(set(bad)))


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


def held_out(
    open_docs: list[LabelledDocument], sealed: list[LabelledDocument], predictions: Predictions
) -> tuple[dict[str, Hashable], list[str]]:
    """The candidate each document is scored with: an open document's fitted on the other
    open ones, a sealed document's fitted on every open one; and a line per open fold."""
    chosen: dict[str, Hashable] = {}
    lines: list[str] = []
    for held in open_docs:
        params = fit([d for d in open_docs if d.name != held.name], predictions)
        chosen[held.name] = params
        lines.append(f"  {held.name}: {params}")
    on_open = fit(open_docs, predictions)
    for item in sealed:
        chosen[item.name] = on_open
    return chosen, lines
