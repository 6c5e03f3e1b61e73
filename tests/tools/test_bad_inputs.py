"""Bad input through the real CLI: refused with one line and exit 2, or accepted with notes.

Every case builds its input in a temporary folder, runs `review PATH` on `main.app` and checks
the outcome, the message, the time taken and that a refused input leaves no run behind.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pathlib
import random
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import pytest
from fakes.bombs import docx_of_paragraphs, pdf_with_stream
from fakes.files import write
from fakes.pdfs import blank_pdf, encrypted_pdf, make_pdf
from typer.testing import CliRunner, Result

from main import app

ROOT = Path(__file__).resolve().parents[2]
GOOD = (ROOT / "tests" / "fixtures" / "docs" / "demo.md").read_text(encoding="utf-8")

runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in the test's folder so the CLI shows paths relative to it, as a user would see."""
    monkeypatch.chdir(tmp_path)


def pdf_page(lines: list[str]) -> bytes:
    """A one-page text PDF."""
    return make_pdf([lines])


PLAN = ["Model Serving Plan", "The data team owns the data.", "Budget is 200 USD a day."]


def docx_bytes(*paragraphs: str) -> bytes:
    """A Word document with the given paragraphs (none: a document with no text)."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    """A valid ZIP archive that is not a Word document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a word document")
    return buffer.getvalue()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def unreadable(monkeypatch: pytest.MonkeyPatch) -> str:
    """A file the user may not read; root reads anything, so the refusal is faked for root."""
    name = str(write("docs/secret.md", GOOD))
    Path(name).chmod(0)
    if os.geteuid() == 0:
        original = pathlib.Path.read_bytes

        def refuse(self: Path) -> bytes:
            if self.name == "secret.md":
                raise PermissionError(13, "Permission denied")
            return original(self)

        monkeypatch.setattr(pathlib.Path, "read_bytes", refuse)
    return name


def unreadable_folder(monkeypatch: pytest.MonkeyPatch) -> str:
    """A folder the user may not list (faked for root, as above)."""
    write("locked/plan.md", GOOD)
    Path("locked").chmod(0)
    if os.geteuid() == 0:
        original = os.scandir

        def refuse(path: Any = ".") -> Any:
            if isinstance(path, str | Path) and Path(path).name == "locked":
                raise PermissionError(13, "Permission denied")
            return original(path)

        monkeypatch.setattr(os, "scandir", refuse)
    return "locked"


def symlink_loop_folder(_mp: pytest.MonkeyPatch) -> str:
    """A folder whose only entries link back to the folder and its parent."""
    Path("loop").mkdir(exist_ok=True)
    os.symlink("..", "loop/up")
    os.symlink(".", "loop/self")
    return "loop"


def symlink_loop_with_document(mp: pytest.MonkeyPatch) -> str:
    """The looping folder above, holding one real document."""
    write("loop/plan.md", GOOD)
    return symlink_loop_folder(mp)


def symlink_loop_file(_mp: pytest.MonkeyPatch) -> str:
    """Two links pointing at each other."""
    os.symlink("b.md", "a.md")
    os.symlink("a.md", "b.md")
    return "a.md"


def dangling_symlink(_mp: pytest.MonkeyPatch) -> str:
    """A link to a file that does not exist."""
    os.symlink("gone.md", "link.md")
    return "link.md"


def fifo(_mp: pytest.MonkeyPatch) -> str:
    """A named pipe: opening it for reading would block forever."""
    os.mkfifo("pipe.md")
    return "pipe.md"


def empty_folder(_mp: pytest.MonkeyPatch) -> str:
    """A folder with nothing in it."""
    Path("nothing").mkdir()
    return "nothing"


def folder_of_pictures(_mp: pytest.MonkeyPatch) -> str:
    """A folder holding only unsupported files."""
    write("assets/diagram.png", PNG)
    write("assets/.hidden.md", GOOD)
    return "assets"


