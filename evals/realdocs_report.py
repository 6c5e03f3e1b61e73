"""The calibration report: our gate statuses beside the reviewer's, as text or Markdown tables."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from agents.coordinator import compile_verdict
from agents.models import GATES, Gate, GateReview, GateStatus
from agents.rubric import load_rubrics
from evals.agreement import STATUSES, Agreement, Pair, agreement
from evals.calibration_docs import LabelledDocument
from evals.calibration_replay import replay_documents
from evals.fitting import OfflinePredictions, leave_one_out, offline_predictions

Statuses = dict[str, dict[Gate, GateStatus]]  # document name -> gate -> status


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


def statuses(reviews: Mapping[Gate, GateReview]) -> dict[Gate, GateStatus]:
    """Gate statuses by the coordinator's rule (the shipped one)."""
    verdict = compile_verdict(reviews, load_rubrics())
    return {g: verdict.gates[g].status for g in GATES}


def _disagreements(labelled: list[LabelledDocument], ours: Statuses) -> list[str]:
    return [
        f"  {item.name[:48]:<48} {g:<9} ours {ours[item.name][g]:<12} reviewer {item.expected[g]}"
        for item in labelled
        for g in GATES
        if ours[item.name][g] != item.expected[g]
    ]


def report(labelled: list[LabelledDocument], *, markdown: bool, recordings: Path) -> int:
    """Print every figure; 1 when a recording is missing or stale or a quote is not verbatim."""
    lines: list[str] = []
    predictions: OfflinePredictions = offline_predictions(labelled)
    shipped = {name: per[predictions.shipped] for name, per in predictions.by_params.items()}
    lines += section(
        "offline reviewer, shipped parameters (in-sample)", labelled, shipped, markdown
    )
    loo, chosen = leave_one_out(labelled, predictions)
    lines += section("offline reviewer, leave-one-document-out", labelled, loo, markdown)
    lines += ["parameters chosen per held-out document:", *chosen, ""]
    outcomes = asyncio.run(replay_documents(labelled, recordings))
    misses = [f"{o.name}: {m.message}" for o in outcomes for m in o.misses]
    model = {o.name: statuses(o.reviews) for o in outcomes}
    lines += section("model path (recorded answers, replayed)", labelled, model, markdown)
    bad = predictions.bad_quotes + [
        f"{o.name}: {e.location}"
        for o, item in zip(outcomes, labelled, strict=True)
        for r in o.reviews.values()
        for f in r.findings
        for e in f.document_evidence
        if e.verified and e.quote not in item.document.line_text(e.line_start or 0, e.line_end or 0)
    ]
    lines += ["disagreements, model path:", *_disagreements(labelled, model), ""]
    lines += ["disagreements, offline (leave-one-out):", *_disagreements(labelled, loo), ""]
    lines += [f"quotes shown as verified but not verbatim: {len(bad)}", *bad]
    lines += [f"requests without a recording: {len(misses)}", *misses]
    print("\n".join(lines))
    return 1 if misses or bad else 0
