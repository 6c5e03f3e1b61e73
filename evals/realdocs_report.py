"""The calibration report: our gate statuses beside the reviewer's, as text or Markdown tables."""

from __future__ import annotations

import asyncio
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from evals.agreement import STATUSES, Agreement, Pair, agreement
from evals.calibration_docs import LabelledDocument
from evals.calibration_replay import replay_documents
from evals.evidence_recall import Recall, document_recall
from evals.fitting import (
    Predictions,
    fit,
    held_out,
    model_predictions,
    offline_predictions,
)
from vocabulary.errors import GateReviewError
from vocabulary.models import GATES, Gate, GateReview, GateStatus, Strict

Statuses = dict[str, dict[Gate, GateStatus]]  # document name -> gate -> status
Reviews = dict[str, dict[Gate, GateReview]]
MINIMUMS_FILE = Path(__file__).parent / "realdocs.toml"


class Minimum(Strict):
    """The lowest acceptable held-out figures of one path on the open documents."""

    kappa: float
    not_ready_recall: float
    max_false_ready: int
    evidence_recall: float = 0.0


class Calibration(Strict):
    """`realdocs.toml`: the minimums per path and the sealed documents."""

    offline: Minimum
    model: Minimum
    sealed: list[str]


def load_minimums(path: Path = MINIMUMS_FILE) -> Calibration:
    """The minimums per path (`offline`, `model`) and the names of the sealed documents."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data["sealed"] = data.get("sealed", {}).get("documents", [])
        return Calibration.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise GateReviewError(f"{path}: {exc}".splitlines()[0]) from None


def below(name: str, figures: Agreement, recall: Recall, minimum: Minimum) -> list[str]:
    """One line per figure below its minimum."""
    failures = []
    if (figures.kappa or 0.0) < minimum.kappa - 1e-9:
        failures.append(f"{name}: kappa {figures.kappa or 0.0:.2f} < {minimum.kappa:.2f}")
    nr = figures.not_ready_recall or 0.0
    if nr < minimum.not_ready_recall - 1e-9:
        failures.append(f"{name}: not_ready recall {nr:.2f} < {minimum.not_ready_recall:.2f}")
    if figures.false_ready > minimum.max_false_ready:
        failures.append(f"{name}: {figures.false_ready} false ready > {minimum.max_false_ready}")
    if (recall.rate or 0.0) < minimum.evidence_recall - 1e-9:
        failures.append(
            f"{name}: evidence recall {recall.rate or 0.0:.2f} < {minimum.evidence_recall:.2f}"
        )
    return failures


def _pairs(
    labelled: list[LabelledDocument], ours: Statuses, gate: Gate | None = None
) -> list[Pair]:
    return [
        (item.expected[g], ours[item.name][g])
        for item in labelled
        for g in GATES
        if gate is None or g == gate
    ]


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _row(name: str, a: Agreement, recall: Recall | None = None) -> list[str]:
    return [
        name, f"{a.agreed}/{a.n}", _fmt(a.rate), _fmt(a.kappa), _fmt(a.not_ready_recall),
        _fmt(a.not_ready_precision), str(a.false_ready),
        "-" if recall is None else f"{_fmt(recall.rate)} ({recall.cited}/{recall.total})",
    ]  # fmt: skip


HEAD = [
    "set", "agree", "rate", "kappa", "NR recall", "NR precision", "false ready",
    "evidence recall",
]  # fmt: skip


def _table(rows: list[list[str]], markdown: bool) -> list[str]:
    if markdown:
        lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
        return lines + ["| " + " | ".join(r) + " |" for r in rows]
    widths = [max(len(str(r[i])) for r in [HEAD, *rows]) for i in range(len(HEAD))]
    return [
        "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in [HEAD, *rows]
    ]


def _confusion(a: Agreement, markdown: bool) -> list[str]:
    head = ["reviewer \\ ours", *STATUSES]
    rows = [[s, *(str(a.confusion[s][o]) for o in STATUSES)] for s in STATUSES]
    if markdown:
        return ["| " + " | ".join(head) + " |", "|---|---|---|---|"] + [
            "| " + " | ".join(r) + " |" for r in rows
        ]
    return ["  ".join(c.ljust(16) for c in r) for r in [head, *rows]]


def _recall(labelled: list[LabelledDocument], reviews: Reviews, gate: Gate | None = None) -> Recall:
    total = Recall(0, 0)
    for item in labelled:
        theirs = {g: q for g, q in item.evidence.items() if gate is None or g == gate}
        total = total.plus(document_recall(item.document, theirs, reviews[item.name]))
    return total


def section(
    title: str,
    labelled: list[LabelledDocument],
    ours: Statuses,
    reviews: Reviews,
    markdown: bool,
    per_gate: bool = True,
) -> list[str]:
    """Agreement and evidence recall overall (and per gate), and the confusion matrix."""
    overall = agreement(_pairs(labelled, ours))
    rows = [_row("all gates", overall, _recall(labelled, reviews))]
    if per_gate:
        rows += [
            _row(g, agreement(_pairs(labelled, ours, g)), _recall(labelled, reviews, g))
            for g in GATES
        ]
    heading = f"### {title}" if markdown else f"== {title} =="
    return [heading, "", *_table(rows, markdown), "", *_confusion(overall, markdown), ""]


def _disagreements(labelled: list[LabelledDocument], ours: Statuses) -> list[str]:
    return [
        f"  {item.name[:48]:<48} {g:<9} ours {ours[item.name][g]:<12} reviewer {item.expected[g]}"
        for item in labelled
        for g in GATES
        if ours[item.name][g] != item.expected[g]
    ]


@dataclass
class PathFigures:
    """One path's report lines and its held-out figures on the open and sealed documents."""

    lines: list[str]
    open: Agreement
    open_recall: Recall
    sealed: Agreement
    sealed_recall: Recall