def folder_with_corrupt_pdf(_mp: pytest.MonkeyPatch) -> str:
    """A good document next to a PDF that is only a header."""
    write("docs/plan.md", GOOD)
    write("docs/broken.pdf", b"%PDF-1.4\n")
    return "docs"


def folder_with_fifo_and_binary(_mp: pytest.MonkeyPatch) -> str:
    """A good document, a binary file without a suffix and a named pipe."""
    write("mixed/plan.md", GOOD)
    write("mixed/blob", b"\x00\x01" * 50)
    os.mkfifo("mixed/pipe")
    return "mixed"


def good_then_missing(_mp: pytest.MonkeyPatch) -> str:
    """A good document exists, but the path given is missing."""
    write("good.md", GOOD)
    return "missing.md"


def undecodable_name(_mp: pytest.MonkeyPatch) -> str:
    """A folder holding a document whose file name is not valid UTF-8."""
    Path("names").mkdir()
    with open(os.path.join(b"names", b"caf\xe9 plan.md"), "wb") as handle:
        handle.write(GOOD.encode())
    return "names"


def bidi_name(_mp: pytest.MonkeyPatch) -> str:
    """A document whose name uses a right-to-left override to pose as a PDF."""
    return str(write("plan\u202efdp.md", GOOD))


def truncated_docx() -> bytes:
    """The first half of a real Word document."""
    data = docx_bytes("Model serving plan", "The data team owns the data.")
    return data[: len(data) // 2]


def nested_list_bomb() -> str:
    """Markdown that nests list items 2,000 deep, then a heading and a paragraph."""
    items = "".join("  " * depth + f"- level {depth}\n" for depth in range(2_000))
    return "# Nested lists\n\n" + items + "\n# After\n\nThe data team owns the data.\n"


def parser_bombs() -> str:
    """Deep block quotes, unclosed brackets, emphasis runs and a long backtick run."""
    lines = [">" * 100_000 + " quoted", "[" * 100_000 + "link", "*_" * 100_000, "`" * 50_000]
    return "# Bombs\n\n" + "\n\n".join(lines) + "\n"


@dataclass(frozen=True)
class Case:
    """One bad input: how to build it, what to pass, and the expected outcome."""

    make: Callable[[pytest.MonkeyPatch], str]
    problem: str | None = None  # part of the error line; None when the input is accepted
    shown: str | None = None  # the path named in the error or the report (default: as given)
    notes: tuple[str, ...] = ()  # notes an accepted input must produce
    args: tuple[str, ...] = ()


def file(name: str, content: str | bytes | Callable[[], str | bytes]) -> Callable[..., str]:
    """A maker that writes one file and gives its name."""
    return lambda _mp: str(write(name, content() if callable(content) else content))


def given(name: str) -> Callable[..., str]:
    """A maker that creates nothing: the path is passed as it is."""
    return lambda _mp: name


CJK = "# 設計\n\n" + "数据由数据团队负责。" * 40
LATIN = "# Résumé du modèle\n\nLes données sont gérées par l'équipe.\n\n" + GOOD

REFUSED: dict[str, Case] = {
    "empty-file": Case(file("empty.md", b""), "empty document"),
    "whitespace-only": Case(file("blank.md", " \n\t\n\r\n   \n"), "empty document"),
    "binary-random-bytes": Case(
        file("noise.txt", random.Random(6).randbytes(4096)), "binary file, not a text document"
    ),
    "nul-bytes-in-text": Case(
        file("nul.md", "# Plan\n\nThe data team\x00\x00 owns the data.\n"),
        "binary file, not a text document",
    ),
    "invalid-utf8-high-bytes": Case(
        file("high.md", bytes(b | 0x80 for b in random.Random(8).randbytes(2048))),
        "not UTF-8 and does not look like Latin text",
    ),
    "shift-jis-text": Case(
        file("sjis.txt", "設計書の概要です。データはチームが管理します。".encode("shift_jis")),
        "not UTF-8 and does not look like Latin text",
    ),
    "png-named-md": Case(file("diagram.md", PNG), "binary file, not a text document"),
    "gzip-named-md": Case(
        file("plan.md", gzip.compress(GOOD.encode(), mtime=0)), "not a text document"
    ),
    "control-characters-throughout": Case(
        file("ctl.txt", "".join(chr(c) for c in range(1, 9)) * 50 + "text\n"),
        "binary file, not a text document",
    ),
    "pdf-zero-byte": Case(file("empty.pdf", b""), "corrupt PDF (the file is empty)"),
    "pdf-encrypted": Case(
        file("locked.pdf", lambda: encrypted_pdf("secret")), "encrypted PDF (remove the password"
    ),
    "pdf-no-text-layer": Case(file("scan.pdf", blank_pdf), "scanned documents need OCR"),
    "pdf-truncated": Case(
        file("cut.pdf", lambda: pdf_page(PLAN)[:300]), "corrupt PDF (truncated, no %%EOF marker"
    ),
    "pdf-that-is-text": Case(file("notes.pdf", GOOD), "corrupt PDF (not a PDF file: no %PDF"),
    "docx-corrupt": Case(
        file("broken.docx", random.Random(7).randbytes(2048)), "corrupt DOCX (not a ZIP archive)"
    ),
    "docx-zip-renamed": Case(
        file("archive.docx", zip_bytes), "corrupt DOCX (a ZIP archive but not a Word document"
    ),
    "docx-truncated": Case(file("half.docx", truncated_docx), "corrupt DOCX ("),
    "docx-no-text": Case(file("blank.docx", docx_bytes), "empty document"),
    "docx-zero-byte": Case(file("zero.docx", b""), "corrupt DOCX (the file is empty)"),
    "over-max-bytes": Case(
        file("big.md", GOOD * 10),
        "too large (2320 bytes; the limit is 1000 bytes",
        args=("--max-bytes", "1000"),
    ),
    "unsupported-type": Case(file("diagram.png", PNG), "unsupported type .png"),
    "folder-without-documents": Case(folder_of_pictures, "no supported documents in folder"),
    "empty-folder": Case(empty_folder, "no supported documents in folder"),
    "missing-path": Case(given("docs/missing.md"), "no such file or directory"),
    "dangling-symlink": Case(dangling_symlink, "no such file or directory"),
    "symlink-loop-folder": Case(symlink_loop_folder, "no supported documents in folder"),
    "symlink-loop-file": Case(symlink_loop_file, "Too many levels of symbolic links"),
    "unreadable-file": Case(unreadable, "cannot read (permission denied)"),
    "unreadable-folder": Case(unreadable_folder, "cannot read (permission denied)"),
    "fifo": Case(fifo, "not a regular file"),
    "character-device": Case(given("/dev/null"), "not a regular file"),
    "good-file-then-missing-one": Case(good_then_missing, "no such file or directory"),
    "folder-with-a-corrupt-pdf": Case(
        folder_with_corrupt_pdf, "corrupt PDF (", shown="docs/broken.pdf"
    ),
    "newline-in-missing-name": Case(
        given("bad\nname.md"), "no such file or directory", shown="bad\\nname.md"
    ),
    "rich-markup-in-missing-name": Case(given("[/bold]plan[red].md"), "no such file or directory"),
    "docx-zip-bomb": Case(
        lambda _mp: str(docx_of_paragraphs(Path("bomb.docx"), "x", 64 << 20)),
        "more than 20.0 MiB (20971520 bytes) (4 times --max-bytes): a compression bomb",
    ),
    "docx-bomb-against-a-lower-max-bytes": Case(
        lambda _mp: str(docx_of_paragraphs(Path("long.docx"), "The owner.", 2 << 20)),
        "a compression bomb, or raise --max-bytes",
        args=("--max-bytes", "200000"),
    ),
    "pdf-flate-bomb": Case(
        lambda _mp: str(pdf_with_stream(Path("bomb.pdf"), 32 << 20)),
        "a PDF stream expands beyond 20.0 MiB",
    ),
    "docx-text-longer-than-max-bytes": Case(
        lambda _mp: str(docx_of_paragraphs(Path("wordy.docx"), "The owner checks. " * 9, 800_000)),
        "characters of text, more than --max-bytes (600000) allows",
        args=("--max-bytes", "600000"),
    ),
    "reading-past-the-time-budget": Case(
        file("slow.md", GOOD), "took longer than 1e-06 s", args=("--document-timeout", "0.000001")
    ),
}


ACCEPTED: dict[str, Case] = {
    "latin-1": Case(file("latin.md", LATIN.encode("latin-1")), notes=("decoded as Latin-1",)),
    "windows-1252": Case(
        file(
            "smart.txt",
            ("\u201cSmart quotes\u201d \u2013 and a euro sign €.\n\n" + GOOD).encode("cp1252"),
        ),
        notes=("decoded as Windows-1252",),
    ),
    "utf-8-with-one-stray-byte": Case(
        file("stray.md", LATIN.encode().replace(b"\n\n", b"\n\xff\n", 1)),
        notes=("1 invalid UTF-8 byte sequence(s) replaced with U+FFFD (first on line 2)",),
    ),
    "utf-8-cut-mid-character": Case(
        file("cut.md", CJK.encode()[:-1]), notes=("invalid UTF-8 byte sequence(s) replaced",)
    ),
    "utf-8-bom": Case(file("bom8.md", b"\xef\xbb\xbf" + GOOD.encode())),
    "utf-16-le-bom": Case(file("wide.md", LATIN.encode("utf-16"))),
    "utf-16-be-bom": Case(file("wide-be.txt", b"\xfe\xff" + LATIN.encode("utf-16-be"))),
    "utf-16-le-no-bom": Case(
        file("wide-nobom.md", LATIN.encode("utf-16-le")),
        notes=("decoded as UTF-16 LE (the file has no byte order mark)",),
    ),
    "utf-32-bom": Case(file("wide32.md", LATIN.encode("utf-32"))),
    "crlf-and-cr-line-endings": Case(
        file("dos.md", GOOD.replace("\n", "\r\n") + GOOD.replace("\n", "\r"))
    ),
    # A megabyte line of words takes the offline reviewer 6 s (tools.retrieval): see issue 6.
    "200-kb-line-of-words": Case(file("long.md", "# Plan\n\n" + "data owner " * 19_000 + "\n")),
    "megabyte-line-without-spaces": Case(file("blob.txt", "x" * 1_000_000 + "\n")),
    "ten-thousand-headings": Case(
        file("many.md", "".join(f"# Heading {n}\nbody {n}\n" for n in range(10_000))),
        notes=("merged 10000 sections into at most",),
    ),
    "nested-list-bomb": Case(file("lists.md", nested_list_bomb)),
    "parser-bombs": Case(file("bombs.md", parser_bombs)),
    "hundred-thousand-blank-lines": Case(file("tall.md", "# Plan\n" + "\n" * 100_000 + "end\n")),
    "a-few-control-characters": Case(
        file("ansi.md", "# Plan\n\n\x1b[31mThe data team\x1b[0m owns\x07 the data.\n\n" + GOOD),
        notes=("removed 3 control characters (line 3)",),
    ),
    "right-to-left-override": Case(
        file("rtl.md", "# Plan\n\nApproved by \u202eksir on\u202c the team.\n\n" + GOOD),
        notes=("removed 2 bidirectional control characters (line 3)",),
    ),
    "folder-with-fifo-and-binary": Case(
        folder_with_fifo_and_binary,
        notes=("skipped mixed/blob: binary file", "skipped mixed/pipe: not a regular file"),
    ),
    "folder-with-symlink-loop-and-a-document": Case(
        symlink_loop_with_document, notes=("folder already visited (symbolic link loop)",)
    ),
    "file-name-not-utf8": Case(undecodable_name, shown="names/caf\\udce9 plan.md"),
    "file-name-with-rtl-override": Case(bidi_name, shown="plan\\u202efdp.md"),
    "docx-with-text": Case(file("plan.docx", lambda: docx_bytes("Model serving plan", GOOD))),
    "pdf-with-text": Case(file("plan.pdf", lambda: pdf_page(PLAN))),
}


# Cases that need a change outside tools/: they flip to passing when it lands.
PENDING: dict[str, str] = {}


def params(cases: dict[str, Case]) -> list[Any]:
    """Parameters with readable ids; pending cases are strict xfails."""
    return [
        pytest.param(
            case,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=PENDING[name])] if name in PENDING else [],
        )
        for name, case in cases.items()
    ]


