"""Draw a run's trace as a Rich tree: workflow, nodes and agents, model and tool calls."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from agents.escaping import terminal_safe
from traces import attributes as attr
from traces.schema import TraceError, TraceRecord, strict_json
from traces.spans import Span, build_spans


def load_records(path: Path, limit: int | None = None) -> list[TraceRecord]:
    """Read the records of a trace file (the first `limit`); a damaged line is a TraceError."""
    path = Path(path)
    if not path.is_file():
        raise TraceError(f"no trace file at {path}")
    records = []
    lines = path.read_bytes().splitlines()
    for number, raw in enumerate(lines[:limit], start=1):
        try:
            records.append(TraceRecord.model_validate(strict_json(raw)))
        except (ValueError, ValidationError) as exc:
            raise TraceError(f"{path}, line {number}: not a trace record") from exc
    return records


def _seconds(value: float | None) -> str:
    """A duration for people: 850ms, 12.3s, 4m05s."""
    if value is None:
        return "open"
    if value < 1:
        return f"{value * 1000:.0f}ms"
    if value < 60:
        return f"{value:.1f}s"
    return f"{int(value // 60)}m{int(value % 60):02d}s"


def _usage(span: Span) -> str:
    """Tokens and cost of a subtree, empty when it made no model call."""
    tokens_in, tokens_out, cost = span.usage()
    if not (tokens_in or tokens_out or cost):
        return ""
    return f" · {tokens_in:,}→{tokens_out:,} tokens · ${cost:.4f}"


def _llm_label(span: Span) -> Text:
    """One model call: model, latency, tokens, cost, retries, error."""
    a = span.attributes
    model = a.get(attr.RESPONSE_MODEL) or a.get(attr.REQUEST_MODEL) or span.name
    label = Text.assemble(("llm ", "cyan"), (str(model), "bold cyan"))
    label.append(f" · {_seconds(span.duration_s)}")
    if a.get(attr.QUEUE_WAIT_S):
        label.append(f" (+{_seconds(a[attr.QUEUE_WAIT_S])} queued)", "dim")
    label.append(f" · {a.get(attr.INPUT_TOKENS, 0):,}→{a.get(attr.OUTPUT_TOKENS, 0):,} tokens")
    label.append(f" · ${float(a.get(attr.COST_USD) or 0.0):.4f}")
    if a.get(attr.RETRIES):
        label.append(f" · {a[attr.RETRIES]} retries", "yellow")
    if a.get(attr.ERROR_TYPE):
        label.append(f" · error {a[attr.ERROR_TYPE]}", "bold red")
    return label


def _decision_label(span: Span) -> Text:
    """A human decision, highlighted."""
    a = span.attributes
    label = Text(f"decision: {a.get(attr.DECISION_ACTION, span.name)}", "bold magenta")
    label.append(terminal_safe(f" by {a.get(attr.DECISION_REVIEWER, '?')}"), "magenta")
    if a.get(attr.DECISION_COMMENT):
        label.append(terminal_safe(f" — {a[attr.DECISION_COMMENT]}"), "italic")
    return label


def _event_label(span: Span) -> Text:
    """Tool calls, verifications, degradations and the verdict."""
    a = span.attributes
    if span.kind == "tool_call":
        tool = a.get(attr.TOOL_NAME, span.name)
        label = Text.assemble(("tool ", "blue"), (str(tool), "bold blue"))
        label.append(f" · {_seconds(span.duration_s or 0.0)}")
        if a.get(attr.ERROR_TYPE):
            label.append(f" · error {a[attr.ERROR_TYPE]}", "bold red")
        return label
    if span.kind == "verification":
        verified = a.get(attr.EVIDENCE_VERIFIED)
        style = "green" if verified else "yellow"
        match = a.get(attr.EVIDENCE_MATCH_KIND, "")
        status = "verified" if verified else "unverified"
        return Text(f"verify {span.name}: {status} {match}".rstrip(), style)
    if span.kind == "degradation":
        reason = a.get(attr.DEGRADED_REASON, "no reason given")
        return Text(terminal_safe(f"DEGRADED {span.name}: {reason}"), "bold red")
    if span.kind == "verdict":
        return Text(f"verdict: {a.get(attr.VERDICT, span.name)}", "bold green")
    return Text(f"{span.kind} {span.name}")


def _label(span: Span) -> RenderableType:
    """The one-line label of any span."""
    if span.kind == "llm_call":
        return _llm_label(span)
    if span.kind == "decision":
        return _decision_label(span)
    if span.kind in ("run_start", "node_start"):
        gate = span.attributes.get(attr.GATE)
        title = f"{span.name} ({gate} gate)" if gate else span.name
        if span.kind == "run_start":
            title = f"{title} {span.attributes.get(attr.CONVERSATION_ID, '')}".rstrip()
        style = "bold" if span.kind == "run_start" else "bold white"
        label = Text(title, style)
        label.append(f" · {_seconds(span.duration_s)}{_usage(span)}")
        status = span.attributes.get(attr.STATUS)
        if status and status != "ok":
            label.append(f" · {status}", "yellow")
        if any(child.kind == "degradation" for child in span.walk()):
            label.append(" · degraded", "bold red")
        return label
    return _event_label(span)


def _add(tree: Tree, span: Span) -> None:
    """Attach a span and its children to the tree."""
    branch = tree.add(_label(span))
    for child in span.children:
        _add(branch, child)


def _gate_table(root: Span) -> Table | None:
    """Totals per gate over every node span that carries a gate (re-reviews add up)."""
    totals: dict[str, list[float]] = {}
    for span in root.walk():
        gate = span.attributes.get(attr.GATE)
        if span.kind != "node_start" or not gate:
            continue
        tokens_in, tokens_out, cost = span.usage()
        calls = sum(1 for child in span.walk() if child.kind == "llm_call")
        row = totals.setdefault(str(gate), [0, 0, 0, 0.0, 0.0])
        for index, value in enumerate((calls, tokens_in, tokens_out, cost, span.duration_s or 0)):
            row[index] += value
    if not totals:
        return None
    table = Table(title="per gate", title_justify="left")
    for column in ("gate", "model calls", "input tokens", "output tokens", "cost", "time"):
        table.add_column(column, justify="left" if column == "gate" else "right")
    for gate, (calls, tokens_in, tokens_out, cost, seconds) in totals.items():
        table.add_row(
            gate,
            f"{calls:.0f}",
            f"{tokens_in:,.0f}",
            f"{tokens_out:,.0f}",
            f"${cost:.4f}",
            _seconds(seconds),
        )
    return table


def render_trace(records: list[TraceRecord]) -> RenderableType:
    """The run as a tree with durations, tokens and cost per call and per gate."""
    roots = build_spans(records)
    if not roots:
        return Text("empty trace", "dim")
    parts: list[RenderableType] = []
    for root in roots:
        tree = Tree(_label(root), guide_style="dim")
        for child in root.children:
            _add(tree, child)
        parts.append(tree)
        table = _gate_table(root)
        if table is not None:
            parts.append(table)
    return Group(*parts)
