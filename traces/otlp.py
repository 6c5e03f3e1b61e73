"""Replay a trace as OpenTelemetry spans, with OpenInference kinds, to any OTLP collector."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode

from traces import attributes as attr
from traces.schema import TraceRecord
from traces.spans import Span, build_spans
from vocabulary.errors import GateReviewError

OI_SPAN_KIND = "openinference.span.kind"
OTLP_TRACES_PATH = "/v1/traces"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class TraceExportError(GateReviewError):
    """The OTLP endpoint did not accept the spans."""


class _ReplayIds(IdGenerator):
    """Hands the SDK the ids already in the trace, so exported spans match the file."""

    def __init__(self, trace_id: int) -> None:
        """Start with the run's trace id; span ids are set before each span starts."""
        self.trace_id = trace_id
        self.next_span_id = 0

    def generate_span_id(self) -> int:
        """The id of the span about to start."""
        return self.next_span_id

    def generate_trace_id(self) -> int:
        """The run's trace id."""
        return self.trace_id


class _ResultKeeper(SpanExporter):
    """Wraps an exporter to remember whether any batch failed (processors only log it)."""

    def __init__(self, inner: SpanExporter) -> None:
        """Wrap inner."""
        self.inner = inner
        self.failed = False

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export and remember failures."""
        result = self.inner.export(spans)
        self.failed = self.failed or result is not SpanExportResult.SUCCESS
        return result

    def shutdown(self) -> None:
        """Shut the inner exporter down."""
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the inner exporter."""
        return self.inner.force_flush(timeout_millis)


def _ns(moment: datetime) -> int:
    """Nanoseconds since the epoch, exact to the microsecond (no float rounding)."""
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


def otel_trace_id(run_id: str) -> int:
    """A 128-bit trace id: the run id itself if it is 32 hex digits, else its sha256 prefix."""
    if re.fullmatch(r"[0-9a-fA-F]{32}", run_id) and int(run_id, 16):
        return int(run_id, 16)
    return int(hashlib.sha256(run_id.encode()).hexdigest()[:32], 16)


def _otel_value(value: Any) -> Any:
    """OTel attributes take primitives or flat lists of one primitive type; JSON the rest."""
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _openinference(span: Span, run_id: str) -> dict[str, Any]:
    """OpenInference attributes (span kind, model, tokens, I/O) derived from ours."""
    a = span.attributes
    is_agent = span.kind == "node_start" and attr.AGENT_NAME in a
    kinds = {"llm_call": "LLM", "tool_call": "TOOL", "verification": "EVALUATOR"}
    extra: dict[str, Any] = {
        OI_SPAN_KIND: "AGENT" if is_agent else kinds.get(span.kind, "CHAIN"),
        "session.id": run_id,
    }
    if span.kind == "llm_call":
        tokens_in, tokens_out = a.get(attr.INPUT_TOKENS), a.get(attr.OUTPUT_TOKENS)
        extra |= {
            "llm.model_name": a.get(attr.RESPONSE_MODEL) or a.get(attr.REQUEST_MODEL),
            "llm.provider": a.get(attr.PROVIDER_NAME),
            "llm.token_count.prompt": tokens_in,
            "llm.token_count.completion": tokens_out,
            "llm.token_count.total": (tokens_in or 0) + (tokens_out or 0)
            if tokens_in is not None or tokens_out is not None
            else None,
            "llm.cost.total": a.get(attr.COST_USD),
        }
        for key, target in ((attr.INPUT_MESSAGES, "input"), (attr.OUTPUT_MESSAGES, "output")):
            if a.get(key) is not None:
                extra[f"{target}.value"] = _otel_value(a[key])
                extra[f"{target}.mime_type"] = (
                    "text/plain" if isinstance(a[key], str) else "application/json"
                )
    if span.kind == "tool_call":
        extra["tool.name"] = a.get(attr.TOOL_NAME, span.name)
    if is_agent:
        extra["agent.name"] = a[attr.AGENT_NAME]
    return {key: value for key, value in extra.items() if value is not None}


def _emit(tracer: trace.Tracer, ids: _ReplayIds, span: Span, run_id: str, last: int) -> int:
    """Start and end one span and its subtree with their recorded times; returns the count."""
    context = None
    if span.parent_id is not None:
        parent = SpanContext(
            trace_id=ids.trace_id,
            span_id=int(span.parent_id, 16),
            is_remote=False,
            trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
        )
        context = trace.set_span_in_context(NonRecordingSpan(parent))
    attributes = {key: _otel_value(value) for key, value in span.attributes.items()}
    attributes = {k: v for k, v in attributes.items() if v is not None}
    attributes |= {key: _otel_value(v) for key, v in _openinference(span, run_id).items()}
    if span.end is None:
        attributes[attr.STATUS] = "open"  # interrupted or crashed: it never recorded an end
    ids.next_span_id = int(span.span_id, 16)
    otel_span = tracer.start_span(
        span.name,
        context=context,
        kind=SpanKind.CLIENT if span.kind == "llm_call" else SpanKind.INTERNAL,
        attributes=attributes,
        start_time=_ns(span.start),
    )
    if span.attributes.get(attr.ERROR_TYPE):
        otel_span.set_status(Status(StatusCode.ERROR, str(span.attributes[attr.ERROR_TYPE])))
    end_ns = _ns(span.end) if span.end is not None else last
    otel_span.end(end_time=max(end_ns, _ns(span.start)))
    return 1 + sum(_emit(tracer, ids, child, run_id, last) for child in span.children)


def _exporter_for(endpoint: str | None) -> SpanExporter:
    """The OTLP/HTTP exporter; a base URL gets the standard /v1/traces path."""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    if endpoint is None:
        return OTLPSpanExporter()  # honours OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT
    url = endpoint.rstrip("/")
    return OTLPSpanExporter(
        endpoint=url if url.endswith(OTLP_TRACES_PATH) else url + OTLP_TRACES_PATH
    )


def export_spans(
    records: list[TraceRecord],
    endpoint: str | None = None,
    exporter: SpanExporter | None = None,
    service_name: str = "gatereview",
) -> int:
    """Send the trace's spans (same ids, times and tree) to an exporter; returns how many."""
    if not records:
        return 0
    run_id = records[0].trace_id
    ids = _ReplayIds(otel_trace_id(run_id))
    keeper = _ResultKeeper(exporter if exporter is not None else _exporter_for(endpoint))
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}), id_generator=ids
    )
    provider.add_span_processor(BatchSpanProcessor(keeper))
    tracer = provider.get_tracer("gatereview.traces")
    last = _ns(max(record.time for record in records))
    count = sum(_emit(tracer, ids, root, run_id, last) for root in build_spans(records))
    provider.force_flush()
    provider.shutdown()
    if keeper.failed:
        target = endpoint or "the configured OTLP endpoint"
        raise TraceExportError(f"{target} did not accept the trace's spans")
    return count
