"""HTTP to a Confluence wiki: where it is and how to sign in, and GETs that retry on rate
limiting (Retry-After), turn refusals into one line and bound what they read.

The token is read from the environment into request headers or basic auth only: never put in
a message, a trace or a setting. Requests go to CONFLUENCE_URL's host only; a link pointing
elsewhere is not followed (redirects neither).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from tools.ceilings import size_text
from vocabulary.errors import DocumentError

MAX_RETRIES = 3
MAX_WAIT_S = 60.0  # a Retry-After longer than this is not worth waiting for


@dataclass(frozen=True)
class Wiki:
    """Where the wiki is and how to sign in (the token never leaves this object)."""

    base: str
    headers: Mapping[str, str]
    auth: tuple[str, str] | None

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"


def wiki_from(env: Mapping[str, str]) -> Wiki:
    """The wiki's address and credentials from the environment; one line when missing."""
    base = (env.get("CONFLUENCE_URL") or "").strip().rstrip("/")
    token = (env.get("CONFLUENCE_TOKEN") or "").strip()
    user = (env.get("CONFLUENCE_USER") or "").strip()
    if not base or not token:
        missing = " and ".join(
            n for n, v in (("CONFLUENCE_URL", base), ("CONFLUENCE_TOKEN", token)) if not v
        )
        raise DocumentError(
            f"reading Confluence needs {missing} set (and CONFLUENCE_USER on Cloud)"
        )
    if urlsplit(base).scheme not in ("https", "http") or not urlsplit(base).netloc:
        raise DocumentError(
            "CONFLUENCE_URL must be the wiki's address, such as https://example.atlassian.net/wiki"
        )
    headers = {"Accept": "application/json"}
    if not user:
        headers["Authorization"] = f"Bearer {token}"
    return Wiki(base=base, headers=headers, auth=(user, token) if user else None)


class Client:
    """GETs against the wiki: retries on rate limiting, one-line errors, bounded bodies."""

    def __init__(self, wiki: Wiki, timeout_s: float, max_body: int) -> None:
        self.wiki = wiki
        self.max_body = max_body
        self.http = httpx.Client(headers=dict(wiki.headers), auth=wiki.auth, timeout=timeout_s,
                                 follow_redirects=False)  # fmt: skip
        self.requests = 0

    def get(self, url: str, what: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        if not url.startswith(self.wiki.origin + "/"):
            raise DocumentError(
                f"{what}: Confluence pointed outside {self.wiki.origin}; not followed"
            )
        for attempt in range(MAX_RETRIES + 1):
            self.requests += 1
            try:
                with self.http.stream("GET", url, params=params) as response:
                    if response.status_code in (429, 503) and attempt < MAX_RETRIES:
                        wait = _retry_after(response, what)
                        response.close()
                        time.sleep(wait)
                        continue
                    _check_status(response, what)
                    return _json(response, what, self.max_body)
            except httpx.TimeoutException:
                raise DocumentError(f"{what}: Confluence did not answer in time") from None
            except httpx.TransportError as exc:
                raise DocumentError(
                    f"{what}: cannot reach {self.wiki.origin} ({type(exc).__name__})"
                ) from None
        raise DocumentError(
            f"{what}: Confluence kept rate limiting after {MAX_RETRIES} retries; try later"
        )

    def close(self) -> None:
        self.http.close()


def _retry_after(response: httpx.Response, what: str) -> float:
    value = response.headers.get("Retry-After", "1").strip()
    wait = float(value) if value.replace(".", "", 1).isdigit() else 1.0
    if wait > MAX_WAIT_S:
        raise DocumentError(
            f"{what}: Confluence is rate limiting (retry after {value} s); try again later"
        )
    return wait


def _check_status(response: httpx.Response, what: str) -> None:
    status = response.status_code
    if status < 300:
        return
    if status == 401:
        raise DocumentError(
            f"{what}: Confluence refused the credentials (HTTP 401); "
            "check CONFLUENCE_USER and CONFLUENCE_TOKEN"
        )
    if status == 403:
        raise DocumentError(f"{what}: this user may not read it (HTTP 403)")
    if status == 404:
        raise DocumentError(f"{what}: no such page, or not visible to this user (HTTP 404)")
    if status == 429:
        raise DocumentError(
            f"{what}: Confluence kept rate limiting after {MAX_RETRIES} retries; try later"
        )
    raise DocumentError(f"{what}: Confluence answered HTTP {status}")


def _json(response: httpx.Response, what: str, limit: int) -> dict[str, Any]:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise DocumentError(too_large(what, int(declared), limit))
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        if len(body) > limit:
            raise DocumentError(too_large(what, len(body), limit))
    try:
        data = httpx.Response(200, content=bytes(body)).json()
    except ValueError:
        raise DocumentError(f"{what}: Confluence's answer is not JSON") from None
    if not isinstance(data, dict):
        raise DocumentError(f"{what}: Confluence's answer is not a JSON object")
    return data


def too_large(what: str, size: int, limit: int) -> str:
    limit_text = f"the limit is {size_text(limit)}, raise it with --max-bytes"
    return f"{what}: too large ({size_text(size)}; {limit_text})"
