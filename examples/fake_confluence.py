"""A stand-in Confluence wiki on 127.0.0.1 for trying `review confluence:...` without one.

Run `python examples/fake_confluence.py` (optionally `--port N`); it prints the environment to
set, then serves the recorded REST responses in tests/fixtures/confluence (a page, 1001, with
two children) until Ctrl-C. Any token is accepted; a request without one gets Confluence's 401.
"""

from __future__ import annotations

import argparse
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

RECORDED = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "confluence"
RECORDED_BASE = "https://example.atlassian.net/wiki"
_PAGE = re.compile(r"/wiki/rest/api/content/(\d+)")
_CHILDREN = re.compile(r"/wiki/rest/api/content/(\d+)/child/page")


def recorded_answer(path: str, query: str, base: str) -> tuple[int, str]:
    """The status and body the recorded wiki gives for a GET, its links pointing at base."""
    if match := _CHILDREN.fullmatch(path):
        start = parse_qs(query).get("start", ["0"])[0]
        names = [f"children-{match[1]}-start-{start}.json", f"children-{match[1]}.json"]
    elif match := _PAGE.fullmatch(path):
        names = [f"page-{match[1]}.json"]
    else:
        names = []
    for name in names:
        if (RECORDED / name).is_file():
            return 200, (RECORDED / name).read_text(encoding="utf-8").replace(RECORDED_BASE, base)
    return 404, (RECORDED / "error-404.json").read_text(encoding="utf-8")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if not self.headers.get("Authorization"):
            status, text = 401, (RECORDED / "error-401.json").read_text(encoding="utf-8")
        else:
            host, port = self.server.server_address[:2]
            status, text = recorded_answer(parts.path, parts.query, f"http://{host}:{port}/wiki")
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"fake confluence: {format % args}\n")


def serve(port: int = 0) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 (port 0: any free port), not yet serving."""
    return ThreadingHTTPServer(("127.0.0.1", port), _Handler)


def main() -> int:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    server = serve(parser.parse_args().port)
    port = server.server_address[1]
    print(f"export CONFLUENCE_URL=http://127.0.0.1:{port}/wiki CONFLUENCE_TOKEN=any-token")
    print("then: python main.py review confluence:ENG/1001 --with-children", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
