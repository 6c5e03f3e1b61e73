"""One run for the terminal: its gate table, verdict, findings, decisions and next steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cli.render.styles import WIDE, cost_text, safe, styled
from vocabulary.escaping import terminal_safe
from vocabulary.models import FINDING_STATUSES, GATES, Usage

if TYPE_CHECKING:
    from exports.view import RunView


def _word_column(table: Table, header: str, words: list[str]) -> None:
    """A column that never wraps or cuts a word: as wide as its longest value."""
    width = max([len(header), *map(len, words)])
    table.add_column(header, no_wrap=True, min_width=width)


_HEADER = {
    "met": "met", "partial": "part.", "mentioned": "ment.", "found": "found",
    "missing": "miss.", "contradicted": "contra.",
}  # fmt: skip


def gate_table(view: RunView, width: int = WIDE) -> RenderableType:
    """One row per gate: status, finding counts, usage; legible at 80 columns (a CI log): the
    words are never cut, per-gate tokens and time are dropped when the terminal is narrow, and
    degraded gates are named with their reason under the table, once per reason (a column of
    its own at 80 columns left one character per line for it)."""
    reviewers = sorted({info.reviewer for info in view.gates.values()})
    title = f"Run {view.run_id}  reviewer: {', '.join(reviewers) or '?'}"
    table = Table(title=title, title_justify="left")
    priced = view.usage.calls > 0
    wide = width >= WIDE
    _word_column(table, "gate", list(view.verdict.gates) if view.verdict else list(GATES))
    _word_column(table, "status", ["conditional", "not_ready"])
    # A status column is shown when some finding has that status (met and missing always):
    # a screened run has found and missing only, a model's run no found.
    present = {f.status for f in view.findings} | {"met", "missing"}
    shown = [s for s in FINDING_STATUSES if s in present]
    for status in shown:
        table.add_column(
            _HEADER[status], no_wrap=True, justify="right", min_width=len(_HEADER[status])
        )
    if priced:
        if wide:
            table.add_column("tokens in/out", no_wrap=True, justify="right")
        table.add_column("cost", no_wrap=True, justify="right")
        if wide:
            table.add_column("time", no_wrap=True, justify="right")
    if view.verdict is None:
        return table
    reasons: dict[str, list[str]] = {}
    for gate, verdict in view.verdict.gates.items():
        counts = dict.fromkeys(FINDING_STATUSES, 0)
        for finding in view.findings:
            if finding.gate == gate and not finding.dismissed:
                counts[finding.status] += 1
        info = view.gates.get(gate)
        cells = [gate, styled(verdict.status), *[str(counts[s]) for s in shown]]
        if priced and info is not None:
            tokens, cost, took = usage_cells(info.usage)
            cells += [tokens, cost, took] if wide else [cost]
        if info is not None and info.degraded:
            reason = f"({info.reviewer}): {info.degraded_reason}"
            reasons.setdefault(reason, []).append(gate)
        table.add_row(*cells)
    if not reasons:
        return table
    lines = [
        Padding(safe(f"{', '.join(gates)} degraded {reason}", style="yellow"), (0, 0, 0, 2))
        for reason, gates in reasons.items()
    ]
    return Group(table, *lines)


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
        Text.assemble(
            "Verdict: ",
            styled(view.verdict.overall, "screened" if view.verdict.screened else None),
            f"   state: {view.state}",
        ),
        safe(view.verdict.summary),
    ]
    if view.verdict.conditions:
        parts.append(Text(f"Conditions to lift ({len(view.verdict.conditions)}):"))
        parts += [_indented(c, 2, prefix="- ") for c in view.verdict.conditions]
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


def _indented(text: str, left: int, style: str = "", prefix: str = "") -> RenderableType:
    """Text indented by `left` columns, every line of it (its own line breaks and the
    terminal's wrapping alike), after `prefix` and hanging under the text past it."""
    lines = [line.strip() for line in terminal_safe(text).splitlines() if line.strip()]
    body = Text("\n".join(lines), style=style)
    if not prefix:
        return Padding(body, (0, 0, 0, left))
    grid = Table.grid()
    grid.add_column(width=len(prefix), no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(prefix, style=style), body)
    return Padding(grid, (0, 0, 0, left))


def findings_view(view: RunView) -> RenderableType:
    """Every finding with its evidence as path:line (its quote's lines indented under it)."""
    parts: list[RenderableType] = []
    for f in view.findings:
        head = Text.assemble(
            (f"{f.id}", "bold"),
            "  ",
            styled(f.status),
            f"  {f.severity}",
            ("  dismissed" if f.dismissed else ""),
            ("  not applicable" if f.not_applicable else ""),
            terminal_safe(f"  {f.title}"),
        )
        parts.append(head)
        parts.append(_indented(f.summary, 4))
        if f.amended_by:
            parts.append(_indented(f"amended by {f.amended_by}: {f.amend_reason}", 4, "cyan"))
        for label, note in (
            ("carried", f.carried),
            ("check again", f.recheck),
            ("held", f.held),
            ("unsupported", f.unsupported),
            ("disputed", f.disputed),
            ("note", f.support_note),
        ):
            if note:
                parts.append(_indented(f"{label}: {note}", 4, "magenta"))
        for e in f.evidence:
            mark = "" if e.verified else "  [unverified]"
            parts.append(_indented(f"{e.location}{mark}", 4, "dim"))
            quote = " ".join(e.quote.split())  # the source's line breaks, re-flowed to the terminal
            parts.append(_indented(f'{quote}"', 6, "italic", prefix='"'))
        if f.status != "met" and f.recommendation:
            parts.append(_indented(f.recommendation, 4, "dim", prefix="-> "))
    return Group(*parts)


def conditions_view(view: RunView) -> RenderableType:
    """The conditions, blockers first, with what would lift each one and its owner."""
    if not view.conditions:
        return Text("No open conditions.", style="dim")
    lines: list[RenderableType] = []
    for rank, c in enumerate(view.conditions, 1):
        owner = f"owner {c.owner}" if c.owner else "no owner"
        due = f", due {c.due}" if c.due else ""
        lines.append(safe(f"{rank}. {c.id}  {c.severity}  {c.status or ''}  ({owner}{due})"))
        lines.append(safe(f"    lifts with ({c.evidence_from}): {c.evidence_needed}", style="dim"))
    return Group(*lines)


def signoff_view(view: RunView) -> RenderableType:
    """Who signed which gate, and which required gates are still to be signed."""
    lines = [
        safe(f"{s.gate}: signed by {s.reviewer} at {s.at} (verdict {s.verdict_sha256[:12]})")
        for s in view.signatures
    ]
    for gate in view.unsigned if view.state == "awaiting_decision" else []:
        names = ", ".join(view.approvers.get(gate, [])) or "anyone"
        lines.append(safe(f"{gate}: to be signed ({names})", style="yellow"))
    return Group(*lines) if lines else Text("No gate signed yet.", style="dim")


def decisions_view(view: RunView) -> RenderableType:
    """The decisions taken on the run, oldest first."""
    if not view.decisions:
        return Text("No decision yet.", style="dim")
    lines = []
    for d in view.decisions:
        gates = f" (gates: {', '.join(d.gates)})" if d.gates else ""
        if d.amendment is not None:
            gates = f" ({d.amendment.finding_id} to {d.amendment.status})"
        # A comment keeps its lines, each indented: no line of it can pass for a decision.
        indented = "".join(f"\n    {line}" for line in d.comment.splitlines())
        comment = f":{indented}" if d.comment else ""
        lines.append(safe(f"{d.at}  {d.action} by {d.reviewer}{gates}{comment}"))
    return Group(*lines)


def next_steps(view: RunView, prog: str = "gatereview") -> Text:
    """How to decide on a run awaiting a decision (as the user ran the tool), or its reports."""
    if view.state == "awaiting_decision":
        run = view.run_id
        left = [f"{g} ({', '.join(view.approvers.get(g, [])) or 'anyone'})" for g in view.unsigned]
        signing = f"\nStill to sign: {', '.join(left)}" if view.signatures and left else ""
        return Text.assemble(
            signing,
            "\nAwaiting a decision. Details: ",
            (f"{prog} show {run}", "bold"),
            f"\nDecide: {prog} approve {run} --reviewer NAME \\\n"
            "            [--gate GATE]\n"
            f"        {prog} reject {run} --reviewer NAME \\\n"
            "            --comment TEXT [--gate GATE]\n"
            f"        {prog} amend {run} --reviewer NAME \\\n"
            "            --finding ID --status STATUS --reason TEXT",
        )
    if view.report:
        paths = [view.report[k] for k in ("markdown", "json", "html") if view.report.get(k)]
        return Text("\nReport: " + "\n        ".join(paths))
    return Text("")
