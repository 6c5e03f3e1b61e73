"""Locations that hold: lines as an editor counts them, only loaded paths, lines inside them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.files import write

from agents.models import Evidence
from tools.documents import Document, load_document
from tools.evidence import verify_evidence
from tools.locations import UNLOCATED, place_evidence


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


SEPARATORS_INSIDE_LINES = [
    pytest.param("\u2028", id="line-separator"),
    pytest.param("\u2029", id="paragraph-separator"),
    pytest.param("\x85", id="next-line"),
    pytest.param("\x0c", id="form-feed"),
    pytest.param("\x0b", id="vertical-tab"),
]


@pytest.mark.parametrize("separator", SEPARATORS_INSIDE_LINES)
def test_separators_inside_a_line_do_not_start_a_line(separator: str) -> None:
    text = f"# Data\nIntro{separator}still line two.\nThe data owner is Ana Ruiz.\n"
    document = load_document(write("d.md", text), "d.md")
    assert len(document.lines) == text.count("\n") == 3  # what wc -l says
    owner = Evidence(path="d.md", quote="The data owner is Ana Ruiz.")
    found, _ = verify_evidence(owner, [document])
    assert place_evidence(found, [document]).location == "d.md:3"


@pytest.mark.parametrize(
    ("raw", "lines"),
    [
        pytest.param(b"a\nb\n", ["a", "b"], id="lf-final-break-ends-the-last-line"),
        pytest.param(b"a\r\nb\r\n", ["a", "b"], id="crlf"),
        pytest.param(b"a\rb\r", ["a", "b"], id="cr"),
        pytest.param(b"a\nb", ["a", "b"], id="no-final-break"),
        pytest.param(b"a\n\n", ["a", ""], id="blank-last-line"),
    ],
)
def test_lines_are_split_only_at_line_breaks_as_an_editor_counts(
    raw: bytes, lines: list[str]
) -> None:
    assert load_document(write("t.txt", raw), "t.txt").lines == lines


def _document() -> Document:
    text = "# Data\nThe data owner is Ana Ruiz.\n"
    return load_document(write("docs/design.md", text), "docs/design.md")


@pytest.mark.parametrize(
    ("path", "start", "end"),
    [
        pytest.param("../../etc/passwd", 2, 2, id="a-path-that-was-not-loaded"),
        pytest.param("docs/design.md", -3, -3, id="a-negative-line"),
        pytest.param("docs/design.md", 0, 1, id="line-zero"),
        pytest.param("docs/design.md", 2, 9, id="past-the-end"),
        pytest.param("docs/design.md", 2, 1, id="end-before-start"),
    ],
)
def test_evidence_outside_the_loaded_documents_is_unverified_and_unlocated(
    path: str, start: int, end: int
) -> None:
    document = _document()
    claim = Evidence(path=path, line_start=start, line_end=end, quote="x", verified=True)
    placed = place_evidence(claim, [document])
    assert not placed.verified and placed.line_start is None
    assert placed.path in (None, "docs/design.md")
    assert "passwd" not in placed.location and "-3" not in placed.location


def test_a_models_claimed_path_is_never_shown_only_where_the_quote_was_found() -> None:
    document = _document()
    claim = Evidence(path="../../etc/passwd", quote="The data owner is Ana Ruiz.")
    found, kind = verify_evidence(claim, [document])
    assert kind == "exact" and found.path == "docs/design.md"
    claim = Evidence(path="../../etc/passwd", quote="An owner nobody wrote about.")
    missing, kind = verify_evidence(claim, [document])
    assert kind == "unlocated" and not missing.verified
    assert place_evidence(missing, [document]).location == UNLOCATED
