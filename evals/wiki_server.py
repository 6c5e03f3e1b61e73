"""A Confluence wiki on 127.0.0.1 answering from recorded REST responses in a folder.

The folder holds `page-{id}.json` (`GET /wiki/rest/api/content/{id}`), `children-{id}.json`
or `children-{id}-start-{n}.json` (`.../child/page`), and `error-401.json`, `error-404.json`;
links recorded against `https://example.atlassian.net/wiki` are rewritten to the server's own
address. Used by eval cases of Confluence pages and by `examples/fake_confluence.py`.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

RECORDED_BASE = "https://example.atlassian.net/wiki"
_PAGE = re.compile(r"/wiki/rest/api/content/(\d+)")
_CHILDREN = re.compile(r"/wiki/rest/api/content/(\d+)/child/page")


def recorded_answer(folder: Path, path: str, query: str, base: str) -> tuple[int, str]:
    """The status and body the recorded wiki gives for a GET, its links pointing at base."""
    if match := _CHILDREN.fullmatch(path):
        start = parse_qs(query).get("start", ["0"])[0]
        names = [f"children-{match[1]}-start-{start}.json", f"children-{match[1]}.json"]
    elif match := _PAGE.fullmatch(path):
        names = [f"page-{match[1]}.json"]
    else:
        names = []
    for name in names:
        if (folder / name).is_file():
            return 200, (folder / name).read_text(encoding="utf-8").replace(RECORDED_BASE, base)
    missing = folder / "error-404.json"
    return 404, missing.read_text(encoding="utf-8") if missing.is_file() else "{}"


def wiki_server(folder: Path, port: int = 0, *, quiet: bool = True) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 (port 0: any free port) for the recorded folder, not yet serving."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            parts = urlsplit(self.path)
            if not self.headers.get("Authorization"):
                refused = folder / "error-401.json"
                text = refused.read_text(encoding="utf-8") if refused.is_file() else "{}"
                status = 401
            else:
                host, bound = self.server.server_address[:2]
                base = f"http://{host}:{bound}/wiki"
                status, text = recorded_answer(folder, parts.path, parts.query, base)
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # http.server's name
            if not quiet:
                sys.stderr.write(f"wiki: {format % args}\n")

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve the recorded folder on a free port for the block; yields the wiki's base URL."""
    server = wiki_server(folder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/wiki"
    finally:
        server.shutdown()
        server.server_close()
