"""The trace replays as OpenTelemetry spans with the same tree, times and attributes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from synthetic_run import RUN_ID

from traces.otlp import TraceExportError, export_spans, otel_trace_id
from traces.viewer import load_records


@pytest.fixture
def exported(full_run: Callable[[], Path]) -> tuple[list[ReadableSpan], list]:
    """Export the synthetic run to memory; return the spans and the records."""
    records = load_records(full_run())
    exporter = InMemorySpanExporter()
    count = export_spans(records, exporter=exporter)
    spans = list(exporter.get_finished_spans())
    assert count == len(spans)
    return spans, records


def _by_name(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    """The one span with that name."""
    (span,) = [span for span in spans if span.name == name]
    return span


def test_one_span_per_span_id_with_the_same_ids(exported: tuple) -> None:
    spans, records = exported
    assert {f"{span.context.span_id:016x}" for span in spans} == {r.span_id for r in records}
    assert {span.context.trace_id for span in spans} == {otel_trace_id(RUN_ID)}


def test_parents_are_preserved(exported: tuple) -> None:
    spans, records = exported
    roots = [span for span in spans if span.parent is None]
    assert [span.name for span in roots] == ["review"]
    expected = {
        r.span_id: r.parent_span_id for r in records if r.kind not in ("node_end", "run_end")
    }
    for span in spans:
        parent = None if span.parent is None else f"{span.parent.span_id:016x}"
        assert parent == expected[f"{span.context.span_id:016x}"]
    agents = {span.context.span_id: span.name for span in spans if span.name.startswith("review_")}
    calls = [span for span in spans if span.name.startswith("chat ")]
    assert sorted(agents[call.parent.span_id] for call in calls) == [
        "review_gate:data",
        "review_gate:risk",
    ]


def test_times_come_from_the_records(exported: tuple) -> None:
    spans, _records = exported
    root = _by_name(spans, "review")
    for span in spans:
        assert span.start_time is not None and span.end_time is not None
        assert span.end_time >= span.start_time
        assert span.end_time <= root.end_time
    # the synthetic calls claim 1.5s recorded instantly, so only node spans start after the root
    nodes = [span for span in spans if span.name in ("ingest", "human_review")]
    assert all(root.start_time <= span.start_time for span in nodes)
    calls = [span for span in spans if span.name.startswith("chat ")]
    assert all(abs((c.end_time - c.start_time) / 1e9 - 1.5) < 1e-6 for c in calls)


def test_llm_spans_carry_genai_and_openinference_attributes(exported: tuple) -> None:
    spans, _records = exported
    call = next(span for span in spans if span.name.startswith("chat "))
    a = call.attributes
    assert call.kind is SpanKind.CLIENT
    assert a["openinference.span.kind"] == "LLM"
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.request.model"] == "openai/gpt-4.1-mini"
    assert a["gen_ai.usage.input_tokens"] == 1200
    assert a["llm.token_count.prompt"] == 1200
    assert a["llm.token_count.completion"] == 300
    assert a["llm.token_count.total"] == 1500
    assert a["llm.model_name"] == "gpt-4.1-mini-2025-04-14"
    assert a["llm.cost.total"] == pytest.approx(0.0021)
    assert a["input.mime_type"] == "application/json"
    assert "review" in a["input.value"]
    assert a["session.id"] == RUN_ID


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("review", "CHAIN"),
        ("ingest", "CHAIN"),
        ("review_gate:data", "AGENT"),
        ("retrieve_sections", "TOOL"),
        ("data.owners", "EVALUATOR"),
        ("approve", "CHAIN"),
    ],
)
def test_openinference_span_kinds(exported: tuple, name: str, kind: str) -> None:
    spans, _records = exported
    span = next(span for span in spans if span.name == name)
    assert span.attributes["openinference.span.kind"] == kind


def test_agent_and_tool_attributes(exported: tuple) -> None:
    spans, _records = exported
    agent = _by_name(spans, "review_gate:risk")
    assert agent.attributes["gen_ai.agent.name"] == "risk-gate"
    assert agent.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert agent.attributes["gatereview.status"] == "ok"  # the end record's attributes merge in
    tool = next(span for span in spans if span.name == "retrieve_sections")
    assert tool.attributes["tool.name"] == "retrieve_sections"
    assert tool.attributes["gen_ai.tool.call.arguments"] == '{"criterion": "data.owners"}'


def test_error_type_sets_error_status(trace_path: Path) -> None:
    from traces.recorder import TraceRecorder

    recorder = TraceRecorder(trace_path, RUN_ID)
    root = recorder.start_span("run_start", "review")
    recorder.record("llm_call", "chat m", root, {"error.type": "RateLimitError"}, duration_s=0.2)
    recorder.flush()
    exporter = InMemorySpanExporter()
    export_spans(load_records(trace_path), exporter=exporter)
    call = _by_name(list(exporter.get_finished_spans()), "chat m")
    assert call.status.status_code is StatusCode.ERROR
    root_span = _by_name(list(exporter.get_finished_spans()), "review")
    assert root_span.attributes["gatereview.status"] == "open"  # never ended


class _Refusing(SpanExporter):
    """A collector that rejects everything."""

    def export(self, spans: object) -> SpanExportResult:
        """Reject."""
        return SpanExportResult.FAILURE

    def shutdown(self) -> None:
        """Nothing to release."""


def test_a_refusing_collector_is_an_error(full_run: Callable[[], Path]) -> None:
    with pytest.raises(TraceExportError):
        export_spans(load_records(full_run()), exporter=_Refusing())


def test_no_records_export_nothing() -> None:
    assert export_spans([], exporter=InMemorySpanExporter()) == 0


def test_a_hex_run_id_is_the_trace_id() -> None:
    assert otel_trace_id("0123456789abcdef0123456789abcdef") == 0x0123456789ABCDEF0123456789ABCDEF


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("openai/gpt-4.1-mini", "openai"),
        ("gpt-4o", "openai"),
        ("claude-3-5-sonnet", "anthropic"),
        ("anthropic/claude-3-5-sonnet", "anthropic"),
        ("azure/my-deployment", "azure.ai.openai"),
        ("bedrock/anthropic.claude-v2", "aws.bedrock"),
        ("ollama/llama3.1", "ollama"),
    ],
    ids=lambda v: v,
)
def test_provider_names_follow_the_genai_conventions(model: str, provider: str) -> None:
    from traces.attributes import provider_name

    assert provider_name(model) == provider
