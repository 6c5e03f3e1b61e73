"""Frameworks a criterion evidences: NIST AI RMF 1.0, ISO/IEC 42001:2023 Annex A, the EU AI Act.

The identifier lists live in `agents/frameworks/<framework>.toml`, written from each standard's
published tables (identifiers only). A criterion's `frameworks` table names the clauses it
evidences; an identifier not in its framework's list is a rubric error.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, ValidationInfo, field_validator

from vocabulary.models import Strict

FRAMEWORK_DIR = Path(__file__).parent / "frameworks"
Framework = Literal["nist_ai_rmf", "iso42001", "eu_ai_act"]
FRAMEWORKS: tuple[Framework, ...] = get_args(Framework)


@cache
def framework_name(framework: Framework) -> str:
    """The framework's display name."""
    return _load(framework)[0]


@cache
def known_clauses(framework: Framework) -> tuple[str, ...]:
    """Every clause identifier of the framework, in the order of its published tables."""
    return _load(framework)[1]


def _load(framework: Framework) -> tuple[str, tuple[str, ...]]:
    data = tomllib.loads((FRAMEWORK_DIR / f"{framework}.toml").read_text(encoding="utf-8"))
    return str(data["name"]), tuple(data["clauses"])


class FrameworkRefs(Strict):
    """The clauses of each framework that a criterion's finding is evidence for."""

    nist_ai_rmf: list[str] = Field(default_factory=list, description="e.g. MAP 1.1, MEASURE 2.7")
    iso42001: list[str] = Field(default_factory=list, description="Annex A controls, e.g. A.7.4")
    eu_ai_act: list[str] = Field(default_factory=list, description="Articles, e.g. Art. 10")

    @field_validator("nist_ai_rmf", "iso42001", "eu_ai_act")
    @classmethod
    def _known(cls, value: list[str], info: ValidationInfo) -> list[str]:
        framework: Framework = info.field_name  # type: ignore[assignment]
        for clause in value:
            if clause not in known_clauses(framework):
                raise ValueError(f"{clause!r} is not an identifier of {framework_name(framework)}")
        return value

    def clauses(self, framework: Framework) -> list[str]:
        """This criterion's clauses in one framework."""
        return list(getattr(self, framework))
