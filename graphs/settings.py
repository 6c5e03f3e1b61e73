"""Settings, resolved once: command-line flag > GATEREVIEW_* environment > file > default."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError

from agents.errors import GateReviewError
from agents.models import Strict

CONFIG_FILE = "gatereview.toml"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class Settings(Strict):
    """Everything a review needs to know about how to run; passed down, never mutated."""

    home: Path = Field(default=Path(".gatereview"), description="Workspace folder")
    model: str = Field(default="offline", description="offline, or any litellm model string")
    api_base: str | None = None
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    redact: bool | None = Field(
        default=None, description="Mask personal data and secrets; default: for hosted models"
    )
    budget_usd: float | None = Field(default=None, ge=0)
    max_concurrency: int = Field(
        default=8, ge=1, le=64, description="Model calls at once; at least one per gate"
    )
    max_context_tokens: int = Field(default=6000, ge=500)
    timeout_s: float = Field(default=60.0, gt=0)
    web: bool = False
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1)
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP collector; else OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    price_in: float | None = Field(default=None, ge=0, description="USD per million input tokens")
    price_out: float | None = Field(default=None, ge=0, description="USD per million output tokens")
    project: str | None = Field(
        default=None, description="Links runs of one project; default: the reviewed paths"
    )
    rubrics: Path | None = Field(
        default=None, description="A folder of <gate>.toml files that replace or extend the rubrics"
    )

    @property
    def offline(self) -> bool:
        """True when the built-in offline reviewer is the model."""
        return self.model == "offline"


def _from_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GateReviewError(f"{path}: not valid TOML ({exc})") from exc
    return data.get("gatereview", data)


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in Settings.model_fields:
        raw = env.get(f"GATEREVIEW_{name.upper()}")
        if raw not in (None, ""):
            values[name] = raw
    return values


def resolve_settings(
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Merge the layers in precedence order and validate once."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    merged.update(_from_file(config_file or Path(CONFIG_FILE)))
    if env.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        merged["otlp_endpoint"] = env["OTEL_EXPORTER_OTLP_ENDPOINT"]
    merged.update(_from_env(env))
    merged.update({k: v for k, v in (flags or {}).items() if v is not None})
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "?"
        where = f"--{name.replace('_', '-')} (or GATEREVIEW_{name.upper()})"
        raise GateReviewError(f"setting {where}: {first['msg']}") from exc
