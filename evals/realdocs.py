"""Calibrate the offline reviewer on real design documents labelled by an expert.

Run: `python -m evals.realdocs [FOLDER]` (default `../shared/realdocs`). The folder holds the
documents and a `labels.json` with per-gate verdicts. Exits 1 when fewer than 9 of 15 gate
statuses agree with the expert, or when any quote is not verbatim in its document.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from agents.coordinator import compile_verdict
from agents.models import GATES, Gate, GateReview, GateStatus
from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from tools.documents import Document, load_documents
from tools.retrieval import SectionIndex

DEFAULT_FOLDER = Path("../shared/realdocs")
MIN_AGREEMENT = 9
LABEL_GATES: dict[str, Gate] = {
    "data_readiness": "data",
    "risk_compliance": "risk",
    "platform_infrastructure": "platform",
    "product_ux": "product",
    "change_adoption": "change",
}
LABEL_STATUS: dict[str, GateStatus] = {
    "pass": "ready",
    "concerns": "conditional",
    "fail": "not_ready",
    "not_addressed": "not_ready",
}


def load(path: Path) -> Document:
    """One document through the project's loader."""
    return load_documents([path]).documents[0]


@dataclass
class Outcome:
    """One document's per-gate statuses next to the expert's, and any quote that failed."""

    name: str
    ours: dict[Gate, GateStatus]
    expert: dict[Gate, GateStatus]
    bad_quotes: list[str]


def assess(path: Path, labels: dict[str, dict]) -> Outcome:
    """Review one labelled document on all five gates and compare with the expert."""
    document = load(path)
    rubrics = load_rubrics()
    index = SectionIndex([document])
    reviews: dict[Gate, GateReview] = {
        gate: review_gate_offline(rubrics[gate], [document], index) for gate in GATES
    }
    verdict = compile_verdict(reviews, rubrics)
    bad = [
        f"{e.location}: {e.quote[:60]!r}"
        for review in reviews.values()
        for finding in review.findings
        for e in finding.document_evidence
        if not (e.verified and e.quote in document.line_text(e.line_start or 0, e.line_end or 0))
    ]
    expert = {LABEL_GATES[k]: LABEL_STATUS[v["verdict"]] for k, v in labels.items()}
    ours = {gate: verdict.gates[gate].status for gate in GATES}
    return Outcome(path.name, ours, expert, bad)


def main(argv: list[str] | None = None) -> int:
    """Print the agreement table; return 1 below the threshold or on a non-verbatim quote."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else DEFAULT_FOLDER
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    outcomes = [assess(folder / doc["file"], doc["gates"]) for doc in labels["docs"]]
    agree = total = 0
    print(f"{'document':<48} {'gate':<9} {'ours':<12} {'expert':<12}")
    for outcome in outcomes:
        for gate in GATES:
            same = outcome.ours[gate] == outcome.expert[gate]
            agree, total = agree + same, total + 1
            mark = "" if same else "  *"
            print(
                f"{outcome.name[:48]:<48} {gate:<9} {outcome.ours[gate]:<12} "
                f"{outcome.expert[gate]:<12}{mark}"
            )
    bad = [q for o in outcomes for q in o.bad_quotes]
    for quote in bad:
        print(f"not verbatim: {quote}")
    print(f"agreement: {agree}/{total}")
    print(f"quotes not verbatim: {len(bad)}")
    return 1 if agree < MIN_AGREEMENT or bad else 0


if __name__ == "__main__":
    sys.exit(main())
