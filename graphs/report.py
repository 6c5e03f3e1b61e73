"""The final report of a run: Markdown for people, JSON for machines, in the workspace."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from exports.conditions import with_owners
from exports.diff import RunDiff, render_diff_markdown
from exports.view import RunView, build_view
from graphs.assignments import assignments
from graphs.workspace import Workspace
from guard import redact
from vocabulary.escaping import markdown_inline, markdown_lines

_STATUS_MARK = {
    "met": "met",
    "partial": "partial",
    "mentioned": "mentioned in passing",
    "found": "found by the screen (not judged)",
    "missing": "missing",
    "contradicted": "CONTRADICTED",
}


# Identifiers, hashes, times, paths and closed vocabularies: kept as they are. Every other
# string in a report (quotes, summaries, reasons, comments, conditions) is masked.
_KEPT = frozenset(
    {
        "run_id", "state", "created_at", "path", "kind", "sha256", "id", "gate", "criterion",
        "status", "severity", "overall", "action", "at", "gates", "markdown", "json", "html",
        "trace", "trace_last_hash", "reviewer", "amended_by", "summary_by", "finding_id",
        "masking", "verdict_sha256", "digest", "source", "clause", "framework", "unmapped",
        "project", "before", "after", "change", "lines_before", "lines_after", "overall_before",
        "overall_after", "reused_from", "approvers", "owner", "due", "assigned_by",
        "assigned_at", "evidence_from", "unsigned",
    }
)  # fmt: skip


REPORT_KINDS = {"markdown": "md", "json": "json", "html": "html"}


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


def write_atomically(path: Path, text: str) -> str:
    """Write a private file by temp-file-and-rename; returns its sha256.

    A reader never sees half a file, a failed write (a full disk) leaves the old file as it
    was, and a symbolic link planted at `path` is replaced, never followed.
    """
    data = text.encode("utf-8")
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:  # mkstemp: O_EXCL, mode 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


def _code(text: str) -> str:
    """Text as inline code, whatever backticks it holds (a fence longer than any run)."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}" if longest else f"{fence}{text}{fence}"


def _page_link(url: str | None) -> str:
    """Where a wiki page opens, as code (the address is the wiki's, so it is never markup)."""
    return f" at {_code(url)}" if url else ""


def render_markdown(view: RunView) -> str:
    """The report as Markdown: verdict, gates, findings with evidence, decisions.

    Every text from a person, a document or a model is escaped: it reads as written and
    never becomes a heading, a table cell boundary, emphasis or a link.
    """
    md = markdown_inline
    verdict = view.verdict
    out = [f"# Readiness review {view.run_id}", ""]
    if verdict is not None:
        screened = " (screened offline, not certified)" if verdict.screened else ""
        out += [f"**Verdict: {verdict.overall}**{screened}", "", md(verdict.summary), ""]
        out += ["| gate | status | reason |", "| --- | --- | --- |"]
        out += [f"| {g} | {v.status} | {md(v.reason)} |" for g, v in verdict.gates.items()]
        out.append("")
        if verdict.conditions:
            out += ["## Conditions", ""] + [f"- {md(c)}" for c in verdict.conditions] + [""]
        out += _condition_lines(view) + _signoff_lines(view)
    masking = view.report.get("masking")
    if masking:
        out += [f"Text sent to the model: {masking}.", ""]
    reused = [g for g, info in view.gates.items() if info.reused_from]
    if reused:
        since = view.gates[reused[0]].reused_from
        out += [f"Reused unchanged from run {since}: {', '.join(reused)}.", ""]
    out += ["## Documents", ""]
    out += [
        f"- {_code(d.path)} ({d.kind}, sha256 {d.sha256[:12]}"
        + (f", {md(d.origin.label)}{_page_link(d.origin.url)}" if d.origin else "")
        + ")"
        for d in view.documents
    ]
    if view.rubrics is not None:
        out += [
            "",
            f"Rubric set `{view.rubrics.digest}` ({md(view.rubrics.source)}): "
            + ", ".join(view.rubrics.gates),
        ]
    out += ["", "## Findings", ""]
    for f in view.findings:
        flag = " (dismissed)" if f.dismissed else " (not applicable)" if f.not_applicable else ""
        out.append(f"### {f.id}: {md(f.title or f.criterion)}{flag}")
        out.append(f"Status **{_STATUS_MARK[f.status]}**, severity {f.severity}. {md(f.summary)}")
        if f.amended_by:
            out.append(f"Amended by {md(f.amended_by)}: {md(f.amend_reason or '')}")
        for label, text in (
            ("Not applicable (out of the rule)", f.amend_reason if f.not_applicable else None),
            ("Carried", f.carried),
            ("Check again", f.recheck),
            ("Held", f.held),
        ):
            if text:
                out.append(f"{label}: {md(text)}")
        if f.unsupported:
            out.append(f"Unsupported (does not count): {md(f.unsupported)}")
        if f.disputed:
            out.append(f"Disputed (does not count until amended): {md(f.disputed)}")
        if f.support_note:
            out.append(f"Note: {md(f.support_note)}")
        for e in f.evidence:
            mark = "" if e.verified else " (unverified)"
            out.append(f"> {md(e.quote)}  \n> - {_code(e.location)}{mark}")
        if f.recommendation and f.status != "met":
            out.append(f"Recommendation: {md(f.recommendation)}")
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
        line = f"- {d.at} **{d.action}** by {md(d.reviewer)}{extra}"
        comment = markdown_lines(d.comment)
        out.append(f"{line}: {comment}" if comment else line)
    return "\n".join(out) + "\n"


