"""Settings, resolved once: command-line flag > GATEREVIEW_* environment > files > default.

Trust model: the current directory is often the repository under review (in CI, always), so a
`gatereview.toml` there may set only limits. Whatever decides where text and keys go, or how
much is masked (endpoint, keys, masking, model, workspace, exporters, prices), comes from a
flag, the environment, a file the user names with `--config FILE`, or the user's own config
folder (`~/.config/gatereview/config.toml`, or under `$XDG_CONFIG_HOME`).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator

from vocabulary.errors import GateReviewError
from vocabulary.models import Strict

REPOSITORY_FILE = "gatereview.toml"
USER_FILE = "config.toml"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# What a settings file in the reviewed repository may set: limits on the review's own work,
# none of which sends text or keys anywhere, spends more per token, or weakens masking.
REPOSITORY_KEYS = frozenset(
    {"max_concurrency", "max_context_tokens", "timeout_s", "max_bytes", "document_timeout_s"}
)


class Settings(Strict):
    """Everything a review needs to know about how to run; passed down, never mutated."""

    home: Path = Field(default=Path(".gatereview"), description="Workspace folder")
    model: str = Field(default="offline", description="offline, or any litellm model string")
    api_base: str | None = Field(default=None, description="Endpoint URL, without credentials")
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)
    api_auth: SecretStr | None = Field(
        default=None, exclude=True, repr=False, description="user:password from the api_base URL"
    )
    mask: bool = Field(
        default=True, description="Mask personal data and secrets in text sent to any model"
    )
    budget_usd: float | None = Field(default=None, ge=0)
    max_concurrency: int = Field(
        default=8, ge=1, le=64, description="Model calls at once; at least one per gate"
    )
    max_context_tokens: int = Field(default=6000, ge=500)
    timeout_s: float = Field(default=60.0, gt=0)
    web: bool = False
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1)
    document_timeout_s: float = Field(
        default=30.0, gt=0, description="Most seconds spent reading one document"
    )
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP collector; else OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    database_url: str | None = Field(
        default=None,
        pattern=r"^postgres(ql)?://",
        exclude=True,  # may carry a password: never dumped into a trace or a report
        repr=False,
        description="postgresql://... for checkpoints and claims; default SQLite in home",
    )
    price_in: float | None = Field(default=None, ge=0, description="USD per million input tokens")
    price_out: float | None = Field(default=None, ge=0, description="USD per million output tokens")
    project: str | None = Field(
        default=None, description="Links runs of one project; default: the reviewed paths"
    )
    rubrics: Path | None = Field(
        default=None, description="A folder of <gate>.toml files that replace or extend the rubrics"
    )
    documents_root: Path | None = Field(
        default=None, description="A LangGraph server reads documents named by path under it only"
    )
    server_users: Path | None = Field(
        default=None, description="A LangGraph server's users: TOML of token hashes and roles"
    )
    approvers: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Named approvers per gate (risk=ana,platform=li): each gate named must be "
        "signed before the run is final",
    )

    @field_validator("approvers", mode="before")
    @classmethod
    def _approver_pairs(cls, value: Any) -> Any:
        """`gate=name,gate=name` (a flag or the environment), or a table of gate = names."""
        return parse_approvers(value)

    @field_validator("database_url")
    @classmethod
    def _usable_database_url(cls, url: str | None) -> str | None:
        """A URL libpq can read, checked before any connection; the message never repeats
        the URL, which may hold a password."""
        if url is None:
            return url
        from psycopg import ProgrammingError
        from psycopg.conninfo import conninfo_to_dict

        try:
            parts = conninfo_to_dict(url)
        except ProgrammingError as exc:
            detail = re.sub(r"\s*in URI:.*$", "", str(exc).strip(), flags=re.DOTALL)
            secret = re.search(r"://[^:/@]*:([^@]+)@", url)  # a URL too broken to split
            detail = detail.replace(secret.group(1), "***") if secret else detail
            raise ValueError(f"not a usable postgresql:// URL ({detail})") from None
        for port in str(parts.get("port") or "5432").split(","):
            if not port.isdigit():
                raise ValueError("not a usable postgresql:// URL (its port is not a number)")
        return url

    @model_validator(mode="before")
    @classmethod
    def _credentials_out_of_the_url(cls, data: Any) -> Any:
        """Move `user:password@` out of api_base: it is sent as credentials, never shown."""
        if not isinstance(data, dict) or not isinstance(data.get("api_base"), str):
            return data
        base, auth = split_credentials(data["api_base"])
        if auth is None:
            return data
        return {**data, "api_base": base, "api_auth": data.get("api_auth") or auth}

    @property
    def offline(self) -> bool:
        """True when the built-in offline reviewer is the model."""
        return self.model == "offline"


def parse_approvers(value: Any) -> Any:
    """Approvers as a gate -> names table, from `risk=ana,platform=li` or a TOML table whose
    values are a name or a list of names (anything else is left for validation to refuse)."""
    if isinstance(value, str):
        table: dict[str, list[str]] = {}
        for pair in filter(None, (p.strip() for p in value.split(","))):
            gate, equals, name = pair.partition("=")
            if not equals or not gate.strip() or not name.strip():
                raise ValueError(f"{pair!r} is not gate=name (e.g. risk=ana,platform=li)")
            table.setdefault(gate.strip(), []).append(name.strip())
        return table
    if isinstance(value, dict):
        return {g: [n] if isinstance(n, str) else n for g, n in value.items()}
    return value


def split_credentials(url: str) -> tuple[str, str | None]:
    """The URL without its userinfo, and the `user:password` it held (None when it held none)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    stripped = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return stripped, f"{unquote(user)}:{unquote(password)}"


