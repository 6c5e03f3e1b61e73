"""The last safety net before a trace line is written: no credential reaches the file."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

MASK = "[REDACTED]"
MIN_SECRET_LENGTH = 8

# Normalised (lower case, no '_', '-', '.') fragments of attribute keys that hold credentials.
_SECRET_KEY_FRAGMENTS = (
    "apikey",
    "authorization",
    "secret",
    "password",
    "passwd",
    "accesstoken",
    "refreshtoken",
    "bearertoken",
    "privatekey",
    "credential",
)
_SECRET_ENV_NAME = re.compile(r"(API_?KEY|TOKEN|SECRET|PASSWORD|ACCESS_KEY)", re.IGNORECASE)
# Credential shapes masked even when no environment variable holds them.
_SECRET_SHAPES = re.compile(
    r"sk-[A-Za-z0-9_\-]{16,}"
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/\-]{16,}=*"
    r"|AKIA[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"
)


def is_secret_key(key: str) -> bool:
    """Whether an attribute key names a credential (api_key, authorization, ...)."""
    normalised = re.sub(r"[_\-.\s]", "", key.lower())
    return any(fragment in normalised for fragment in _SECRET_KEY_FRAGMENTS)


def secret_env_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """Values of key-like environment variables, longest first (so overlaps mask fully)."""
    env = os.environ if environ is None else environ
    values = {
        value
        for name, value in env.items()
        if _SECRET_ENV_NAME.search(name) and len(value) >= MIN_SECRET_LENGTH
    }
    return sorted(values, key=len, reverse=True)


def mask_text(text: str, secrets: list[str]) -> str:
    """Replace every known secret value and credential-shaped token in a string."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return _SECRET_SHAPES.sub(MASK, text)


def _scrub(value: Any, secrets: list[str]) -> Any:
    """Recursively drop secret keys and mask secret values."""
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, Mapping):
        return {
            mask_text(str(key), secrets): _scrub(item, secrets)
            for key, item in value.items()
            if not is_secret_key(str(key))
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, secrets) for item in value]
    return value


def redact_secrets(
    attributes: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    *,
    secrets: list[str] | None = None,
) -> dict[str, Any]:
    """Drop credential-named keys (at any depth) and mask key-like env values and key shapes;
    `secrets` are those values when already known (`secret_env_values` reads the environment)."""
    known = secret_env_values(environ) if secrets is None else secrets
    return _scrub(dict(attributes), known)
