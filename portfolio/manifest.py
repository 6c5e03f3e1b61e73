"""The portfolio manifest (TOML or YAML): one entry per project, its documents and its owner."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, model_validator

from vocabulary.errors import GateReviewError
from vocabulary.models import Strict


class Project(Strict):
    """One project of the portfolio; document paths are relative to the manifest's folder."""

    name: str = Field(min_length=1, pattern=r"^[^\s/\\]+$", description="Short unique name")
    documents: list[str] = Field(min_length=1, description="Design documents or folders")
    owner: str | None = Field(default=None, description="Who answers for the project")


class Manifest(Strict):
    """The projects to review, in manifest order."""

    projects: list[Project] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> Manifest:
        seen: set[str] = set()
        for project in self.projects:
            if project.name in seen:
                raise ValueError(f"project {project.name!r} appears twice")
            seen.add(project.name)
        return self


def _parse(path: Path, text: str) -> Any:
    try:
        return _parsed(path, text)
    except RecursionError:  # values nested thousands deep: no manifest is
        raise GateReviewError(f"{path}: not a manifest (values nested too deeply)") from None


def _parsed(path: Path, text: str) -> Any:
    if path.suffix.lower() == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise GateReviewError(f"{path}: not valid TOML ({exc})") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise GateReviewError(f"{path}: not valid YAML ({exc})") from None
    raise GateReviewError(f"{path}: a manifest is a .toml, .yaml or .yml file")


def load_manifest(path: Path) -> Manifest:
    """Read and validate a manifest; document paths come back resolved against its folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GateReviewError(f"{path}: cannot read the manifest ({exc})") from None
    data = _parse(path, text)
    try:
        manifest = Manifest.model_validate(data if isinstance(data, dict) else {"projects": data})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "manifest"
        raise GateReviewError(f"{path}: {where}: {first['msg']}") from None
    base = path.parent
    return Manifest(
        projects=[
            p.model_copy(update={"documents": [str(base / d) for d in p.documents]})
            for p in manifest.projects
        ]
    )
