"""What the export tests share: the example documents, the official SARIF schema, findings."""

from __future__ import annotations

from pathlib import Path

from agents.models import Evidence, Finding

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo-grade-poc.md"
STRONG = ROOT / "examples" / "strong-contract-search.md"
SCHEMA = ROOT / "tests" / "exports" / "schemas" / "sarif-schema-2.1.0.json"
HOSTILE = "<script>alert(1)</script> | `tick` **bold** @someone"


def finding(criterion: str, status: str, **extra: object) -> Finding:
    """A finding on a criterion with a given status (blocker unless met) and extra fields."""
    gate = criterion.split(".")[0]
    return Finding.model_validate(
        {
            "id": criterion,
            "gate": gate,
            "criterion": criterion,
            "title": criterion,
            "status": status,
            "severity": "blocker" if status != "met" else "info",
            "summary": f"summary of {criterion}",
            "recommendation": f"do {criterion}",
            **extra,
        }
    )


def quoted(line: int, text: str = "The owner is the claims data team.") -> Evidence:
    """Verified document evidence on one line of doc.md."""
    return Evidence(path="doc.md", line_start=line, line_end=line, quote=text, verified=True)
