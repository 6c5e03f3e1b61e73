"""The committed recordings of the real-document calibration match today's prompts.

The documents themselves stay outside the repository, so this checks every part of a recorded
request that does not depend on them (system prompt, rubric, response schema, model) against
what the gate agent sends now, by capturing one real request per gate on a small document.
A prompt, rubric or schema change makes the recordings stale, and this fails loudly.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from evals.calibration_docs import LabelledDocument
from evals.calibration_replay import MODEL, RECORDINGS_DIR, replay_documents
from evals.capture import pending_requests
from evals.recording import describe, load_recording
from tools.documents import load_documents
from vocabulary.models import GATES

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT_PARTS = {"excerpts"}  # the only part that depends on the document


def _current_parts(tmp_path: Path) -> dict[str, dict[str, str]]:
    document = load_documents([ROOT / "tests" / "fixtures" / "docs" / "strong.md"]).documents[0]
    labelled = [LabelledDocument("strong.md", document, {})]
    asyncio.run(replay_documents(labelled, tmp_path / "none", capture=tmp_path / "pending"))
    parts = {}
    for request in pending_requests(tmp_path / "pending" / "strong"):
        info = describe(json.loads(request.read_text(encoding="utf-8")))
        parts[info.gate or ""] = info.parts
    return parts


def test_every_document_has_a_recording_for_every_gate() -> None:
    recordings = sorted(RECORDINGS_DIR.glob("*.jsonl"))
    assert len(recordings) == 15
    for path in recordings:
        reviewed = {e.request.gate for e in load_recording(path) if e.request.purpose == "review"}
        assert reviewed == set(GATES), path.name


def test_recordings_say_who_wrote_them() -> None:
    for path in RECORDINGS_DIR.glob("*.jsonl"):
        for entry in load_recording(path):
            assert entry.provenance is not None, path.name
            assert entry.provenance.written_by.startswith("a strong general-purpose model")
            assert entry.request.model == MODEL.split("/", 1)[1]


def test_recordings_were_made_with_todays_prompts_rubrics_and_schema(tmp_path: Path) -> None:
    current = _current_parts(tmp_path)
    assert set(current) == set(GATES)
    stale = []
    for path in sorted(RECORDINGS_DIR.glob("*.jsonl")):
        for entry in load_recording(path):
            if entry.request.purpose != "review":
                continue
            now = current[entry.request.gate or ""]
            changed = sorted(
                part
                for part in set(now) | set(entry.request.parts)
                if part not in DOCUMENT_PARTS and now.get(part) != entry.request.parts.get(part)
            )
            if changed:
                stale.append(f"{path.name} {entry.request.gate}: {', '.join(changed)} changed")
    if stale:
        pytest.fail(
            "stale calibration recordings (re-capture with `python -m evals.realdocs capture "
            "DIR`, answer, then `store DIR`):\n" + "\n".join(stale)
        )