def _condition_lines(view: RunView) -> list[str]:
    """The conditions, blockers first: what would lift each, its owner and due date."""
    if not view.conditions:
        return []
    md = markdown_inline
    out = ["To lift them, blockers first:", ""]
    out.append("| # | condition | severity | what would lift it | owner | due |")
    out.append("| --- | --- | --- | --- | --- | --- |")
    for rank, c in enumerate(view.conditions, 1):
        needed = f"{md(c.evidence_needed)} ({c.evidence_from})"
        owner = md(c.owner) if c.owner else "not set"
        due = c.due or "not set"
        out.append(f"| {rank} | {c.id} | {c.severity} | {needed} | {owner} | {due} |")
    return [*out, ""]


def _signoff_lines(view: RunView) -> list[str]:
    """Who signed which gate, on which verdict; the required gates not signed."""
    if not view.signatures and not view.approvers:
        return []
    md = markdown_inline
    out = ["## Sign-off", ""]
    out += [
        f"- {s.gate}: signed by {md(s.reviewer)} at {s.at} (verdict `{s.verdict_sha256[:12]}`)"
        for s in view.signatures
    ]
    out += [f"- {g}: not signed" for g in view.unsigned if view.state != "rejected"]
    return [*out, ""]


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
    """Write `reports/diff-A-B.md`, `.json` and `.html` (texts masked as in every report)."""
    workspace.ensure()
    stem = f"diff-{diff.before}-{diff.after}"
    paths = {kind: workspace.reports / f"{stem}.{ext}" for kind, ext in REPORT_KINDS.items()}
    masked = RunDiff.model_validate(_masked(diff.model_dump(mode="json")))
    from exports.html import render_diff_html

    write_atomically(paths["markdown"], render_diff_markdown(masked))
    write_atomically(paths["html"], render_diff_html(masked))
    write_atomically(paths["json"], masked.model_dump_json(indent=2))
    return paths


def masking_note(values: dict[str, Any]) -> str:
    """What the report says about masking: how the run sent text to its model."""
    settings = values.get("settings") or {}
    if settings.get("model", "offline") == "offline":
        return "none sent (offline reviewer)"
    return "masked" if settings.get("mask", True) else "not masked (--no-mask)"


def write_report(
    values: dict[str, Any], workspace: Workspace, trace: dict[str, str] | None = None
) -> dict[str, str]:
    """Write `reports/RUN.md`, `reports/RUN.json` (with the trace's last hash) and
    `reports/RUN.html`.

    Returns what the run keeps of them: their paths, the trace's last hash, and each file's
    sha256 (so `trace --verify` can tell an edited report).
    """
    from exports.html import render_html
    from exports.sources import sources_from_state

    run_id = values["run_id"]
    state = "approved" if values.get("outcome") == "approved" else "rejected"
    view = build_view(run_id, state, values)
    given = assignments(workspace, run_id)  # owners and due dates set before the decision
    view = view.model_copy(update={"conditions": with_owners(view.conditions, given)})
    workspace.ensure()
    paths = {
        "markdown": workspace.reports / f"{run_id}.md",
        "json": workspace.reports / f"{run_id}.json",
        "html": workspace.reports / f"{run_id}.html",
    }
    report = {
        **{k: str(p) for k, p in paths.items()},
        **(trace or {}),
        "masking": masking_note(values),
    }
    view = masked_view(view.model_copy(update={"report": report}))
    html = render_html(view, sources_from_state(values["documents"]))
    hashes = {
        "markdown_sha256": write_atomically(paths["markdown"], render_markdown(view)),
        "json_sha256": write_atomically(paths["json"], view.model_dump_json(indent=2)),
        "html_sha256": write_atomically(paths["html"], html),
    }
    return {**report, **hashes}
