"""A decided run as an eval case, so that a reviewer's correction becomes a regression test.

The case holds the run's documents (copied, and checked against the content hashes the run
recorded), `expected.json` from the statuses after the reviewers' amendments (a dismissed
finding's criterion is expected not flagged), the reviewers' decisions before the final one
(`decisions.json`, replayed by the eval runner), the run's own rubrics when they were not the
built-in ones, and, for a run reviewed by a model, the run's model exchanges as
`recording.jsonl`. The recording is written by reviewing the new case once through a local
server that answers each request with the answer the run's trace holds for it: so its keys
are what `eval --model replay` will send, and a request the run never made is an error.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import tomli_w
from pydantic import Field, SecretStr

from agents.rubric_set import RubricSet, builtin_rubric_set, load_rubric_set, rubric_set_of
from evals.cases import (
    DECISIONS_FILE,
    EXPECTED_FILE,
    RUBRICS_FOLDER,
    Case,
    Expected,
    load_case,
)
from evals.recording import Entry, canonical_key, describe, save_recording
from evals.replay_server import LocalServer
from evals.runner import review_case
from evals.scorers import unmet_criteria
from exports.view import RunView
from graphs.settings import Settings
from graphs.workspace import Workspace
from tools.documents import Document
from traces import attributes as attr
from traces.schema import canonical_json
from traces.viewer import load_records
from vocabulary.errors import GateReviewError, RunNotFoundError
from vocabulary.models import Decision, Strict

# Run settings that change what a model is sent: a case replays under the eval runner's
# defaults, so a run that changed one cannot be replayed.
PROMPT_SETTINGS = ("max_context_tokens", "mask", "web")


class ExportedCase(Strict):
    """What export-case wrote, and whether reviewing the case gives the reviewers' statuses."""

    folder: str
    run_id: str
    mode: Literal["offline", "replay"] = Field(description="The eval mode the case is for")
    documents: list[str]
    decisions: int = Field(description="Reviewers' decisions replayed before approval")
    exchanges: int = Field(description="Model exchanges in recording.jsonl")
    expected: Expected
    reproduced: bool = Field(description="Reviewing the case gives the expected statuses")
    problems: list[str] = Field(default_factory=list)


