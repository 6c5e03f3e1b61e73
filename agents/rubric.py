"""Rubrics: one TOML file per gate under agents/rubrics, loaded into typed criteria."""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from agents.frameworks import FrameworkRefs
from vocabulary.errors import RubricError
from vocabulary.models import GATES, Evidence, Finding, FindingStatus, Gate, Strict

RUBRIC_DIR = Path(__file__).parent / "rubrics"


class Criterion(Strict):
    """One rubric item of a gate, id `gate.slug`."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z0-9_]+$")
    title: str
    question: str
    good_evidence: str
    red_flags: list[str] = Field(min_length=1)
    severity: Literal["blocker", "major", "minor"]
    terms: list[str] = Field(min_length=1, description="Retrieval terms for this criterion")
    specifics: list[str] = Field(
        default_factory=list,
        description="Words that show the criterion is addressed concretely (offline reviewer)",
    )
    names_someone: bool = Field(
        default=False,
        description="Its evidence must name a person, role or team (an owner, a champion)",
    )
    frameworks: FrameworkRefs = Field(
        default_factory=FrameworkRefs, description="Clauses of NIST AI RMF, ISO 42001, EU AI Act"
    )

    def finding(
        self,
        gate: Gate,
        status: FindingStatus,
        summary: str,
        recommendation: str,
        evidence: list[Evidence] | None = None,
    ) -> Finding:
        """A finding on this criterion: the rubric's severity (info once met), and what was
        searched for when it is missing."""
        return Finding(
            id=self.id,
            gate=gate,
            criterion=self.id,
            title=self.title,
            status=status,
            severity="info" if status == "met" else self.severity,
            summary=summary,
            recommendation=recommendation,
            evidence=evidence or [],
            searched_for=list(self.terms) if status == "missing" else [],
        )


class Rubric(Strict):
    """A gate's question and its criteria."""

    gate: Gate
    title: str
    question: str
    criteria: list[Criterion] = Field(min_length=1, max_length=20)
    digest: str = ""

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with that id."""
        for item in self.criteria:
            if item.id == criterion_id:
                return item
        raise KeyError(criterion_id)


def load_rubric(gate: Gate, directory: Path = RUBRIC_DIR) -> Rubric:
    """Read and validate `<directory>/<gate>.toml`."""
    path = directory / f"{gate}.toml"
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
        rubric = Rubric.model_validate({**data, "gate": gate})
    except FileNotFoundError as exc:
        raise RubricError(f"{path}: rubric file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RubricError(f"{path}: not valid TOML ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RubricError(f"{path}: {where}: {first['msg']}") from exc
    for item in rubric.criteria:
        if not item.id.startswith(f"{gate}."):
            raise RubricError(f"{path}: criterion {item.id} does not belong to gate {gate}")
    return rubric.model_copy(update={"digest": hashlib.sha256(raw).hexdigest()[:16]})


@cache
def _cached(directory: Path) -> dict[Gate, Rubric]:
    return {gate: load_rubric(gate, directory) for gate in GATES}


def load_rubrics(directory: Path = RUBRIC_DIR) -> dict[Gate, Rubric]:
    """All five rubrics, keyed by gate (read once per process)."""
    return _cached(directory.resolve())
