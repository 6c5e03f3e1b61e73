"""The calibration report: our gate statuses beside the reviewer's, as text or Markdown tables."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

from pydantic import ValidationError

from agents.errors import GateReviewError
from agents.models import GATES, Gate, GateStatus, Strict
from evals.agreement import STATUSES, Agreement, Pair, agreement
from evals.calibration_docs import LabelledDocument
from evals.calibration_replay import replay_documents
from evals.fitting import (
    Predictions,
    fit,
    leave_one_out,
    model_predictions,
    offline_predictions,
)

Statuses = dict[str, dict[Gate, GateStatus]]  # document name -> gate -> status
MINIMUMS_FILE = Path(__file__).parent / "realdocs.toml"


class Minimum(Strict):
    """The lowest acceptable leave-one-document-out figures of one path."""

    kappa: float
    not_ready_recall: float
    max_false_ready: int


def load_minimums(path: Path = MINIMUMS_FILE) -> dict[str, Minimum]:
    """The minimums per path (`offline`, `model`)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return {name: Minimum.model_validate(values) for name, values in data.items()}
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise GateReviewError(f"{path}: {exc}".splitlines()[0]) from None


def below(name: str, figures: Agreement, minimum: Minimum) -> list[str]:
    """One line per figure below its minimum."""
    failures = []
    if (figures.kappa or 0.0) < minimum.kappa - 1e-9:
        failures.append(f"{name}: kappa {figures.kappa or 0.0:.2f} < {minimum.kappa:.2f}")
    recall = figures.not_ready_recall or 0.0
    if recall < minimum.not_ready_recall - 1e-9:
        failures.append(f"{name}: not_ready recall {recall:.2f} < {minimum.not_ready_recall:.2f}")
    if figures.false_ready > minimum.max_false_ready:
        failures.append(f"{name}: {figures.false_ready} false ready > {minimum.max_false_ready}")
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


def _row(name: str, a: Agreement) -> list[str]:
    return [
        name, f"{a.agreed}/{a.n}", _fmt(a.rate), _fmt(a.kappa), _fmt(a.not_ready_recall),
        _fmt(a.not_ready_precision), str(a.false_ready),
    ]  # fmt: skip


HEAD = ["set", "agree", "rate", "kappa", "NR recall", "NR precision", "false ready"]


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


def section(
    title: str, labelled: list[LabelledDocument], ours: Statuses, markdown: bool
) -> list[str]:
    """Agreement overall and per gate, and the confusion matrix."""
    overall = agreement(_pairs(labelled, ours))
    rows = [_row("all gates", overall)]
    rows += [_row(g, agreement(_pairs(labelled, ours, g))) for g in GATES]
    heading = f"### {title}" if markdown else f"== {title} =="
    return [heading, "", *_table(rows, markdown), "", *_confusion(overall, markdown), ""]


def _disagreements(labelled: list[LabelledDocument], ours: Statuses) -> list[str]:
    return [
        f"  {item.name[:48]:<48} {g:<9} ours {ours[item.name][g]:<12} reviewer {item.expected[g]}"
        for item in labelled
        for g in GATES
        if ours[item.name][g] != item.expected[g]
    ]


def _path(
    title: str, labelled: list[LabelledDocument], predictions: Predictions, markdown: bool
) -> tuple[list[str], Agreement]:
    """The shipped (in-sample) and leave-one-document-out figures of one path, and the latter."""
    loo, chosen = leave_one_out(labelled, predictions)
    fitted = fit(labelled, predictions)
    lines = [
        *section(f"{title}, shipped parameters (in-sample)", labelled,
                 predictions.shipped_statuses(), markdown),
        *section(f"{title}, leave-one-document-out", labelled, loo, markdown),
        f"fitted on every document: {fitted} (shipped: {predictions.shipped})",
        "fitted without each document:",
        *chosen,
        "",
        f"disagreements, {title} (leave-one-document-out):",
        *_disagreements(labelled, loo),
        "",
    ]  # fmt: skip
    return lines, agreement(_pairs(labelled, loo))


def report(
    labelled: list[LabelledDocument],
    *,
    markdown: bool,
    recordings: Path,
    minimums: dict[str, Minimum],
) -> int:
    """Print every figure; 1 when a recording is missing or stale or a quote is not verbatim."""
    offline = offline_predictions(labelled)
    outcomes = asyncio.run(replay_documents(labelled, recordings))
    misses = [f"{o.name}: {m.message}" for o in outcomes for m in o.misses]
    model = model_predictions(labelled, {o.name: o.reviews for o in outcomes})
    offline_lines, offline_loo = _path("offline reviewer", labelled, offline, markdown)
    model_lines, model_loo = _path(
        "model path (recorded answers replayed)", labelled, model, markdown
    )
    lines = [*offline_lines, *model_lines]
    failures = below("offline", offline_loo, minimums["offline"])
    failures += below("model path", model_loo, minimums["model"])
    findings = [
        f
        for o in outcomes
        for r in o.reviews.values()
        if not r.degraded
        for f in r.findings
        if f.status in ("met", "partial", "contradicted") or f.disputed
    ]
    lines += [
        f"support checks on the model path's {len(findings)} met, partial, contradicted or "
        "disputed findings:",
        f"  disputed by the offline reviewer: {sum(bool(f.disputed) for f in findings)}",
        f"  unsupported by their quotes: {sum(bool(f.unsupported) for f in findings)}",
        f"  met shown as partial (no specific quoted): "
        f"{sum(bool(f.support_note) for f in findings)}",
        "",
    ]
    bad = offline.bad_quotes + model.bad_quotes
    lines += [f"quotes shown as verified but not verbatim: {len(bad)}", *bad]
    lines += [f"requests without a recording: {len(misses)}", *misses]
    lines += [f"figures below their minimums: {len(failures)}", *failures]
    print("\n".join(lines))
    return 1 if misses or bad or failures else 0
