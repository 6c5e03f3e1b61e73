"""Evidence verification: quotes are found in the source and anchored to its real lines."""

from __future__ import annotations

import pytest

from agents.models import Evidence, Finding
from tools.documents import Document, Section
from tools.evidence import (
    FUZZY_THRESHOLD,
    groundedness,
    locate_quote,
    normalise,
    verify_evidence,
    verify_finding,
)
from tools.sections import split_sections

DESIGN = """# Credit triage assistant
## Data
The training data is owned by the **Credit Risk** data team.
Customer records are pseudonymised before they reach the feature store,
and raw identifiers never leave the core banking zone.
## Service levels
Latency target: P95 \u2014 under 3 seconds for \u201cstandard\u201d queries.
The model must be retrained every quarter by the data platform team.
## Change
The model must be retrained every quarter by the data platform team.
Rollback uses the `previous_model` alias in the registry."""

RUNBOOK = """# Runbook
The model must be retrained every quarter by the data platform team.
On-call engineers page the model owner when drift exceeds 0.2 PSI."""


def make_document(path: str, text: str) -> Document:
    """A document built in memory, with one section spanning all its lines."""
    lines = text.split("\n")
    section = Section(path=path, line_start=1, line_end=len(lines), text=text)
    return Document(path=path, kind="markdown", sha256="x", lines=lines, sections=[section])


@pytest.fixture
def documents() -> list[Document]:
    """The design document and a runbook that repeats one of its sentences."""
    return [make_document("docs/design.md", DESIGN), make_document("docs/runbook.md", RUNBOOK)]


def finding(*evidence: Evidence) -> Finding:
    """A data-gate finding resting on the given evidence."""
    return Finding(
        id="data.owners",
        gate="data",
        criterion="data.owners",
        status="met",
        severity="info",
        summary="Owners are named.",
        evidence=list(evidence),
    )


def test_exact_quote_is_anchored_to_its_line(documents: list[Document]) -> None:
    match = locate_quote("raw identifiers never leave the core banking zone", documents)
    assert match is not None
    assert (match.path, match.line_start, match.line_end, match.kind) == (
        "docs/design.md",
        5,
        5,
        "exact",
    )
    assert match.score == 100


def test_quote_spanning_a_line_break_covers_both_lines(documents: list[Document]) -> None:
    quote = "before they reach the feature store,\nand raw identifiers"
    match = locate_quote(quote, documents)
    assert match is not None
    assert (match.line_start, match.line_end, match.kind) == (4, 5, "exact")
    assert match.text == quote


def test_quote_with_a_space_for_the_line_break_is_matched_normalised(
    documents: list[Document],
) -> None:
    match = locate_quote("before they reach the feature store, and raw identifiers", documents)
    assert match is not None
    assert (match.line_start, match.line_end, match.kind) == (4, 5, "normalised")
    assert match.text == "before they reach the feature store,\nand raw identifiers"


@pytest.mark.parametrize(
    ("quote", "line", "source_text"),
    [
        pytest.param(
            'latency target: p95 - under 3 seconds for "standard" queries',
            7,
            "Latency target: P95 \u2014 under 3 seconds for \u201cstandard\u201d queries",
            id="curly-quotes-dash-and-case",
        ),
        pytest.param(
            "owned by the Credit Risk data team",
            3,
            "owned by the **Credit Risk** data team",
            id="markdown-bold-markers",
        ),
        pytest.param(
            "uses the previous_model alias",
            11,
            "uses the `previous_model` alias",
            id="code-span-and-underscore",
        ),
        pytest.param(
            "The   training data  is owned",
            3,
            "The training data is owned",
            id="extra-whitespace",
        ),
    ],
)
def test_normalised_quote_returns_source_text_and_lines(
    documents: list[Document], quote: str, line: int, source_text: str
) -> None:
    match = locate_quote(quote, documents)
    assert match is not None
    assert match.kind == "normalised"
    assert (match.path, match.line_start, match.line_end) == ("docs/design.md", line, line)
    assert match.text == source_text


def test_normalise_maps_every_character_back_to_the_source() -> None:
    text = "a  **B** \u2026 c\u2019s"
    norm, origin = normalise(text)
    assert norm == "a b ... c's"
    assert len(origin) == len(norm)
    assert [text[i] for i in origin[:3]] == ["a", " ", "B"]


def test_fuzzy_quote_with_one_slipped_word_returns_the_source_wording(
    documents: list[Document],
) -> None:
    quote = "Customer records are anonymised before they reach the feature store"
    match = locate_quote(quote, documents)
    assert match is not None
    assert match.kind == "fuzzy"
    assert FUZZY_THRESHOLD <= match.score < 100
    assert match.text == "Customer records are pseudonymised before they reach the feature store,"
    assert (match.line_start, match.line_end) == (4, 4)


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param("The model is retrained weekly by an external vendor.", id="invented"),
        pytest.param("Customer records are deleted after they reach the archive", id="near-miss"),
        pytest.param("data owned by risk", id="too-short-for-fuzzy"),
        pytest.param("   ", id="blank"),
    ],
)
def test_quote_not_in_the_documents_is_not_located(documents: list[Document], quote: str) -> None:
    assert locate_quote(quote, documents) is None


def test_short_quote_with_a_slip_is_not_fuzzy_matched(documents: list[Document]) -> None:
    assert locate_quote("the data platform teem", documents) is not None  # 22 chars: allowed
    assert locate_quote("data platfrm", documents) is None  # under FUZZY_MIN_CHARS


