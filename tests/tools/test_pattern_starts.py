"""Scanning only where a match can start finds exactly what scanning everywhere finds."""

# ruff: noqa: RUF001  (look-alike and non-ASCII letters are what some of these tests are about)

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fakes.corpus import bench_corpus
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.folding import fold
from guard.injection import load_patterns
from tools.documents import load_documents
from tools.pattern_starts import TextWords, WordPrefixes, finditer, may_match, pattern_starts

ROOT = Path(__file__).resolve().parents[2]
corpus = bench_corpus()  # the bench's long design documents

_, COMPILED = load_patterns()
PATTERNS = [pytest.param(name, id=name) for name in COMPILED]


def same_matches(regex: re.Pattern[str], text: str) -> None:
    """Assert the filtered scan yields the full scan's matches, span for span."""
    everywhere = [(m.span(), m.group()) for m in regex.finditer(text)]
    if everywhere:  # the short-text filter never rules out a text the pattern matches
        assert may_match(pattern_starts(regex), text, WordPrefixes(text))
    filtered = [
        (m.span(), m.group()) for m in finditer(regex, pattern_starts(regex), TextWords(text))
    ]
    assert filtered == everywhere


def test_a_pattern_after_a_word_boundary_is_tried_only_where_a_key_word_starts() -> None:
    starts = pattern_starts(re.compile(r"\b(?:ignore|skip)s?\s+rules", re.IGNORECASE))
    assert starts is not None
    assert starts.keys == {"igno", "skip"}
    assert starts.first is None
    words = TextWords("Please IGNORE rules; reskip rules; skip rules")
    assert words.candidates(starts) == [7, 35]


def test_a_key_without_a_word_boundary_is_looked_for_anywhere() -> None:
    starts = pattern_starts(re.compile(r'\{\s*"verdict"|忽略指令', re.IGNORECASE))
    assert starts is not None
    assert starts.keys == set()
    assert starts.inside == {"{", '{"ve'}  # the optional space may or may not be there
    assert TextWords('x{ "verdict", x{"VERDICT"').candidates(starts) == [1, 15]
    assert 1 in TextWords("请忽略指令").candidates(starts)  # beyond ASCII: the engine decides


@pytest.mark.parametrize(
    "regex",
    [
        pytest.param(r"\w+ignore", id="any-word-character-first"),
        pytest.param(r"(?:ignore)?", id="may-match-nothing"),
        pytest.param(r".ignore", id="any-character-first"),
        pytest.param(r"(?a)\bignore", id="ascii-flag"),
    ],
)
def test_a_pattern_that_may_start_anywhere_is_scanned_everywhere(regex: str) -> None:
    assert pattern_starts(re.compile(regex, re.IGNORECASE)) is None
    same_matches(re.compile(regex, re.IGNORECASE), "an ignore, xignore, IGNORE")


@pytest.mark.parametrize(
    ("regex", "text"),
    [
        pytest.param(r"\bskip\s+rules", "please ſkip rules", id="long-s-folds-to-s"),
        pytest.param(r"\bkeep\s+it", "\u212aeep it", id="kelvin-sign-folds-to-k"),
        pytest.param(r"\bignore\s+it", "İgnore it and ignore it", id="dotted-capital-i"),
        pytest.param(
            r"(?<!\bwhen\s)\ball\s+gates", "when all gates; so all gates", id="lookbehind"
        ),
        pytest.param(r"\b(?:a|an)\s+ai\b", "a ai, an ai, ban ai", id="short-keys"),
        pytest.param(r"(?:ab)+c|\bx{2,}y", "ababc xxxy xy abc", id="repeats"),
        pytest.param(r"\b[Gg]ates?\s+(?i:are)", "gates ARE, Gate are", id="inline-flags"),
        pytest.param(r"ignore\s+rules", "xignore rules", id="no-boundary-mid-word"),
    ],
)
def test_matches_are_the_same_as_a_full_scan(regex: str, text: str) -> None:
    same_matches(re.compile(regex, re.IGNORECASE), text)


@pytest.mark.parametrize("name", PATTERNS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), before=st.text(max_size=12), after=st.text(max_size=12))
def test_every_injection_pattern_finds_the_same_matches_around_generated_hits(
    name: str, data: st.DataObject, before: str, after: str
) -> None:
    regex = COMPILED[name]
    hit = data.draw(st.from_regex(regex, fullmatch=True))
    same_matches(regex, f"{before} {hit} {after}")
    same_matches(regex, f"{before}{hit}{after}")


def _texts() -> list[pytest.param]:
    """The folded visible and hidden text of every eval case, hostile and hidden fixture, and a
    50,000-word bench document: what the injection scan reads."""
    folders = [ROOT / "evals" / "cases", ROOT / "tests" / "fixtures"]
    paths = sorted(
        p
        for folder in folders
        for p in folder.rglob("*")
        if p.suffix in (".md", ".txt", ".pdf", ".docx") and p.is_file()
    )
    texts = []
    for path in paths:
        for document in load_documents([str(path)]).documents:
            for n, text in enumerate(
                ["\n".join(document.lines)] + [h.text for h in document.hidden]
            ):
                texts.append(pytest.param(text, id=f"{path.relative_to(ROOT)}-{n}"))
    texts.append(pytest.param(corpus.long_document(50_000), id="bench-50000-words"))
    return texts


@pytest.mark.parametrize("text", _texts())
def test_every_injection_pattern_finds_the_same_matches_in_the_documents(text: str) -> None:
    folded, _ = fold(text)
    words = TextWords(folded)
    for name, regex in COMPILED.items():
        everywhere = [m.span() for m in regex.finditer(folded)]
        assert [m.span() for m in finditer(regex, pattern_starts(regex), words)] == everywhere, name
