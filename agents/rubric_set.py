"""The rubric set of a review: the built-in rubrics, replaced or extended by a folder of one's own.

A file `<gate>.toml` in the user's folder either names a built-in gate or adds a new one:

- a new gate: a whole rubric (`title`, `question`, `[[criteria]]`), ids `<gate>.<slug>`;
- a built-in gate with `replace = true`: a whole rubric that takes the built-in's place;
- a built-in gate otherwise: an extension. `drop = ["gate.slug", ...]` removes criteria; a
  `[[criteria]]` entry with a built-in id changes only the keys it gives (wording, severity,
  terms, ...); one with a new id adds a criterion (all keys); `title` and `question` replace
  the built-in's.

Every gate keeps at least one blocker criterion: the coordinator judges a gate by its core.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from agents.rubric import RUBRIC_DIR, Criterion, Rubric, load_rubrics
from vocabulary.errors import RubricError
from vocabulary.models import GATE_PATTERN, GATES, Strict

EXTENSION_KEYS = frozenset({"title", "question", "criteria", "drop", "replace"})
# Files beside the gate rubrics that are not gates (patterns and thresholds of the reviewers).
NOT_GATES = frozenset({"signals", "injection", "frameworks"})
# Names a gate cannot take: the review graph's own nodes and the keys of its state (a node is
# named after its gate, and LangGraph refuses a node named like another node or a state key).
# tests/agents/test_rubric_set.py checks this against the graph.
RESERVED_GATES = frozenset({
    "ingest", "coordinator", "human_review", "finalise", "load_documents",
    "run_id", "created_at", "paths", "settings", "project", "owner", "rubrics", "since",
    "prior_reviews", "documents", "ingest_notes", "instructions", "hidden_concerns", "reviews",
    "guidance", "verdict", "summary_usage", "amendments", "decisions", "outcome", "report",
    "approvers", "prior_amendments", "rechecks", "signatures",
})
# Criteria the review reports itself (text aimed at its reviewers, hidden text): a rubric
# that defined them could reword, re-grade or hide what they say.
# (agents.hostile's CRITERION and HIDDEN_CRITERION, spelled here: importing it loads the reviewer)
RESERVED_CRITERIA = frozenset({"risk.reviewer_instructions", "risk.hidden_text"})


class RubricSet(Strict):
    """Every gate's rubric for one review, in review order, and the digest of the whole set."""

    rubrics: dict[str, Rubric]
    source: str = Field(default="built-in", description="built-in, or the folder that changed it")
    digest: str = ""

    @property
    def gates(self) -> tuple[str, ...]:
        """The gates of this set, in review order."""
        return tuple(self.rubrics)


def set_digest(rubrics: dict[str, Rubric]) -> str:
    """A hash of every gate's validated rubric: equal sets, equal digests, whatever the files."""
    canonical = {g: r.model_dump(mode="json", exclude={"digest"}) for g, r in rubrics.items()}
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _problem(path: Path, where: str, exc: ValidationError) -> RubricError:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(root)"
    return RubricError(f"{path}: {where}{field}: {first['msg']}")


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: not valid TOML ({exc})") from exc
    except RecursionError:  # arrays or tables nested thousands deep: no rubric is
        raise RubricError(f"{path}: not a rubric (values nested too deeply)") from None


def _criterion(path: Path, gate: str, raw: Any, base: Criterion | None = None) -> Criterion:
    if not isinstance(raw, dict):
        raise RubricError(f"{path}: every [[criteria]] entry is a table")
    cid = raw.get("id")
    if not isinstance(cid, str) or not cid:
        raise RubricError(f"{path}: a criterion has no id")
    if not cid.startswith(f"{gate}."):
        raise RubricError(f"{path}: criterion {cid}: id must start with '{gate}.'")
    if cid in RESERVED_CRITERIA:
        raise RubricError(f"{path}: criterion {cid}: reserved (the review reports it itself)")
    merged = {**(base.model_dump() if base else {}), **raw}
    try:
        return Criterion.model_validate(merged)
    except ValidationError as exc:
        raise _problem(path, f"criterion {cid}: ", exc) from exc


