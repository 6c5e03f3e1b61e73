"""Confluence pages, read in their storage format through the documented REST API (v1, which
Confluence Cloud and Data Center both serve), with httpx.

`GET {CONFLUENCE_URL}/rest/api/content/{id}?expand=body.storage,version,space` gives a page,
`GET .../rest/api/content/{id}/child/page` its children (paged by `_links.next`). httpx rather
than atlassian-python-api: two calls are all that is needed, httpx is already installed, and
the tests can fake the wire with respx (atlassian-python-api uses requests, which respx does
not see). Credentials come from CONFLUENCE_URL, CONFLUENCE_USER and CONFLUENCE_TOKEN (basic
auth with a user; a bearer personal access token without one), are sent to CONFLUENCE_URL's
host only, and are never shown, traced or kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tools.ceilings import DEFAULT_SECONDS
from tools.documents import DEFAULT_MAX_BYTES, Document, parse_document, printable
from tools.origins import Origin
from tools.wiki_client import Client, Wiki, too_large, wiki_from
from vocabulary.errors import DocumentError

PREFIX = "confluence:"
MAX_PAGES = 100  # a design document's page tree; more is a whole space
ENVELOPE = 1024 * 1024  # a page's JSON around its body: version, space, links
_REF = re.compile(r"confluence:(?P<space>[A-Za-z0-9_~.-]+)/(?P<page>\d+)")
_PAGE_PATH = re.compile(r"/spaces/(?P<space>[^/]+)/pages/(?P<page>\d+)")


@dataclass(frozen=True)
class PageRef:
    """A page the user named: its id and, when named, its space key."""

    page_id: str
    space: str | None


def is_reference(given: str) -> bool:
    """Whether a review argument names a Confluence page rather than a file."""
    return given.startswith(PREFIX) or given.startswith(("https://", "http://"))


def parse_reference(given: str, wiki: Wiki) -> PageRef:
    """The page a `confluence:SPACE/ID` reference or a page URL names."""
    if match := _REF.fullmatch(given):
        return PageRef(match["page"], match["space"])
    if given.startswith(PREFIX):
        raise DocumentError(
            f"{printable(given)}: name a page as confluence:SPACE/PAGE_ID (the id is a number)"
        )
    parts = urlsplit(given)
    if f"{parts.scheme}://{parts.netloc}" != wiki.origin:
        raise DocumentError(
            f"{printable(given)}: not on CONFLUENCE_URL's host ({wiki.origin}); "
            "credentials are sent there only"
        )
    if match := _PAGE_PATH.search(parts.path):
        return PageRef(match["page"], match["space"])
    page = parse_qs(parts.query).get("pageId", [""])[0]
    if page.isdigit():
        return PageRef(page, None)
    raise DocumentError(f"{printable(given)}: not a page URL (one with /pages/ID or ?pageId=ID)")


def _page_url(wiki: Wiki, data: dict[str, Any]) -> str:
    links = data.get("_links") or {}
    base = str(links.get("base") or wiki.base)
    if not base.startswith(wiki.origin):
        base = wiki.base
    return base.rstrip("/") + str(
        links.get("webui") or f"/pages/viewpage.action?pageId={data.get('id')}"
    )


def _document(wiki: Wiki, data: dict[str, Any], ref: PageRef, names: set[str], max_bytes: int,
              timeout_s: float) -> Document:  # fmt: skip
    """A fetched page as a Document named by its title (the id added when titles repeat)."""
    what = f"Confluence page {ref.page_id}"
    space = str((data.get("space") or {}).get("key") or "")
    if ref.space and space and space != ref.space:
        raise DocumentError(f"{what}: is in space {space}, not {ref.space}")
    storage = ((data.get("body") or {}).get("storage") or {}).get("value")
    if not isinstance(storage, str):
        raise DocumentError(f"{what}: Confluence sent no storage-format body")
    body = storage.encode("utf-8")
    if len(body) > max_bytes:
        raise DocumentError(too_large(what, len(body), max_bytes))
    title = printable(" ".join(str(data.get("title") or ref.page_id).split()))
    name = title if title not in names else f"{title} (page {ref.page_id})"
    names.add(name)
    origin = Origin(
        source="confluence", repository=wiki.base, page_id=str(data.get("id") or ref.page_id),
        version=int((data.get("version") or {}).get("number") or 0), url=_page_url(wiki, data),
        title=title, space=space or ref.space,
    )  # fmt: skip
    return parse_document(body, name, ".html", max_bytes=max_bytes, timeout_s=timeout_s,
                          origin=origin)  # fmt: skip


def _children(client: Client, page_id: str) -> list[str]:
    """The ids of a page's child pages, every page of results followed."""
    url = f"{client.wiki.base}/rest/api/content/{page_id}/child/page"
    params: dict[str, Any] | None = {"limit": 50, "start": 0}
    found: list[str] = []
    for _ in range(MAX_PAGES):
        data = client.get(url, f"children of Confluence page {page_id}", params)
        found += [str(item["id"]) for item in data.get("results", []) if item.get("id")]
        following = (data.get("_links") or {}).get("next")
        if not following or len(found) >= MAX_PAGES:
            break
        base = str((data.get("_links") or {}).get("base") or client.wiki.base)
        url, params = (
            (base if base.startswith(client.wiki.origin) else client.wiki.base) + following,
            None,
        )
    return found


def confluence_documents(
    given: list[str],
    env: Mapping[str, str],
    *,
    with_children: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_SECONDS,
) -> tuple[list[Document], list[str]]:
    """The pages named (and, with_children, every page below them), and notes saying what
    was read and from where."""
    wiki = wiki_from(env)
    refs = [parse_reference(g, wiki) for g in given]
    client = Client(wiki, timeout_s, max_bytes * 2 + ENVELOPE)  # JSON escapes can double it
    documents: list[Document] = []
    notes: list[str] = []
    names: set[str] = set()
    queue = list(refs)
    seen: set[str] = set()
    try:
        while queue and len(documents) < MAX_PAGES:
            ref = queue.pop(0)
            if ref.page_id in seen:
                continue
            seen.add(ref.page_id)
            params = {"expand": "body.storage,version,space"}
            data = client.get(
                f"{wiki.base}/rest/api/content/{ref.page_id}",
                f"Confluence page {ref.page_id}",
                params,
            )
            document = _document(wiki, data, ref, names, max_bytes, timeout_s)
            documents.append(document)
            notes.extend(f"{document.path}: {note}" for note in document.notes)
            if with_children:
                queue += [PageRef(child, ref.space) for child in _children(client, ref.page_id)]
    finally:
        client.close()
    if queue:
        notes.append(
            f"the page tree has more than {MAX_PAGES} pages: only the first {MAX_PAGES} were read"
        )
    for document in documents:
        origin = document.origin
        assert origin is not None
        notes.insert(
            len(documents) - len(documents) + documents.index(document),
            f"read Confluence page {origin.page_id} version {origin.version} "
            f"({document.path}) from {origin.url}",
        )
    return documents, notes
