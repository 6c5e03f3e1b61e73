"""A run as a SARIF 2.1.0 log: one result per finding that leaves its criterion unmet, and
one suppressed result (with the reviewer's justification) per criterion marked not applicable."""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Mapping
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from agents.coordinator import counts_toward_verdict
from agents.rubric import Criterion, Rubric, load_rubrics
from exports.flags import notes, unmet
from exports.sources import Source
from exports.tool import NAME, tool_version
from exports.view import RunView
from vocabulary.models import Finding, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL: dict[Severity, str] = {
    "blocker": "error",
    "major": "warning",
    "minor": "note",
    "info": "note",
}


def artifact_uri(path: str, root: str | None = None) -> str:
    """A URI reference for a document path: relative to the checkout `root` (default: the
    current folder) when the document is inside it, as code scanning expects; otherwise an
    absolute file URI, never a `../` reference climbing out of the checkout."""
    if PureWindowsPath(path).is_absolute() and not PurePosixPath(path).is_absolute():
        return PureWindowsPath(path).as_uri()
    base = PurePosixPath(posixpath.normpath(root or os.getcwd()))
    given = PurePosixPath(path.replace("\\", "/"))
    absolute = PurePosixPath(posixpath.normpath(base / given))
    if not given.is_absolute() and not posixpath.normpath(given).startswith(".."):
        return quote(posixpath.normpath(given))
    if absolute.is_relative_to(base) and absolute != base:
        return quote(str(absolute.relative_to(base)))
    return absolute.as_uri()


def outside(path: str, root: str | None = None) -> bool:
    """True when a document lies outside the checkout (its uri is an absolute file URI)."""
    return artifact_uri(path, root).startswith("file:")


def fingerprint(finding: Finding, first: str) -> str:
    """What identifies one alert across runs: the document it is in, its criterion and the
    text it quotes (whitespace and case ignored), not its lines, which move with every edit."""
    quoted = [e for e in finding.document_evidence if e.path]
    path = quoted[0].path if quoted else first
    quotes = sorted(" ".join(e.quote.split()).casefold() for e in quoted)
    digest = hashlib.sha256("\x1f".join([path or "", finding.criterion, *quotes]).encode())
    return digest.hexdigest()[:32]


def _rule(criterion: Criterion) -> dict[str, Any]:
    flags = "; ".join(criterion.red_flags)
    help_text = (
        f"{criterion.question}\nGood evidence: {criterion.good_evidence}\nRed flags: {flags}"
    )
    return {
        "id": criterion.id,
        "name": criterion.id.split(".", 1)[1],
        "shortDescription": {"text": criterion.title},
        "fullDescription": {"text": criterion.question},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVEL[criterion.severity]},
        "properties": {"gate": criterion.id.split(".", 1)[0], "severity": criterion.severity},
    }


def _location(
    path: str, start: int, end: int, note: str | None = None, root: str | None = None
) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(path, root)},
            "region": {"startLine": start, "endLine": max(start, end)},
        }
    }
    if note:
        location["message"] = {"text": note}
    return location


def _locations(
    finding: Finding, sources: Mapping[str, Source], first: str, root: str | None
) -> list[dict]:
    """Each quote's file and lines; otherwise the first document's first heading."""
    quoted = [
        _location(e.path, e.line_start, e.line_end or e.line_start, root=root)
        for e in finding.document_evidence
        if e.path and e.line_start
    ]
    if quoted:
        return quoted
    heading = sources[first].heading_line if first in sources else 1
    searched = ", ".join(finding.searched_for) or finding.criterion
    note = f"Nothing found in the documents; searched for: {searched}"
    return [_location(first, heading, heading, note, root)]


def _message(finding: Finding) -> str:
    parts = [f"{finding.criterion} is {finding.status}: {finding.summary}"]
    if finding.recommendation:
        parts.append(finding.recommendation)
    parts += [f"{label}: {text}" for label, text in notes(finding)]
    return " ".join(p if p.endswith(".") else f"{p}." for p in parts)


def _result(
    finding: Finding,
    index: Mapping[str, int],
    sources: Mapping[str, Source],
    first: str,
    root: str | None,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.criterion,
        "level": LEVEL[finding.severity],
        "message": {"text": _message(finding)},
        "locations": _locations(finding, sources, first, root),
        "partialFingerprints": {
            "criterion": finding.criterion,
            "gatereviewFinding/v1": fingerprint(finding, first),
        },
        "properties": {
            "gate": finding.gate,
            "status": finding.status,
            "severity": finding.severity,
            "counts": counts_toward_verdict(finding),
            "unsupported": finding.unsupported,
            "support_note": finding.support_note,
            "disputed": finding.disputed,
            "amended_by": finding.amended_by,
            "not_applicable": finding.not_applicable,
            "carried": finding.carried,
            "recheck": finding.recheck,
            "held": finding.held,
        },
    }
    if finding.criterion in index:
        result["ruleIndex"] = index[finding.criterion]
    if finding.not_applicable:
        # A person's call, kept visible as a suppressed result (code scanning closes it).
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"not applicable: {finding.amend_reason or ''}",
                "properties": {"reviewer": finding.amended_by, "carried": finding.carried},
            }
        ]
    return result


def sarif_log(
    view: RunView,
    sources: Mapping[str, Source],
    rubrics: Mapping[str, Rubric] | None = None,
    root: str | None = None,
) -> dict[str, Any]:
    """The SARIF log of a run: rules from its rubrics (the built-in ones unless given),
    results from its unmet findings, uris relative to the checkout `root` (default: the
    current folder) for the documents inside it."""
    rubrics = load_rubrics() if rubrics is None else rubrics
    criteria = [c for gate in view.gate_names if gate in rubrics for c in rubrics[gate].criteria]
    index = {c.id: i for i, c in enumerate(criteria)}
    first = view.documents[0].path if view.documents else "."
    verdict = view.verdict
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": NAME,
                        "version": tool_version(),
                        "rules": [_rule(c) for c in criteria],
                    }
                },
                "automationDetails": {"id": f"{NAME}/{view.run_id}"},
                "artifacts": [
                    {
                        "location": {"uri": artifact_uri(d.path, root)},
                        "hashes": {"sha-256": d.sha256},
                    }
                    for d in view.documents
                ],
                "results": [
                    _result(f, index, sources, first, root)
                    for f in view.findings
                    if unmet(f) or f.not_applicable
                ],
                "properties": {
                    "run_id": view.run_id,
                    "state": view.state,
                    "verdict": verdict.overall if verdict else None,
                    "screened": bool(verdict and verdict.screened),
                    "gates": {g: v.status for g, v in verdict.gates.items()} if verdict else {},
                    "trace_last_hash": view.report.get("trace_last_hash"),
                    "outside_checkout": [
                        d.path for d in view.documents if outside(d.path, root)
                    ],
                },
            }
        ],
    }
