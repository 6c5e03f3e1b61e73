"""Rich rendering of runs for the terminal; the only place besides main.py that formats output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from vocabulary.escaping import terminal_safe
from vocabulary.models import FINDING_STATUSES, GATES, Usage

if TYPE_CHECKING:
    from evals.export import ExportedCase
    from exports.diff import RunDiff
    from exports.view import RunView
    from portfolio.batch import Portfolio
    from runs.catalogue import RunSummary
    from runs.health import Health

STATUS_STYLE = {
    "ready": "green",
    "conditional": "yellow",
    "not_ready": "red",
    "ready_with_conditions": "yellow",
    "met": "green",
    "partial": "yellow",
    "mentioned": "dark_orange",
    "missing": "red",
    "contradicted": "bold red",
    "awaiting_decision": "cyan",
    "approved": "green",
    "rejected": "red",
    "interrupted": "magenta",
    "running": "cyan",
    "failed": "red",
    "evidenced": "green",
    "ok": "green",
    "warning": "yellow",
    "problem": "bold red",
}


def safe(text: str, style: str = "") -> Text:
    """Text from a person, a document or a model, with control characters shown as escapes."""
    return Text(terminal_safe(text), style=style)


def styled(value: str) -> Text:
    """A status word in its colour."""
    return Text(value, style=STATUS_STYLE.get(value, ""))


# Below this many columns the per-gate tokens and time are left out (the totals line keeps them).
WIDE = 100


def _word_column(table: Table, header: str, words: list[str]) -> None:
    """A column that never wraps or cuts a word: as wide as its longest value."""
    width = max([len(header), *map(len, words)])
    table.add_column(header, no_wrap=True, min_width=width)


def gate_table(view: RunView, width: int = WIDE) -> Table:
    """One row per gate: status, finding counts, usage; legible at 80 columns (a CI log): the
    words are never cut, and per-gate tokens and time are dropped when the terminal is narrow."""
    reviewers = sorted({info.reviewer for info in view.gates.values()})
    title = f"Run {view.run_id}  reviewer: {', '.join(reviewers) or '?'}"
    table = Table(title=title, title_justify="left")
    priced = view.usage.calls > 0
    wide = width >= WIDE
    degraded = any(info.degraded for info in view.gates.values())
    _word_column(table, "gate", list(view.verdict.gates) if view.verdict else list(GATES))
    _word_column(table, "status", ["conditional", "not_ready"])
    for column in ("met", "part.", "ment.", "miss.", "contra."):
        table.add_column(column, no_wrap=True, justify="right")
    if priced:
        if wide:
            table.add_column("tokens in/out", no_wrap=True, justify="right")
        table.add_column("cost", no_wrap=True, justify="right")
        if wide:
            table.add_column("time", no_wrap=True, justify="right")
    if degraded:
        table.add_column("degraded", overflow="fold", ratio=1)
    if view.verdict is None:
        return table
    for gate, verdict in view.verdict.gates.items():
        counts = dict.fromkeys(FINDING_STATUSES, 0)
        for finding in view.findings:
            if finding.gate == gate and not finding.dismissed:
                counts[finding.status] += 1
        info = view.gates.get(gate)
        cells = [gate, styled(verdict.status), *[str(n) for n in counts.values()]]
        if priced and info is not None:
            tokens, cost, took = usage_cells(info.usage)
            cells += [tokens, cost, took] if wide else [cost]
        if degraded:
            cells.append(
                safe(f"{info.reviewer}: {info.degraded_reason}") if info and info.degraded else ""
            )
        table.add_row(*cells)
    return table


def cost_text(cost: float | None) -> str:
    """A cost in USD, or 'unknown' when the model has no known price."""
    return "unknown" if cost is None else f"${cost:.4f}"


def usage_cells(usage: Usage) -> list[str]:
    """Tokens, cost and latency of one gate's model calls."""
    return [
        f"{usage.input_tokens}/{usage.output_tokens}",
        cost_text(usage.cost_usd),
        f"{usage.latency_s:.1f}s",
    ]


