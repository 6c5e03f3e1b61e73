"""Recordings: raw provider responses keyed by the canonical request that produced them.

A `recording.jsonl` holds one JSON object per line: the key (a hash of the canonical request),
a description of the request (purpose, gate, the digest of every part of the prompt), the HTTP
status and the provider's raw response body. The description is for people and for saying
what changed when a request has no recording; only the key is used to answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import Field

from traces.schema import canonical_json
from vocabulary.models import Strict

RECORDING_FILE = "recording.jsonl"
# Transport details that do not change what the model is asked.
VOLATILE_KEYS = frozenset({"stream", "user", "metadata", "extra_headers", "timeout"})
_GATE = re.compile(r"You are the (\w+) reviewer")
_CRITERION = re.compile(r"^## ([a-z]+\.[a-z0-9_]+):", re.MULTILINE)
_EXCERPTS = "# Excerpts from the documents under review"


class RequestInfo(Strict):
    """What a request asked, in parts that can be compared with another request."""

    purpose: str = Field(description="review, repair, summary, ping or unknown")
    gate: str | None = None
    model: str = ""
    parts: dict[str, str] = Field(
        default_factory=dict, description="Digest of each prompt part (system, criteria, ...)"
    )

    @property
    def label(self) -> str:
        """`review data`, `summary`, ... for messages."""
        return f"{self.purpose} {self.gate}" if self.gate else self.purpose


class Provenance(Strict):
    """Who wrote a recorded answer, when, and how it was checked (for answers not taken from a
    provider's API)."""

    written_by: str = Field(description="Who wrote the answer")
    date: str = Field(description="When it was written (ISO date)")
    note: str = ""


class Entry(Strict):
    """One recorded exchange."""

    key: str
    request: RequestInfo
    status: int = 200
    response: dict[str, Any]
    provenance: Provenance | None = None


def canonical_key(body: dict[str, Any]) -> str:
    """The hash of a request body without transport details, keys sorted."""
    kept = {k: v for k, v in body.items() if k not in VOLATILE_KEYS}
    return hashlib.sha256(canonical_json(kept).encode("utf-8")).hexdigest()[:32]


def _digest(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):  # content parts
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def _rubric_parts(user: str) -> dict[str, str]:
    """A digest per criterion block of the gate prompt, and one for the excerpts."""
    rubric, _, excerpts = user.partition(_EXCERPTS)
    parts: dict[str, str] = {"excerpts": _digest(excerpts)}
    blocks = _CRITERION.split(rubric)
    parts["rubric_header"] = _digest(blocks[0])
    for criterion, block in zip(blocks[1::2], blocks[2::2], strict=True):
        parts[f"criterion {criterion}"] = _digest(block)
    return parts


def describe(body: dict[str, Any]) -> RequestInfo:
    """Purpose, gate and part digests of a chat completion request."""
    messages = body.get("messages") or []
    texts = [_text(m) for m in messages]
    model = str(body.get("model", ""))
    parts = {"response_format": _digest(body.get("response_format") or {})}
    system = next((t for m, t in zip(messages, texts, strict=True) if m["role"] == "system"), "")
    gate = _GATE.search(system)
    if gate:
        user = next((t for m, t in zip(messages, texts, strict=True) if m["role"] == "user"), "")
        parts |= {"system": _digest(system), **_rubric_parts(user)}
        purpose = "repair" if len(messages) > 2 else "review"
        if purpose == "repair":
            parts["repair"] = _digest(texts[2:])
        return RequestInfo(purpose=purpose, gate=gate.group(1), model=model, parts=parts)
    if texts and texts[0].startswith("You write the executive summary"):
        purpose = "repair summary" if len(messages) > 1 else "summary"
        return RequestInfo(purpose=purpose, model=model, parts={**parts, "prompt": _digest(texts)})
    if texts == ["Reply with OK."]:
        return RequestInfo(purpose="ping", model=model, parts=parts)
    return RequestInfo(purpose="unknown", model=model, parts={**parts, "prompt": _digest(texts)})


def what_changed(request: RequestInfo, recorded: list[RequestInfo]) -> str:
    """One line saying how a request differs from the closest recorded one."""
    same = [r for r in recorded if r.purpose == request.purpose and r.gate == request.gate]
    if not same:
        return f"no {request.label} request was recorded"
    closest = min(same, key=lambda r: sum(r.parts.get(k) != v for k, v in request.parts.items()))
    if closest.model != request.model:
        return f"model {request.model} (recorded: {closest.model})"
    changed = []
    for part in sorted(set(request.parts) | set(closest.parts)):
        if part not in closest.parts:
            changed.append(f"{part} added")
        elif part not in request.parts:
            changed.append(f"{part} removed")
        elif closest.parts[part] != request.parts[part]:
            changed.append(f"{part} changed")
    return ", ".join(changed) or "sampling settings changed"


def load_recording(path: Path) -> list[Entry]:
    """The entries of a recording file ([] when there is none)."""
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Entry.model_validate_json(line) for line in lines if line.strip()]


def save_recording(path: Path, entries: list[Entry]) -> None:
    """Write entries one per line, sorted by gate and purpose, without duplicates."""
    seen: set[str] = set()
    lines = []
    # Gates run concurrently: sort so that a re-recording gives a readable diff.
    order = sorted(entries, key=lambda e: (e.request.gate or "~", e.request.purpose, e.key))
    for entry in order:
        if entry.key not in seen:
            seen.add(entry.key)
            lines.append(entry.model_dump_json(exclude_none=True))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
