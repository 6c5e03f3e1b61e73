"""Answers written for captured requests, checked and stored as recordings.

Where no provider can be reached, a review is run against `ReplayServer(capture=DIR)`: every
request that has no recording is saved whole as `DIR/<key>.json`. Someone (a person, or a
strong model given only that file) writes the answer the model would give as
`DIR/<key>.answer.json`: one JSON object valid against the request's response schema. Storing
it checks the answer against the schema, looks up every quote in the documents (a quote that is
not there is reported; the review's own repair step will then ask about it, as it would a live
model), wraps it in the provider's `chat.completion` body and marks who wrote it and when.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from agents.answers import GateAnswer, SummaryAnswer
from agents.gate import unmasked
from evals.recording import Entry, Provenance, canonical_key, describe
from tools.documents import Document
from tools.evidence import locate_quote
from vocabulary.errors import GateReviewError
from vocabulary.models import Evidence

ANSWER_SUFFIX = ".answer.json"
CHARS_PER_TOKEN = 4  # token counts of written answers are estimates, and say so


@dataclass
class Stored:
    """What storing a folder of answers gave: entries, and what was wrong with the answers."""

    entries: list[Entry] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    unlocated: list[str] = field(default_factory=list)


def pending_requests(folder: Path) -> list[Path]:
    """Captured request files in a folder, sorted (answers excluded)."""
    return sorted(p for p in folder.glob("*.json") if not p.name.endswith(ANSWER_SUFFIX))


def answer_path(request: Path) -> Path:
    """Where the answer to a captured request is written."""
    return request.with_name(request.stem + ANSWER_SUFFIX)


def _schema(body: dict[str, Any]) -> type[BaseModel]:
    name = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
    schemas: dict[str, type[BaseModel]] = {"GateAnswer": GateAnswer, "SummaryAnswer": SummaryAnswer}
    if name not in schemas:
        raise GateReviewError(f"a captured request asks for an unknown schema: {name!r}")
    return schemas[name]


def completion_body(content: str, body: dict[str, Any], key: str) -> dict[str, Any]:
    """An OpenAI `chat.completion` body carrying `content` as the answer to `body`."""
    prompt = len(json.dumps(body.get("messages", []), ensure_ascii=False)) // CHARS_PER_TOKEN
    output = len(content) // CHARS_PER_TOKEN + 1
    message = {"role": "assistant", "content": content, "refusal": None, "annotations": []}
    return {
        "id": f"chatcmpl-written-{key[:20]}",
        "object": "chat.completion",
        "created": 0,
        "model": str(body.get("model", "")),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": output,
                  "total_tokens": prompt + output},
    }  # fmt: skip


def _unlocated(answer: BaseModel, documents: Sequence[Document]) -> list[str]:
    """Quotes of a gate answer that verification will not find in the documents (a quote of
    masked text is looked up as the gate agent does: by its longest unmasked run)."""
    if not isinstance(answer, GateAnswer):
        return []
    claims = [
        (finding.criterion, unmasked(Evidence(path=claim.path, quote=claim.quote)))
        for finding in answer.findings
        for claim in finding.evidence
    ]
    return [
        f"{criterion}: {claim.quote[:80]!r}"
        for criterion, claim in claims
        if locate_quote(claim.quote, list(documents), claim.path) is None
    ]


def store_answers(folder: Path, documents: Sequence[Document], provenance: Provenance) -> Stored:
    """Every answered request in `folder` as a recording entry, checked (see module docstring)."""
    stored = Stored()
    for request in pending_requests(folder):
        body = json.loads(request.read_text(encoding="utf-8"))
        key = canonical_key(body)
        written = answer_path(request)
        if not written.is_file():
            stored.unanswered.append(request.name)
            continue
        content = written.read_text(encoding="utf-8").strip()
        try:
            answer = _schema(body).model_validate_json(content)
        except ValidationError as exc:
            stored.invalid.append(f"{written.name}: {exc.errors()[0]['msg']}")
            continue
        stored.unlocated += [f"{request.name}: {q}" for q in _unlocated(answer, documents)]
        stored.entries.append(
            Entry(
                key=key,
                request=describe(body),
                response=completion_body(content, body, key),
                provenance=provenance,
            )
        )
    return stored