def verdict_lines(view: RunView) -> RenderableType:
    """Overall verdict, summary and the conditions that would lift it."""
    if view.verdict is None:
        return Text("no verdict yet")
    parts: list[RenderableType] = [
        Text.assemble("Verdict: ", styled(view.verdict.overall), f"   state: {view.state}"),
        safe(view.verdict.summary),
    ]
    if view.usage.calls:
        u = view.usage
        parts.append(
            Text(
                f"Model usage: {u.calls} calls, {u.input_tokens} input and "
                f"{u.output_tokens} output tokens, cost {cost_text(u.cost_usd)}"
            )
        )
    reused = [g for g, info in view.gates.items() if info.reused_from]
    if reused:
        since = view.gates[reused[0]].reused_from
        parts.append(Text(f"Reused unchanged from run {since}: {', '.join(reused)}"))
    if view.groundedness is not None:
        parts.append(Text(f"Groundedness: {view.groundedness:.0%} of quoted evidence verified"))
    checks = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in view.verdict.checks.items())
    if checks:
        parts.append(Text(f"Checks: {checks}"))
    return Group(*parts)


def findings_view(view: RunView) -> RenderableType:
    """Every finding with its evidence as path:line."""
    parts: list[RenderableType] = []
    for f in view.findings:
        head = Text.assemble(
            (f"{f.id}", "bold"),
            "  ",
            styled(f.status),
            f"  {f.severity}",
            ("  dismissed" if f.dismissed else ""),
            terminal_safe(f"  {f.title}"),
        )
        parts.append(head)
        parts.append(safe(f"    {f.summary}"))
        if f.amended_by:
            parts.append(safe(f"    amended by {f.amended_by}: {f.amend_reason}", style="cyan"))
        for label, note in (
            ("unsupported", f.unsupported),
            ("disputed", f.disputed),
            ("note", f.support_note),
        ):
            if note:
                parts.append(safe(f"    {label}: {note}", style="magenta"))
        for e in f.evidence:
            mark = "" if e.verified else "  [unverified]"
            parts.append(safe(f"    {e.location}{mark}", style="dim"))
            parts.append(safe(f'      "{e.quote}"', style="italic"))
        if f.status != "met" and f.recommendation:
            parts.append(safe(f"    -> {f.recommendation}", style="dim"))
    return Group(*parts)


def decisions_view(view: RunView) -> RenderableType:
    """The decisions taken on the run, oldest first."""
    if not view.decisions:
        return Text("No decision yet.", style="dim")
    lines = []
    for d in view.decisions:
        gates = f" (gates: {', '.join(d.gates)})" if d.gates else ""
        # A comment keeps its lines, each indented: no line of it can pass for a decision.
        indented = "".join(f"\n    {line}" for line in d.comment.splitlines())
        comment = f":{indented}" if d.comment else ""
        lines.append(safe(f"{d.at}  {d.action} by {d.reviewer}{gates}{comment}"))
    return Group(*lines)


def frameworks_view(view: RunView) -> RenderableType:
    """Per framework, each clause the rubrics map to: the findings evidencing it, and those not."""
    parts: list[RenderableType] = []
    for coverage in view.frameworks:
        table = Table(title=coverage.name, title_justify="left")
        for column in ("clause", "evidence", "findings", "no evidence from"):
            table.add_column(column)
        for clause in coverage.clauses:
            found = Text(", ").join(
                Text.assemble(f"{f.id} ", styled(f.status)) for f in clause.findings if f.evidenced
            )
            table.add_row(
                clause.clause,
                styled("evidenced") if clause.evidenced else Text("none", style="red"),
                found,
                ", ".join(clause.unevidenced),
            )
        parts.append(table)
        evidenced = sum(1 for c in coverage.clauses if c.evidenced)
        parts.append(
            Text(
                f"{evidenced} of {len(coverage.clauses)} mapped clauses evidenced; "
                f"{len(coverage.unmapped)} clauses no criterion maps to\n"
            )
        )
    return Group(*parts)