def user_config_file() -> Path:
    """The user's own settings file (trusted): `<user config folder>/gatereview/config.toml`."""
    from platformdirs import user_config_path

    return user_config_path("gatereview") / USER_FILE
SETTING_NAMES: tuple[str, ...] = tuple(Settings.model_fields)


def _from_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise GateReviewError(f"{path}: not valid TOML ({exc})") from exc
    except RecursionError:  # values nested thousands deep: no settings file is
        raise GateReviewError(f"{path}: not a settings file (values nested too deeply)") from None
    except OSError as exc:
        raise GateReviewError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    section = data.get("gatereview", data)
    if not isinstance(section, dict):
        raise GateReviewError(f"{path}: [gatereview] must be a table of settings")
    unknown = sorted(set(section) - set(Settings.model_fields))
    if unknown:
        raise GateReviewError(
            f"{path}: unknown setting {', '.join(unknown)} "
            f"(known: {', '.join(Settings.model_fields)})"
        )
    return section


def _from_repository(path: Path) -> dict[str, Any]:
    """The current directory's settings file, refused if it sets more than limits."""
    values = _from_file(path)
    refused = sorted(set(values) - REPOSITORY_KEYS)
    if refused:
        raise GateReviewError(
            f"{path}: {', '.join(refused)} cannot be set by a settings file in the current "
            f"directory (it may belong to the repository under review); pass --config {path} "
            f"to trust it, or set them in {user_config_file()}"
        )
    return values


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
    repository_file: Path = Path(REPOSITORY_FILE),
) -> Settings:
    """Merge the layers in precedence order and validate once.

    Files: the user's config file, then `config_file` (named by the user, trusted) or else
    the current directory's `gatereview.toml` (limits only).
    """
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    merged.update(_from_file(user_config_file()))
    if config_file is not None:
        if not config_file.is_file():
            raise GateReviewError(f"--config {config_file}: no such file")
        merged.update(_from_file(config_file))
    else:
        merged.update(_from_repository(repository_file))
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
        message = str(first["msg"]).removeprefix("Value error, ")
        raise GateReviewError(f"setting {where}: {message}") from None
