"""The labelled real documents used for calibration: loading them and their reviewer's labels.

The folder (by default `../shared/realdocs`, never copied into the repository) holds the
documents and `labels.json`: per document and gate, a careful reviewer's verdict. The labels'
gates and verdicts map to ours as that folder's README says.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from tools.documents import Document, load_documents
from vocabulary.errors import GateReviewError
from vocabulary.models import Gate, GateStatus

DEFAULT_FOLDER = Path("../shared/realdocs")
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


@dataclass(frozen=True)
class LabelledDocument:
    """One real document, loaded with its path relative to the folder, and its labels."""

    name: str
    document: Document
    expected: dict[Gate, GateStatus]
    evidence: dict[Gate, list[str]] = field(default_factory=dict)  # the reviewer's quotes


def load_calibration(folder: Path = DEFAULT_FOLDER) -> list[LabelledDocument]:
    """Every labelled document in the folder, in the labels' order."""
    labels_path = folder / "labels.json"
    if not labels_path.is_file():
        raise GateReviewError(
            f"{labels_path}: no labels (the real documents live outside the repository; "
            "give their folder)"
        )
    labels = json.loads(labels_path.read_text(encoding="utf-8"))
    out = []
    for entry in labels["docs"]:
        # Paths as shown to a model are relative to the folder, so requests (and their
        # recordings) do not depend on where the folder sits.
        with contextlib.chdir(folder):
            document = load_documents([entry["file"]]).documents[0]
        expected = {
            LABEL_GATES[gate]: LABEL_STATUS[label["verdict"]]
            for gate, label in entry["gates"].items()
        }
        evidence = {
            LABEL_GATES[gate]: [e["quote"] for e in label.get("evidence", [])]
            for gate, label in entry["gates"].items()
        }
        out.append(LabelledDocument(entry["file"], document, expected, evidence))
    return out