def diff_view(diff: RunDiff) -> RenderableType:
    """Gate status changes and finding changes between two runs."""
    head = Text(f"{diff.before} -> {diff.after}")
    if diff.project:
        head.append(f"  project: {terminal_safe(diff.project)}")
    head.append("\nVerdict: ")
    head.append_text(styled(diff.overall_before or "?"))
    head.append(" -> ")
    head.append_text(styled(diff.overall_after or "?"))
    gates = Table(title="Gates that changed", title_justify="left")
    for column in ("gate", "before", "after"):
        gates.add_column(column)
    for g in diff.gates:
        gates.add_row(g.gate, styled(g.before or "-"), styled(g.after or "-"))
    findings = Table(title="Findings that changed", title_justify="left")
    for column in ("change", "criterion", "before", "after", "lines"):
        findings.add_column(column)
    moved = [f.criterion for f in diff.findings if f.change == "moved_lines"]
    for f in diff.findings:
        if f.change == "moved_lines":
            continue  # one line below: an inserted paragraph moves every quote after it
        lines = ""
        if f.lines_before != f.lines_after:
            lines = f"{', '.join(f.lines_before) or '-'} -> {', '.join(f.lines_after) or '-'}"
        findings.add_row(
            f.change.replace("_", " "), f.criterion, styled(f.before or "-"),
            styled(f.after or "-"), lines,
        )
    parts: list[RenderableType] = [head]
    parts.append(gates if diff.gates else Text("No gate changed."))
    changed = len(diff.findings) - len(moved)
    parts.append(findings if changed else Text("No finding changed status or evidence."))
    if moved:
        parts.append(Text(f"Same status and quotes at other lines: {', '.join(moved)}"))
    return Group(*parts, Text(f"{diff.unchanged} findings unchanged"))


def runs_table(runs: list[RunSummary], width: int = WIDE) -> Text:
    """One line per run: id, state, verdict, created, documents (aligned columns; a Rich
    table measures every cell and takes a fifth of a second for 200 runs). Below WIDE columns
    the created column goes (the run id starts with its UTC time) and documents show their file
    names, so a row fits 80 columns; a status is never cut."""
    wide = width >= WIDE
    rows = [
        (
            r.run_id,
            r.state,
            r.verdict or "-",
            (r.created_at or "")[:16].replace("T", " ") if wide else "",
            terminal_safe(", ".join(d if wide else Path(d).name for d in r.documents)),
        )
        for r in runs
    ]
    header = ("run", "state", "verdict", "created" if wide else "", "documents")
    widths = [max(len(row[i]) for row in [header, *rows]) + 2 for i in range(3)]
    widths.append(max(len(row[3]) for row in [header, *rows]) + 2 if wide else 0)
    table = Text()
    heads = "".join(h.ljust(w) for h, w in zip(header, widths, strict=False))
    table.append(f"{heads}{header[-1]}\n", style="bold")
    for row in rows:
        table.append(row[0].ljust(widths[0]))
        table.append(row[1].ljust(widths[1]), style=STATUS_STYLE.get(row[1], ""))
        table.append(row[2].ljust(widths[2]), style=STATUS_STYLE.get(row[2], ""))
        table.append(row[3].ljust(widths[3]))
        table.append(f"{row[4]}\n")
    table.rstrip()
    return table


def portfolio_table(portfolio: Portfolio) -> Table:
    """One row per project: verdict, gate statuses, conditions, cost, run."""
    table = Table(title=f"Portfolio ({len(portfolio.projects)} projects)")
    for column in ("project", "owner", "verdict", "gates", "conditions", "cost", "run"):
        table.add_column(column)
    for p in portfolio.projects:
        if p.error is not None:
            table.add_row(p.project, p.owner or "", styled("failed"), Text(p.error), "", "", "")
            continue
        short = [Text.assemble(f"{g} ", styled(s)) for g, s in p.gates.items() if s != "ready"]
        gates = Text(", ").join(short) if short else styled("all ready")
        cost = "-" if p.cost_usd is None else f"${p.cost_usd:.4f}"
        table.add_row(
            p.project,
            p.owner or "",
            styled(p.verdict or p.state),
            gates,
            str(p.conditions),
            cost,
            p.run_id or "",
        )
    return table