def review(path: str, *args: str) -> Result:
    """Run `review` through the CLI in-process."""
    return runner.invoke(app, ["review", path, *args])


def runs_listed() -> list[dict]:
    """The runs the workspace holds, through the CLI."""
    result = runner.invoke(app, ["runs", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["runs"] if result.stdout.strip().startswith("{") else []


def assert_no_traceback(result: Result) -> None:
    """No exception escaped the CLI and nothing looks like a traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("case", params(REFUSED))
def test_refused_input_is_one_line_exit_2_and_leaves_nothing(
    case: Case, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = case.make(monkeypatch)
    result = review(given, *case.args)
    assert_no_traceback(result)
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    shown = case.shown or given
    assert errors[0].startswith(f"error: {shown}: "), errors[0]
    assert case.problem is not None and case.problem in errors[0]
    assert "\n" not in errors[0] and len(lines) <= 2  # "Reviewing ..." and the error line
    assert not workspace.exists(), sorted(p.name for p in workspace.rglob("*"))
    assert runs_listed() == []


@pytest.mark.parametrize("case", params(ACCEPTED))
def test_odd_but_readable_input_is_reviewed_with_notes(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    given = case.make(monkeypatch)
    result = review(given, "--json", *case.args)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.stderr
    view = json.loads(result.stdout)
    assert view["state"] == "awaiting_decision"
    assert view["documents"] and all(d["sections"] >= 1 for d in view["documents"])
    if case.shown:
        assert [d["path"] for d in view["documents"]] == [case.shown]
    notes = " | ".join(view["notes"])
    for note in case.notes:
        assert note in notes, notes


def test_refused_input_keeps_earlier_runs_and_adds_none(workspace: Path) -> None:
    write("good.md", GOOD)
    first = review("good.md", "--json")
    assert first.exit_code == 0, first.stderr
    run_id = json.loads(first.stdout)["run_id"]
    write("empty.md", "")
    result = review("empty.md")
    assert result.exit_code == 2 and "error: empty.md: empty document" in result.stderr
    assert [r["run_id"] for r in runs_listed()] == [run_id]
    assert [p.stem for p in (workspace / "traces").glob("*.jsonl")] == [run_id]


def test_real_process_refuses_binary_input_without_a_traceback(
    tmp_path: Path, workspace: Path
) -> None:
    write("diagram.md", PNG)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "review", "diagram.md"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        env={**os.environ, "GATEREVIEW_HOME": str(workspace)},
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == (
        "error: diagram.md: binary file, not a text document"
    )
    assert "Traceback" not in done.stderr
    assert not workspace.exists()


def test_notes_print_file_names_with_brackets_as_they_are() -> None:
    write("docs/plan.md", GOOD)
    write("docs/[bold]chart[red].png", PNG)
    result = review("docs")
    assert result.exit_code == 0, result.stderr
    assert "note: skipped docs/[bold]chart[red].png: unsupported type .png" in result.stderr
