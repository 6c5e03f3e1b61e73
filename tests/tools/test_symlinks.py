"""A symbolic link in a reviewed folder that leads outside it is skipped with a note, never read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fakes.files import write
from typer.testing import CliRunner

from main import app
from tools.documents import load_documents
from vocabulary.errors import DocumentError

SECRET = "root-only marker 7f3c: never to be read"


@pytest.fixture(autouse=True)
def _in_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout in its own folder, and a file beside it that no review may read."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (tmp_path / "runner-home").mkdir()
    (tmp_path / "runner-home" / "credentials.md").write_text(f"# Keys\n{SECRET}\n")
    monkeypatch.chdir(checkout)
    monkeypatch.setenv("GATEREVIEW_HOME", str(tmp_path / ".gatereview"))
    write("docs/design.md", "# Design\nThe data team owns the data.\n")
    return checkout


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("/etc/hostname", id="system-file"),
        pytest.param("../../runner-home/credentials.md", id="file-beside-the-checkout"),
        pytest.param("../../runner-home", id="folder-beside-the-checkout"),
    ],
)
def test_a_link_out_of_the_folder_is_skipped_with_a_note(target: str) -> None:
    os.symlink(target, "docs/notes.md" if not target.endswith("home") else "docs/more")
    ingested = load_documents(["docs"])
    assert [d.path for d in ingested.documents] == ["docs/design.md"]
    assert any("symbolic link to outside the reviewed folder" in n for n in ingested.notes)
    assert not any(SECRET in line for d in ingested.documents for line in d.lines)


def test_a_link_that_stays_inside_the_folder_is_read_once() -> None:
    os.makedirs("docs/current")
    write("docs/current/plan.md", "# Plan\nOwners are named below.\n")
    os.symlink("current/plan.md", "docs/latest.md")
    ingested = load_documents(["docs"])
    assert [d.path for d in ingested.documents] == ["docs/current/plan.md", "docs/design.md"]
    assert "skipped docs/latest.md: same as docs/current/plan.md" in ingested.notes


def test_a_named_link_to_a_file_outside_is_a_one_line_error() -> None:
    os.symlink("../../runner-home/credentials.md", "docs/keys.md")
    with pytest.raises(DocumentError, match=r"docs/keys\.md: a symbolic link to a file outside"):
        load_documents(["docs/keys.md"])


def test_the_cli_review_of_a_folder_with_an_escaping_link_never_shows_its_text() -> None:
    os.symlink("../../runner-home/credentials.md", "docs/x.md")
    result = CliRunner().invoke(app, ["review", "docs", "--json"])
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output and "7f3c" not in result.output
    named = CliRunner().invoke(app, ["review", "docs/x.md"])
    assert named.exit_code == 2 and "symbolic link" in named.output
    assert "Traceback" not in named.output
