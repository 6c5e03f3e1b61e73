"""Glue between the review graph and the trace: what is recorded at run start and per agent."""

from __future__ import annotations

from typing import Any

from agents.events import AgentEvent
from agents.prompts import prompt_digests
from agents.rubric_set import RubricSet
from exports.tool import tool_version
from graphs.settings import Settings
from tools.documents import Document
from traces import attributes as attr
from traces.recorder import TraceRecorder


def lineage(documents: list[Document]) -> list[dict[str, Any]]:
    """Each document's path, content hash, kind and section count (and, when it was read from
    a commit or a wiki page, that commit or page: id, version, URL)."""
    return [
        {"path": d.path, "sha256": d.sha256, "kind": d.kind, "sections": len(d.sections)}
        | ({"origin": d.origin.model_dump(exclude_none=True)} if d.origin else {})
        for d in documents
    ]


def run_start_attributes(
    settings: Settings, paths: list[str], documents: list[Document], rubrics: RubricSet
) -> dict[str, Any]:
    """What a risk officer needs to know about how the run was set up (no secrets)."""
    return {
        attr.REQUEST_MODEL: settings.model,
        "gatereview.paths": paths,
        attr.DOCUMENTS: lineage(documents),
        attr.RUBRICS: {gate: rubric.digest for gate, rubric in rubrics.rubrics.items()},
        attr.RUBRIC_SET: rubrics.digest,
        attr.RUBRIC_SOURCE: rubrics.source,
        "gatereview.prompts": prompt_digests(),
        attr.TOOL_VERSION: tool_version(),
        attr.SETTINGS: settings.model_dump(mode="json"),
    }


def event_attributes(event: AgentEvent, request_model: str) -> dict[str, Any]:
    """An agent event's attributes, with what only the graph knows added to model calls."""
    attributes = dict(event.attributes)
    if event.kind == "llm_call":
        attributes[attr.REQUEST_MODEL] = request_model
        attributes[attr.PROVIDER_NAME] = attr.provider_name(request_model)
        attributes.setdefault(attr.OPERATION_NAME, attr.OP_CHAT)
        attributes[attr.LATENCY_S] = event.duration_s
        attempts = attributes.get("gatereview.attempts") or []
        attributes[attr.RETRIES] = max(0, len(attempts) - 1)
        attributes[attr.QUEUE_WAIT_S] = round(sum(a.get("wait_s", 0.0) for a in attempts), 4)
        attributes[attr.CLIENT_S] = round(sum(a.get("client_s", 0.0) for a in attempts), 4)
    return attributes


def record_events(
    recorder: TraceRecorder | None,
    parent: str | None,
    events: list[AgentEvent],
    request_model: str,
) -> None:
    """Write an agent's events under its node span."""
    if recorder is None:
        return
    for event in events:
        recorder.record(
            event.kind,
            event.name,
            parent,
            event_attributes(event, request_model),
            duration_s=event.duration_s,
        )