def _path(
    title: str,
    open_docs: list[LabelledDocument],
    sealed: list[LabelledDocument],
    predictions: Predictions,
    markdown: bool,
) -> PathFigures:
    """One path's figures: open documents held out one at a time, sealed documents (aggregate
    only: their per-document results are never printed) fitted on the open ones."""
    chosen, folds = held_out(open_docs, sealed, predictions)
    statuses, reviews = predictions.statuses(chosen), predictions.reviews_of(chosen)
    shipped = {d.name: predictions.shipped for d in open_docs}
    lines = [
        *section(f"{title}, {len(open_docs)} open documents, leave-one-document-out",
                 open_docs, statuses, reviews, markdown),
        *section(f"{title}, {len(open_docs)} open documents, shipped parameters (in-sample)",
                 open_docs, predictions.statuses(shipped), predictions.reviews_of(shipped),
                 markdown, per_gate=False),
        *section(f"{title}, {len(sealed)} sealed documents, fitted on the open ones",
                 sealed, statuses, reviews, markdown, per_gate=False),
        f"fitted on every open document: {fit(open_docs, predictions)} "
        f"(shipped: {predictions.shipped})",
        "fitted without each open document:",
        *folds,
        "",
        f"disagreements, {title} (open documents, leave-one-document-out):",
        *_disagreements(open_docs, statuses),
        "",
    ]  # fmt: skip
    return PathFigures(
        lines,
        agreement(_pairs(open_docs, statuses)),
        _recall(open_docs, reviews),
        agreement(_pairs(sealed, statuses)),
        _recall(sealed, reviews),
    )


def split(
    labelled: list[LabelledDocument], sealed_names: list[str]
) -> tuple[list[LabelledDocument], list[LabelledDocument]]:
    """The open documents and the sealed ones."""
    sealed = [d for d in labelled if d.name in sealed_names]
    return [d for d in labelled if d.name not in sealed_names], sealed


def report(
    labelled: list[LabelledDocument],
    *,
    markdown: bool,
    recordings: Path,
    minimums: Calibration,
) -> int:
    """Print every figure; 1 when a recording is missing or stale, a quote is not verbatim or
    a held-out figure on the open documents is below its minimum."""
    open_docs, sealed = split(labelled, minimums.sealed)
    offline = offline_predictions(labelled)
    outcomes = asyncio.run(replay_documents(labelled, recordings))
    misses = [f"{o.name}: {m.message}" for o in outcomes for m in o.misses]
    model = model_predictions(labelled, {o.name: o.reviews for o in outcomes})
    screen = _path("offline screen", open_docs, sealed, offline, markdown)
    judged = _path("model path (recorded answers replayed)", open_docs, sealed, model, markdown)
    lines = [*screen.lines, *judged.lines]
    failures = below("offline", screen.open, screen.open_recall, minimums.offline)
    failures += below("model path", judged.open, judged.open_recall, minimums.model)
    opened = {d.name for d in open_docs}
    findings = [
        f
        for o in outcomes
        if o.name in opened
        for r in o.reviews.values()
        if not r.degraded
        for f in r.findings
        if f.status in ("met", "partial", "contradicted") or f.disputed
    ]
    lines += [
        f"support checks on the model path's {len(findings)} met, partial, contradicted or "
        "disputed findings (open documents):",
        f"  disputed by the offline screen: {sum(bool(f.disputed) for f in findings)}",
        f"  unsupported by their quotes: {sum(bool(f.unsupported) for f in findings)}",
        f"  met shown as partial (no specific quoted): "
        f"{sum(bool(f.support_note) for f in findings)}",
        "",
    ]
    bad = offline.bad_quotes + model.bad_quotes
    shown = [b for b in bad if b.split(":", 1)[0] in opened]
    lines += [f"quotes shown as verified but not verbatim: {len(bad)}", *shown]
    lines += [f"requests without a recording: {len(misses)}", *misses]
    lines += [f"figures below their minimums: {len(failures)}", *failures]
    print("\n".join(lines))
    return 1 if misses or bad or failures else 0
