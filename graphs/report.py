"""The final report of a run: Markdown for people, JSON for machines, in the workspace."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from graphs.diff import RunDiff, render_diff_markdown
from graphs.view import RunView, build_view
from graphs.workspace import Workspace
from tools.redact import redact

_STATUS_MARK = {
    "met": "met",
    "partial": "partial",
    "mentioned": "mentioned in passing",
    "missing": "missing",
    "contradicted": "CONTRADICTED",
}


# Identifiers, hashes, times, paths and closed vocabularies: kept as they are. Every other
# string in a report (quotes, summaries, reasons, comments, conditions) is masked.
_KEPT = frozenset(
    {
        "run_id", "state", "created_at", "path", "kind", "sha256", "id", "gate", "criterion",
        "status", "severity", "overall", "action", "at", "gates", "markdown", "json", "trace",
        "trace_last_hash", "reviewer", "amended_by", "summary_by", "finding_id", "digest",
        "source", "clause", "framework", "unmapped", "project", "before", "after", "change",
        "lines_before", "lines_after", "overall_before", "overall_after", "reused_from",
    }
)  # fmt: skip


REPORT_KINDS = {"markdown": "md", "json": "json"}


def _masked(value: Any, key: str | None = None) -> Any:
    if key in _KEPT:
        return value
    if isinstance(value, str):
        return redact(value).text
    if isinstance(value, dict):
        return {k: _masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, key) for v in value]
    return value


def masked_view(view: RunView) -> RunView:
    """The view as a report shows it: personal data and credentials masked in every text.

    Reports travel (meetings, tickets, CI artefacts); evidence keeps its `path:line`, and the
    text as written stays in the owner-only workspace, where `show` reads it.
    """
    return RunView.model_validate(_masked(view.model_dump(mode="json")))


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def render_markdown(view: RunView) -> str:
    """The report as Markdown: verdict, gates, findings with evidence, decisions."""
    verdict = view.verdict
    out = [f"# Readiness review {view.run_id}", ""]
    if verdict is not None:
        out += [f"**Verdict: {verdict.overall}**", "", verdict.summary, ""]
        out += ["| gate | status | reason |", "| --- | --- | --- |"]
        out += [f"| {g} | {v.status} | {v.reason} |" for g, v in verdict.gates.items()]
        out.append("")
        if verdict.conditions:
            out += ["## Conditions", ""] + [f"- {c}" for c in verdict.conditions] + [""]
    reused = [g for g, info in view.gates.items() if info.reused_from]
    if reused:
        since = view.gates[reused[0]].reused_from
        out += [f"Reused unchanged from run {since}: {', '.join(reused)}.", ""]
    out += ["## Documents", ""]
    out += [f"- `{d.path}` ({d.kind}, sha256 {d.sha256[:12]})" for d in view.documents]
    if view.rubrics is not None:
        out += [
            "",
            f"Rubric set `{view.rubrics.digest}` ({view.rubrics.source}): "
            + ", ".join(view.rubrics.gates),
        ]
    out += ["", "## Findings", ""]
    for f in view.findings:
        flag = " (dismissed)" if f.dismissed else ""
        out.append(f"### {f.id}: {f.title or f.criterion}{flag}")
        out.append(f"Status **{_STATUS_MARK[f.status]}**, severity {f.severity}. {f.summary}")
        if f.amended_by:
            out.append(f"Amended by {f.amended_by}: {f.amend_reason}")
        if f.unsupported:
            out.append(f"Unsupported (does not count): {f.unsupported}")
        if f.disputed:
            out.append(f"Disputed (does not count until amended): {f.disputed}")
        if f.support_note:
            out.append(f"Note: {f.support_note}")
        for e in f.evidence:
            mark = "" if e.verified else " (unverified)"
            out.append(f"> {e.quote}  \n> - `{e.location}`{mark}")
        if f.recommendation and f.status != "met":
            out.append(f"Recommendation: {f.recommendation}")
        out.append("")
    out += _framework_lines(view)
    if view.report.get("trace_last_hash"):
        out += [
            "## Trace",
            "",
            f"`{view.report['trace']}`, last record hash `{view.report['trace_last_hash']}`",
            "",
        ]
    out += ["## Decisions", ""]
    for d in view.decisions:
        extra = f" gates: {', '.join(d.gates)}" if d.gates else ""
        out.append(f"- {d.at} **{d.action}** by {d.reviewer}{extra}: {d.comment}".rstrip(": "))
    return "\n".join(out) + "\n"


def _framework_lines(view: RunView) -> list[str]:
    """Findings per framework clause, and the clauses with no evidence."""
    out = []
    for coverage in view.frameworks:
        out += [f"## {coverage.name}", "", "| clause | evidence | no evidence from |"]
        out.append("| --- | --- | --- |")
        for clause in coverage.clauses:
            found = ", ".join(f"{f.id} ({f.status})" for f in clause.findings if f.evidenced)
            missing = ", ".join(clause.unevidenced)
            out.append(f"| {clause.clause} | {found or '**none**'} | {missing} |")
        evidenced = sum(1 for c in coverage.clauses if c.evidenced)
        out += [
            "",
            f"{evidenced} of {len(coverage.clauses)} mapped clauses evidenced. No criterion maps "
            f"to: {', '.join(coverage.unmapped) or 'none'}.",
            "",
        ]
    return out


def write_diff_report(diff: RunDiff, workspace: Workspace) -> dict[str, Path]:
    """Write `reports/diff-A-B.md` and `.json` (texts masked as in every report)."""
    workspace.ensure()
    stem = f"diff-{diff.before}-{diff.after}"
    paths = {kind: workspace.reports / f"{stem}.{ext}" for kind, ext in REPORT_KINDS.items()}
    masked = RunDiff.model_validate(_masked(diff.model_dump(mode="json")))
    _write_private(paths["markdown"], render_diff_markdown(masked))
    _write_private(paths["json"], masked.model_dump_json(indent=2))
    return paths


def write_report(
    values: dict[str, Any], workspace: Workspace, trace: dict[str, str] | None = None
) -> dict[str, Path]:
    """Write `reports/RUN.md` and `reports/RUN.json` (with the trace's last hash)."""
    run_id = values["run_id"]
    state = "approved" if values.get("outcome") == "approved" else "rejected"
    view = build_view(run_id, state, values)
    workspace.ensure()
    paths = {
        "markdown": workspace.reports / f"{run_id}.md",
        "json": workspace.reports / f"{run_id}.json",
    }
    report = {**{k: str(p) for k, p in paths.items()}, **(trace or {})}
    view = masked_view(view.model_copy(update={"report": report}))
    _write_private(paths["markdown"], render_markdown(view))
    _write_private(paths["json"], view.model_dump_json(indent=2))
    return paths
