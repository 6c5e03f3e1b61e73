"""What changed between two reviews: gate statuses, and findings matched by criterion and quote.

A finding is matched across runs by its criterion; its evidence by the quote's text (whitespace
and case ignored), never by line number, so text that moved is told apart from text that changed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from exports.view import RunView
from vocabulary.models import ADDRESSED, Finding, Strict

Change = Literal["new", "resolved", "changed_status", "changed_evidence", "moved_lines"]


class GateChange(Strict):
    """A gate whose status differs between the runs (None: the gate is not in that run)."""

    gate: str
    before: str | None
    after: str | None


class FindingChange(Strict):
    """One criterion's finding that differs between the runs."""

    criterion: str
    change: Change = Field(
        description="new: unmet only in the later run; resolved: unmet only in the earlier; "
        "changed_status: unmet in both, another status; changed_evidence: same status, other "
        "quotes; moved_lines: same status and quotes at other lines"
    )
    before: str | None = Field(description="Status in the earlier run (None: no finding)")
    after: str | None = Field(description="Status in the later run (None: no finding)")
    lines_before: list[str] = Field(default_factory=list, description="path:line of its quotes")
    lines_after: list[str] = Field(default_factory=list)


class RunDiff(Strict):
    """The changes from run `before` to run `after`."""

    before: str
    after: str
    project: str | None = None
    overall_before: str | None = None
    overall_after: str | None = None
    gates: list[GateChange] = Field(default_factory=list)
    findings: list[FindingChange] = Field(default_factory=list)
    unchanged: int = Field(default=0, description="Findings with the same status and quotes")
    sources_before: list[str] = Field(
        default_factory=list, description="The commits or page versions the earlier run read"
    )
    sources_after: list[str] = Field(default_factory=list)


def _unmet(finding: Finding | None) -> bool:
    if finding is None or finding.dismissed or finding.not_applicable:
        return False
    return finding.status not in ADDRESSED


def _quotes(finding: Finding) -> list[str]:
    return sorted(" ".join(e.quote.lower().split()) for e in finding.document_evidence)


def _lines(finding: Finding | None) -> list[str]:
    return [e.location for e in finding.document_evidence] if finding else []


def _status(finding: Finding | None) -> str | None:
    if finding is None:
        return None
    if finding.not_applicable:
        return "not_applicable"
    return "dismissed" if finding.dismissed else finding.status


def _change(old: Finding | None, new: Finding | None) -> Change | None:
    if _unmet(new) and not _unmet(old):
        return "new"
    if _unmet(old) and not _unmet(new):
        return "resolved"
    if old is None or new is None:
        return None  # met (or dismissed) in one run and absent from the other: nothing to say
    if _status(old) != _status(new):
        return "changed_status"
    if _quotes(old) != _quotes(new):
        return "changed_evidence"
    if _lines(old) != _lines(new):
        return "moved_lines"
    return None


def diff_runs(before: RunView, after: RunView) -> RunDiff:
    """Gate status changes and finding changes from one run to another."""
    old = {f.criterion: f for f in before.findings}
    new = {f.criterion: f for f in after.findings}
    changes, unchanged = [], 0
    for criterion in [*old, *(c for c in new if c not in old)]:
        a, b = old.get(criterion), new.get(criterion)
        change = _change(a, b)
        if change is None:
            unchanged += a is not None and b is not None
            continue
        changes.append(
            FindingChange(
                criterion=criterion,
                change=change,
                before=_status(a),
                after=_status(b),
                lines_before=_lines(a),
                lines_after=_lines(b),
            )
        )
    gates_a = before.verdict.gates if before.verdict else {}
    gates_b = after.verdict.gates if after.verdict else {}
    gates = [
        GateChange(
            gate=g,
            before=gates_a[g].status if g in gates_a else None,
            after=gates_b[g].status if g in gates_b else None,
        )
        for g in [*gates_a, *(g for g in gates_b if g not in gates_a)]
        if (gates_a[g].status if g in gates_a else None)
        != (gates_b[g].status if g in gates_b else None)
    ]
    return RunDiff(
        before=before.run_id,
        after=after.run_id,
        project=after.project if after.project == before.project else None,
        overall_before=before.verdict.overall if before.verdict else None,
        overall_after=after.verdict.overall if after.verdict else None,
        gates=gates,
        findings=changes,
        unchanged=unchanged,
        sources_before=_sources(before),
        sources_after=_sources(after),
    )


def _sources(view: RunView) -> list[str]:
    """The distinct commits and page versions a run's documents were read at, in order."""
    labels = [d.origin.label if d.origin.source == "git" else f"{d.path}: {d.origin.label}"
              for d in view.documents if d.origin is not None]  # fmt: skip
    return list(dict.fromkeys(labels))


def render_diff_markdown(diff: RunDiff) -> str:
    """The diff as Markdown, for a ticket or a meeting."""
    out = [f"# Changes from {diff.before} to {diff.after}", ""]
    if diff.project:
        out += [f"Project: {diff.project}", ""]
    if diff.sources_before or diff.sources_after:
        before = ", ".join(diff.sources_before) or "files"
        out += [f"Read: {before} -> {', '.join(diff.sources_after) or 'files'}", ""]
    out += [f"Verdict: {diff.overall_before} -> {diff.overall_after}", "", "## Gates", ""]
    out += [f"- {g.gate}: {g.before} -> {g.after}" for g in diff.gates] or ["No gate changed."]
    out += ["", "## Findings", ""]
    for f in diff.findings:
        where = ""
        if f.lines_before != f.lines_after:
            where = f" ({', '.join(f.lines_before) or '-'} -> {', '.join(f.lines_after) or '-'})"
        change = f.change.replace("_", " ")
        out.append(f"- **{change}** {f.criterion}: {f.before} -> {f.after}{where}")
    if not diff.findings:
        out.append("No finding changed.")
    out += ["", f"{diff.unchanged} findings unchanged.", ""]
    return "\n".join(out)