def _whole(path: Path, gate: str, data: dict[str, Any]) -> Rubric:
    unknown = sorted(set(data) - {"title", "question", "criteria", "replace"})
    if unknown:
        raise RubricError(f"{path}: unknown key {unknown[0]!r} in a whole rubric")
    criteria = [_criterion(path, gate, raw) for raw in data.get("criteria") or []]
    fields = {k: data.get(k) for k in ("title", "question") if k in data}
    try:
        return Rubric.model_validate({**fields, "gate": gate, "criteria": criteria})
    except ValidationError as exc:
        raise _problem(path, "", exc) from exc


def _extended(path: Path, base: Rubric, data: dict[str, Any]) -> Rubric:
    unknown = sorted(set(data) - EXTENSION_KEYS)
    if unknown:
        raise RubricError(f"{path}: unknown key {unknown[0]!r}")
    known = {c.id: c for c in base.criteria}
    drop = data.get("drop") or []
    if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
        raise RubricError(f"{path}: drop: a list of criterion ids")
    for cid in drop:
        if cid not in known:
            raise RubricError(f"{path}: criterion {cid}: dropped but not in the {base.gate} rubric")
    criteria = {cid: c for cid, c in known.items() if cid not in drop}
    for raw in data.get("criteria") or []:
        cid = raw.get("id") if isinstance(raw, dict) else None
        if cid in drop:
            raise RubricError(f"{path}: criterion {cid}: both dropped and changed")
        criteria[str(cid)] = _criterion(path, base.gate, raw, known.get(str(cid)))
    fields = {k: data[k] for k in ("title", "question") if k in data}
    try:
        return Rubric.model_validate(
            {**base.model_dump(exclude={"digest"}), **fields, "criteria": list(criteria.values())}
        )
    except ValidationError as exc:
        raise _problem(path, "", exc) from exc


def _checked(path: Path, rubric: Rubric) -> Rubric:
    if not any(c.severity == "blocker" for c in rubric.criteria):
        raise RubricError(
            f"{path}: gate {rubric.gate} has no blocker criterion (a gate is judged by its core)"
        )
    raw = json.dumps(rubric.model_dump(mode="json", exclude={"digest"}), sort_keys=True)
    return rubric.model_copy(update={"digest": hashlib.sha256(raw.encode()).hexdigest()[:16]})


def builtin_rubric_set() -> RubricSet:
    """The five built-in rubrics."""
    rubrics = dict(load_rubrics(RUBRIC_DIR))
    return RubricSet(rubrics=rubrics, digest=set_digest(rubrics))


def load_rubric_set(directory: Path | None = None) -> RubricSet:
    """The built-in rubrics changed by the `<gate>.toml` files in `directory` (if any)."""
    if directory is None:
        return builtin_rubric_set()
    if not directory.is_dir():
        raise RubricError(f"{directory}: no such rubric folder")
    rubrics: dict[str, Rubric] = dict(load_rubrics(RUBRIC_DIR))
    files = sorted(p for p in directory.glob("*.toml") if p.stem not in NOT_GATES)
    if not files:
        raise RubricError(f"{directory}: no rubric files (<gate>.toml)")
    for path in files:
        gate = path.stem
        if re.fullmatch(GATE_PATTERN, gate) is None:
            raise RubricError(f"{path}: gate name must match {GATE_PATTERN}")
        if gate in RESERVED_GATES:
            raise RubricError(
                f"{path}: {gate} cannot be a gate: the review uses that name itself; "
                "rename the file"
            )
        data = _read(path)
        if gate in GATES and not data.get("replace", False):
            rubric = _extended(path, rubrics[gate], data)
        else:
            rubric = _whole(path, gate, data)
        rubrics[gate] = _checked(path, rubric)
    ids = [c.id for r in rubrics.values() for c in r.criteria]
    duplicate = next((cid for cid in ids if ids.count(cid) > 1), None)
    if duplicate is not None:
        raise RubricError(f"{directory}: criterion {duplicate}: defined twice")
    return RubricSet(rubrics=rubrics, source=str(directory), digest=set_digest(rubrics))


def rubric_set_of(values: Mapping[str, Any]) -> RubricSet:
    """The rubric set a run was started with (the built-in one for runs older than sets)."""
    raw = values.get("rubrics")
    return builtin_rubric_set() if raw is None else RubricSet.model_validate(raw)