def next_steps(view: RunView, prog: str = "gatereview") -> Text:
    """How to decide on a run awaiting a decision (as the user ran the tool), or its reports."""
    if view.state == "awaiting_decision":
        run = view.run_id
        return Text.assemble(
            "\nAwaiting a decision. Details: ",
            (f"{prog} show {run}", "bold"),
            f"\nDecide: {prog} approve {run} --reviewer NAME\n"
            f"        {prog} reject {run} --reviewer NAME \\\n"
            "            --comment TEXT [--gate GATE]\n"
            f"        {prog} amend {run} --reviewer NAME \\\n"
            "            --finding ID --status STATUS --reason TEXT",
        )
    if view.report:
        paths = [view.report[k] for k in ("markdown", "json", "html") if view.report.get(k)]
        return Text("\nReport: " + "\n        ".join(paths))
    return Text("")


def progress_lines(node: str, update: dict[str, Any]) -> list[Text]:
    """What to say when a step of the graph has finished."""
    done = Text("  done ", style="green")
    if node in update.get("reviews", {}):
        findings = update["reviews"][node]["findings"]
        counts = {
            s: sum(1 for f in findings if f["status"] == s)
            for s in FINDING_STATUSES
        }
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        return [Text.assemble(done, f"{node:<9} {summary}")]
    if node == "load_documents":
        lines = [Text.assemble(done, f"read      {len(update['documents'])} document(s)")]
        return lines + [safe(f"  note: {note}") for note in update["notes"]]
    if node == "ingest":
        found = len(update.get("instructions", []))
        hidden = len(update.get("hidden_concerns", []))
        said = [f"{found} passage(s) aimed at reviewers withheld"] if found else []
        said += [f"{hidden} hidden passage(s) reported"] if hidden else []
        return [Text.assemble(done, f"ingest    {'; '.join(said)}".rstrip())]
    if node in ("coordinator", "finalise"):
        return [Text.assemble(done, node)]
    return []


def health_table(health: Health) -> Table:
    """One row per check of a workspace: what, status, detail and the fix."""
    verdict = "healthy" if health.healthy else "problems found"
    table = Table(title=f"Workspace {health.home}: {verdict}", title_justify="left")
    for column in ("checked", "status", "found", "fix"):
        table.add_column(column, overflow="fold")
    for check in health.checks:
        table.add_row(safe(check.subject), styled(check.status), safe(check.detail), check.fix)
    return table


def exported_case(exported: ExportedCase) -> RenderableType:
    """What export-case wrote and how to run it, and whether the case gives the statuses."""
    lines = [
        Text.assemble(("Case written: ", "bold"), safe(exported.folder)),
        Text(f"from run {exported.run_id}; documents: ")
        + safe(", ".join(exported.documents)),
        Text(
            f"{len(exported.expected.gates)} gate statuses, {len(exported.expected.must_flag)} "
            f"criteria expected unmet, {len(exported.expected.must_not_flag)} expected met; "
            f"{exported.decisions} reviewer decision(s) replayed; "
            f"{exported.exchanges} model exchange(s) recorded"
        ),
    ]
    if exported.reproduced:
        lines.append(Text("Reviewing the case gives the reviewers' statuses.", style="green"))
    else:
        lines.append(Text("Reviewing the case does not give the reviewers' statuses:", style="red"))
        lines += [safe(f"  {problem}") for problem in exported.problems]
    model = "replay" if exported.mode == "replay" else "offline"
    lines.append(Text(f"Run it with: python main.py eval {exported.folder} --model {model}"))
    return Group(*lines)
