"""Reading cost per format: seconds to turn 10k words into a document, for every source.

The same 10k words of design writing (`corpus.long_document`) are written as Markdown, DOCX,
PDF, HTML, PPTX and ODT (by the eval writers), committed to a git repository, and served as a
Confluence page by a loopback wiki; each is then read the way `review` reads it (in process,
after a warm-up that pays the imports), and the median time is scaled to 10k words of the
text it yields. Run alone: `python bench/formats.py`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import corpus  # noqa: E402

from evals.make_docx import write_docx  # noqa: E402
from evals.make_html import html_page, write_html  # noqa: E402
from evals.make_odt import write_odt  # noqa: E402
from evals.make_pdf import pdf_bytes  # noqa: E402
from evals.make_pptx import write_pptx  # noqa: E402
from tools.documents import Document, load_documents  # noqa: E402

WORDS = 10_000
GOAL_S = 1.0  # reading must stay a small part of a review (50k words in under 2 s offline)
Reader = Callable[[], list[Document]]


def _files(text: str, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        kind: folder / f"design.{kind}" for kind in ("md", "docx", "pdf", "html", "pptx", "odt")
    }
    paths["md"].write_text(text, encoding="utf-8")
    write_docx(text, paths["docx"])
    paths["pdf"].write_bytes(pdf_bytes(text.replace("# ", "")))
    write_html(text, paths["html"])
    write_pptx(text, paths["pptx"])
    write_odt(text, paths["odt"])
    return paths


def _repository(text: str, folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "design.md").write_text(text, encoding="utf-8")
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "design"]):
        subprocess.run(["git", "-C", str(folder), "-c", "user.name=b", "-c", "user.email=b@b",
                        *args], check=True)  # fmt: skip
    return folder


@contextmanager
def _wiki(storage: str) -> Iterator[str]:
    """A loopback wiki serving one page (id 1) whose storage body is `storage`."""
    page = {"id": "1", "type": "page", "title": "Design", "space": {"key": "B"},
            "version": {"number": 1}, "body": {"storage": {"value": storage,
            "representation": "storage"}}, "_links": {"webui": "/spaces/B/pages/1"}}  # fmt: skip
    data = json.dumps(page).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/wiki"
    finally:
        server.shutdown()
        server.server_close()


def _words(documents: list[Document]) -> int:
    return sum(len(line.split()) for d in documents for line in d.lines)


def _timed(read: Reader, repeats: int) -> tuple[float, int]:
    """The median seconds of `read` (after one warm-up) and the words it yields."""
    documents = read()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    return statistics.median(times), _words(documents)


def seconds_per_10k_words(repeats: int = 3) -> dict[str, float]:
    """Per format and source, the seconds it takes to read 10k words of its text."""
    return {name: seconds * WORDS / max(words, 1) for name, (seconds, words) in
            measure(repeats).items()}  # fmt: skip


def measure(repeats: int = 3) -> dict[str, tuple[float, int]]:
    """Per format and source, the median seconds to read the 10k-word text and its words."""
    from tools.confluence import confluence_documents
    from tools.git_source import git_documents

    text = corpus.long_document(WORDS)
    figures: dict[str, tuple[float, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        readers: dict[str, Reader] = {
            f".{kind}": (lambda p=path: load_documents([p]).documents)
            for kind, path in _files(text, folder / "files").items()
        }
        repo = _repository(text, folder / "repo")
        readers["git --rev"] = lambda: git_documents(repo, "HEAD").documents
        storage = html_page(text).split('class="wiki-content">', 1)[1]
        with _wiki(storage) as base:
            env = {"CONFLUENCE_URL": base, "CONFLUENCE_TOKEN": "bench"}
            readers["confluence page"] = lambda: confluence_documents(["confluence:B/1"], env)[0]
            for name, read in readers.items():
                figures[name] = _timed(read, repeats)
    return figures


if __name__ == "__main__":
    for name, seconds in seconds_per_10k_words().items():
        print(f"{name:<16} {seconds:.3f} s per 10k words")