async def export_case(run_id: str, folder: Path, settings: Settings) -> ExportedCase:
    """Write the case of a decided run into `folder` (new or empty); all or nothing."""
    from runs.catalogue import load_run
    from runs.operations import load_values

    view = load_run(run_id, settings)
    values = load_values(run_id, settings)
    if values is None:
        raise RunNotFoundError(f"no run {run_id} in {settings.home}")
    _check_exportable(view, values, folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        exported = await _build(view, values, building, settings.home)
        _move(building, folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return exported.model_copy(update={"folder": str(folder)})


def _move(building: Path, folder: Path) -> None:
    if folder.exists():
        folder.rmdir()  # checked empty before anything was written
    building.rename(folder)


def _check_exportable(view: RunView, values: dict[str, Any], folder: Path) -> None:
    if view.state not in ("approved", "rejected"):
        raise GateReviewError(
            f"run {view.run_id} is {view.state}: only a decided run (approved or rejected) "
            "becomes an eval case; decide it first"
        )
    if folder.is_symlink():  # dangling or not: a case is never written through a link
        raise GateReviewError(f"{folder}: is a symbolic link; name a new case folder")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise GateReviewError(f"{folder}: exists and is not empty; name a new case folder")
    recorded = values.get("settings") or {}
    if recorded.get("model", "offline") != "offline":
        changed = [k for k in PROMPT_SETTINGS if k in recorded and recorded[k] != _default(k)]
        if changed:
            raise GateReviewError(
                f"run {view.run_id} was reviewed with {', '.join(changed)} changed from the "
                "default, so its model requests differ from what eval sends; it cannot be "
                "replayed as a case"
            )


def _default(name: str) -> Any:
    return Settings.model_fields[name].get_default(call_default_factory=True)


def _write_case(
    view: RunView, values: dict[str, Any], into: Path
) -> tuple[Case, dict[str, str], int]:
    """Documents, rubrics, decisions and expected.json; the paths moved and decisions kept."""
    documents = [Document.model_validate(d) for d in values.get("documents", [])]
    moved = _copy_documents(documents, into)
    rubrics = _write_rubrics(values, into / RUBRICS_FOLDER)
    decisions = _replayed_decisions(values)
    if decisions:
        data = [d.model_dump(mode="json", exclude={"verdict_sha256"}) for d in decisions]
        (into / DECISIONS_FILE).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    expected = _expected(view, values, rubrics)
    (into / EXPECTED_FILE).write_text(expected.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return load_case(into), moved, len(decisions)


async def _build(view: RunView, values: dict[str, Any], into: Path, home: Path) -> ExportedCase:
    case, moved, decisions = _write_case(view, values, into)
    expected = case.expected
    model = str((values.get("settings") or {}).get("model", "offline"))
    with tempfile.TemporaryDirectory(prefix="gatereview-export-") as scratch:
        if model == "offline":
            settings = Settings(home=Path(scratch), rubrics=case.rubrics)
            replayed, _ = await review_case(case, settings)
            exchanges: list[Entry] = []
        else:
            traced = _traced_exchanges(Workspace(home).trace_file(view.run_id), moved)
            replayed, exchanges = await _record(case, model, traced, Path(scratch))
            save_recording(case.recording, exchanges)
    problems = _differences(expected, replayed)
    return ExportedCase(
        folder=str(into),
        run_id=view.run_id,
        mode="offline" if model == "offline" else "replay",
        documents=[moved.get(d["path"], d["path"]) for d in values.get("documents", [])],
        decisions=decisions,
        exchanges=len(exchanges),
        expected=expected,
        reproduced=not problems,
        problems=problems,
    )


def _copy_documents(documents: list[Document], into: Path) -> dict[str, str]:
    """Copy each document as it was reviewed; returns the paths that had to change."""
    moved: dict[str, str] = {}
    taken: set[str] = set()
    for doc in documents:
        source = Path(doc.path)
        if not source.is_file() or _sha256(source) != doc.sha256:
            raise GateReviewError(
                f"{doc.path}: not found as the run reviewed it (sha256 {doc.sha256[:12]}); run "
                "export-case from the folder the review ran in, with the documents unchanged"
            )
        relative = PurePosixPath(doc.path)
        if relative.is_absolute() or ".." in relative.parts:  # outside the review's folder
            relative = PurePosixPath(relative.name)
            while relative.as_posix() in taken:
                relative = PurePosixPath(f"{len(taken)}-{relative.name}")
            moved[doc.path] = relative.as_posix()
        taken.add(relative.as_posix())
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return moved


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_rubrics(values: dict[str, Any], folder: Path) -> RubricSet:
    """The run's rubric set as whole rubric files for each gate that differs from the built-in."""
    run_set, builtin = rubric_set_of(values), builtin_rubric_set()
    if run_set.digest == builtin.digest:
        return run_set
    folder.mkdir()
    for gate, rubric in run_set.rubrics.items():
        if gate in builtin.rubrics and builtin.rubrics[gate].digest == rubric.digest:
            continue
        data = rubric.model_dump(mode="json", exclude={"gate", "digest"}, exclude_defaults=True)
        text = tomli_w.dumps({"replace": True, **data})
        (folder / f"{gate}.toml").write_text(text, encoding="utf-8")
    written = load_rubric_set(folder)
    if written.digest != run_set.digest:
        raise GateReviewError(f"{folder}: the run's rubrics could not be written back exactly")
    return run_set


def _replayed_decisions(values: dict[str, Any]) -> list[Decision]:
    """The decisions that changed the run before its final one: amendments and re-reviews."""
    decisions = [Decision.model_validate(d) for d in values.get("decisions", [])]
    return [d for d in decisions if d.action == "amend" or (d.action == "reject" and d.gates)]


def _expected(view: RunView, values: dict[str, Any], rubrics: RubricSet) -> Expected:
    """What the reviewers concluded: the gate statuses and unmet criteria after amendments."""
    verdict = view.verdict
    if verdict is None:
        raise GateReviewError(f"run {view.run_id} has no verdict to export")
    known = {c.id for rubric in rubrics.rubrics.values() for c in rubric.criteria}
    unmet = unmet_criteria(view.findings) & known
    labelled = {f.criterion for f in view.findings} & known
    amended = [f for f in view.findings if f.amended_by]
    who = sorted({f.amended_by or "" for f in amended})
    description = (
        f"Exported from run {view.run_id} ({view.state}): statuses after "
        f"{len(amended)} amendment(s){' by ' + ', '.join(who) if who else ''}"
    )
    adversarial = bool(values.get("instructions"))
    return Expected(
        description=description,
        gates={g: v.status for g, v in verdict.gates.items()},
        must_flag=sorted(unmet),
        must_not_flag=sorted(labelled - unmet),
        adversarial=adversarial,
        expected_overall=verdict.overall if adversarial else None,
    )


def _differences(expected: Expected, view: RunView) -> list[str]:
    """How reviewing the case differs from what the reviewers concluded."""
    got = {g: v.status for g, v in view.verdict.gates.items()} if view.verdict else {}
    problems = [
        f"gate {g}: expected {s}, reviewing the case gives {got.get(g, 'nothing')}"
        for g, s in expected.gates.items()
        if got.get(g) != s
    ]
    flagged = unmet_criteria(view.findings)
    problems += [
        f"{c}: expected unmet, not flagged" for c in expected.must_flag if c not in flagged
    ]
    problems += [f"{c}: expected met, flagged" for c in expected.must_not_flag if c in flagged]
    return problems


@dataclass
class _Traced:
    """The run's model calls: answers by the canonical form of the messages they were sent
    (with the document paths the case uses), and how many calls failed, by request label."""

    answers: dict[str, deque[dict[str, Any]]] = field(default_factory=lambda: defaultdict(deque))
    failures: Counter[str] = field(default_factory=Counter)


class _TracedModel:
    """Answers each request as the run's model did: the traced answer to the same messages, or
    the failure the run met; keeps every exchange as a recording entry."""

    def __init__(self, traced: _Traced) -> None:
        self._traced = traced
        self._lock = threading.Lock()
        self.entries: list[Entry] = []
        self.missing: list[str] = []

    def answer(self, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """The traced answer to this request; a failure where the run's call failed; else 400
        noted as missing."""
        info = describe(body)
        key = canonical_key(body)
        with self._lock:
            queue = self._traced.answers.get(canonical_json(body.get("messages") or []))
            if queue:
                call = queue[0] if len(queue) == 1 else queue.popleft()
                response, status = _completion(call, body, key), 200
            elif self._traced.failures[info.label] > 0:
                # Not retried (4xx) and not fatal: the step degrades as it did in the run.
                self._traced.failures[info.label] -= 1
                message = f"the run's {info.label} call failed here"
                response, status = {"error": {"message": message, "type": "exported"}}, 400
            else:
                self.missing.append(info.label)
                return 400, {"error": {"message": f"the run made no {info.label} request"}}
            self.entries.append(Entry(key=key, request=info, status=status, response=response))
        return status, response


def _traced_exchanges(trace: Path, moved: dict[str, str]) -> _Traced:
    """The run's model calls, read from its trace."""
    traced = _Traced()
    for record in load_records(trace):
        attributes = record.attributes
        if record.kind == "degradation" and record.name == "summary":
            traced.failures["summary"] += 1
        if record.kind != "llm_call":
            continue
        if attr.OUTPUT_MESSAGES not in attributes:
            traced.failures[f"review {attributes.get(attr.AGENT_NAME)}"] += 1
            continue
        messages = _moved(attributes.get(attr.INPUT_MESSAGES) or [], moved)
        output = _moved(attributes[attr.OUTPUT_MESSAGES], moved)
        traced.answers[canonical_json(messages)].append(
            {**attributes, attr.OUTPUT_MESSAGES: output}
        )
    if not traced.answers:
        raise GateReviewError(f"{trace}: no model exchanges to record")
    return traced


def _moved(value: Any, moved: dict[str, str]) -> Any:
    """A traced value with each moved document path replaced by its path in the case."""
    if not moved:
        return value
    text = json.dumps(value, ensure_ascii=False)
    for old, new in moved.items():
        text = text.replace(json.dumps(old)[1:-1], json.dumps(new)[1:-1])
    return json.loads(text)


def _completion(call: dict[str, Any], body: dict[str, Any], key: str) -> dict[str, Any]:
    """An OpenAI `chat.completion` body carrying a traced answer and its traced usage."""
    content = call[attr.OUTPUT_MESSAGES]
    if not isinstance(content, str):
        content = json.dumps(content, ensure_ascii=False)
    tokens_in = int(call.get(attr.INPUT_TOKENS) or 0)
    tokens_out = int(call.get(attr.OUTPUT_TOKENS) or 0)
    message = {"role": "assistant", "content": content, "refusal": None}
    return {
        "id": f"chatcmpl-exported-{key[:20]}",
        "object": "chat.completion",
        "created": 0,
        "model": str(call.get(attr.RESPONSE_MODEL) or body.get("model", "")),
        "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out,
                  "total_tokens": tokens_in + tokens_out},
    }  # fmt: skip


async def _record(
    case: Case, model: str, traced: _Traced, home: Path
) -> tuple[RunView, list[Entry]]:
    """Review the case once against the traced answers, keeping each exchange."""
    answers = _TracedModel(traced)
    wire = model.partition("/")[2] or model
    with LocalServer(answers.answer) as server:
        settings = Settings(
            home=home,
            model=f"openai/{wire}",
            api_base=server.api_base,
            api_key=SecretStr("export-case"),  # sent to the local server only
            rubrics=case.rubrics,
        )
        view, _ = await review_case(case, settings)
    if answers.missing:
        raise GateReviewError(
            f"the run's trace has no answer to the case's {answers.missing[0]} request: what "
            "this version of gatereview sends differs from what the run sent (prompts, rubrics "
            "or retrieval changed since); the run cannot become a replay case"
        )
    return view, answers.entries