@pytest.mark.parametrize(
    ("path_hint", "line_hint", "expected"),
    [
        pytest.param(None, None, ("docs/design.md", 8), id="no-hint-first-occurrence"),
        pytest.param(None, 10, ("docs/design.md", 10), id="line-hint"),
        pytest.param("docs/runbook.md", None, ("docs/runbook.md", 2), id="path-hint"),
        pytest.param("runbook.md", 2, ("docs/runbook.md", 2), id="file-name-hint"),
        pytest.param("docs/design.md", 11, ("docs/design.md", 10), id="path-and-line-hint"),
    ],
)
def test_hint_picks_among_identical_matches(
    documents: list[Document],
    path_hint: str | None,
    line_hint: int | None,
    expected: tuple[str, int],
) -> None:
    quote = "The model must be retrained every quarter by the data platform team."
    match = locate_quote(quote, documents, path_hint=path_hint, line_hint=line_hint)
    assert match is not None
    assert (match.path, match.line_start) == expected


def test_hint_picks_among_equally_good_fuzzy_matches(documents: list[Document]) -> None:
    quote = "The model must be retrainned every quarter by the data platform team."
    match = locate_quote(quote, documents, path_hint="docs/design.md", line_hint=11)
    assert match is not None
    assert (match.kind, match.path, match.line_start) == ("fuzzy", "docs/design.md", 10)
    assert match.text == "The model must be retrained every quarter by the data platform team."


def test_hint_to_a_document_without_the_quote_still_finds_it(
    documents: list[Document],
) -> None:
    match = locate_quote("drift exceeds 0.2 PSI", documents, path_hint="docs/design.md")
    assert match is not None
    assert (match.path, match.line_start) == ("docs/runbook.md", 3)


def test_verify_evidence_replaces_claimed_lines_with_found_ones(
    documents: list[Document],
) -> None:
    claimed = Evidence(
        path="design.md", line_start=40, line_end=41, quote="owned by the Credit Risk data team"
    )
    verified, kind = verify_evidence(claimed, documents)
    assert kind == "normalised"
    assert verified.verified
    assert (verified.path, verified.line_start, verified.line_end) == ("docs/design.md", 3, 3)
    assert verified.quote == "owned by the **Credit Risk** data team"


def test_verify_evidence_marks_a_hallucinated_quote_unverified(
    documents: list[Document],
) -> None:
    claimed = Evidence(path="docs/design.md", line_start=3, quote="A DPIA was signed off.")
    result, kind = verify_evidence(claimed.model_copy(update={"verified": True}), documents)
    assert kind == "unlocated"
    assert not result.verified
    assert (result.quote, result.line_start) == ("A DPIA was signed off.", 3)


def test_external_evidence_is_returned_untouched(documents: list[Document]) -> None:
    external = Evidence(kind="external", url="https://example.org/a", title="A", quote="owned by")
    result, kind = verify_evidence(external, documents)
    assert kind == "external"
    assert result == external


def test_verify_finding_reports_each_evidence_kind(documents: list[Document]) -> None:
    raw = finding(
        Evidence(quote="raw identifiers never leave the core banking zone"),
        Evidence(quote="The board approved the model in May."),
        Evidence(kind="external", url="https://example.org", quote="-"),
    )
    verified, kinds = verify_finding(raw, documents)
    assert kinds == ["exact", "unlocated", "external"]
    assert [e.verified for e in verified.evidence] == [True, False, False]
    assert not verified.verified


@pytest.mark.parametrize(
    ("verified_flags", "expected"),
    [
        pytest.param([[True, True], [True]], 1.0, id="all-verified"),
        pytest.param([[True, False], [False, True]], 0.5, id="half"),
        pytest.param([[False], []], 0.0, id="none-verified"),
        pytest.param([[], []], None, id="no-evidence"),
    ],
)
def test_groundedness_is_the_share_of_verified_document_evidence(
    verified_flags: list[list[bool]], expected: float | None
) -> None:
    findings = [
        finding(*(Evidence(quote="q", verified=v) for v in flags)) for flags in verified_flags
    ]
    assert groundedness(findings) == expected


def test_groundedness_ignores_external_evidence() -> None:
    external = Evidence(kind="external", url="https://example.org", quote="-")
    assert groundedness([finding(external)]) is None
    assert groundedness([finding(external, Evidence(quote="q", verified=True))]) == 1.0


SOURCE = (
    "The data owner has not been named yet and will be chosen by the Finance Data team in March."
)


def _one_sentence() -> Document:
    """A document holding SOURCE under a title."""
    lines = ["# D", "", SOURCE]
    sections = split_sections("d.md", lines, [(0, 1, "D")], [])
    return Document(path="d.md", kind="markdown", sha256="0" * 64, lines=lines, sections=sections)


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param(SOURCE.replace("has not been", "has been"), id="negation-dropped"),
        pytest.param(SOURCE.replace("will be", "may be"), id="modal-changed"),
        pytest.param(SOURCE.replace("March", "April"), id="name-changed"),
        pytest.param(SOURCE.replace("Finance Data", "Finance Ops"), id="team-changed"),
        pytest.param(SOURCE.replace("the Finance", "the 2 Finance"), id="number-added"),
    ],
)
def test_a_fuzzy_repair_never_changes_what_the_sentence_says(quote: str) -> None:
    assert locate_quote(quote, [_one_sentence()]) is None


@pytest.mark.parametrize(
    "quote",
    [
        pytest.param(SOURCE.replace("yet and", "yet, and"), id="comma"),
        pytest.param(SOURCE.replace("Finance Data team", "finance data team"), id="case"),
        pytest.param(SOURCE.replace("chosen", "choosen"), id="misspelt"),
    ],
)
def test_a_fuzzy_repair_mends_spelling_punctuation_and_case(quote: str) -> None:
    found = locate_quote(quote, [_one_sentence()])
    assert found is not None and found.kind in ("normalised", "fuzzy")
    assert SOURCE.startswith(found.text.rstrip("."))
