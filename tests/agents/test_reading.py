"""A sentence's criterion-independent signals are matched once per text and give the same
readings as matching them afresh for every criterion."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.corpus import bench_corpus

from agents import reading
from agents.reading import SIGNALS_PATH, Rules, Signals, load_signals, read
from agents.rubric import load_rubrics
from tools.documents import Document, load_documents
from tools.pattern_starts import StartsIndex, WordPrefixes, may_match, pattern_starts
from tools.retrieval import Passage, split_passages

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# Between them: hedges, gaps, deferrals, uncommitted phrasing and generic specifics.
DOCUMENTS = [EXAMPLES / "demo-grade-poc.md", EXAMPLES / "middling-claims-triage.md"]


def _fresh() -> Signals:
    """Signals compiled anew, with nothing remembered."""
    return load_signals.__wrapped__(SIGNALS_PATH)


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    """The example documents, demo-grade and middling."""
    return load_documents(DOCUMENTS).documents


@pytest.fixture(scope="module")
def passages(documents: list[Document]) -> list[Passage]:
    """Every sentence of the fixture documents."""
    return [p for d in documents for s in d.sections for p in split_passages(s)]


def test_signals_of_a_text_are_what_each_pattern_list_finds(passages: list[Passage]) -> None:
    signals = _fresh()
    seen = {"hedged": 0, "gap": 0, "deferral": 0, "uncommitted": 0, "generic": 0}
    for passage in passages:
        text = passage.text
        found = signals.of(text)
        expected_generic = tuple(
            (name, m.group(0).lower()) for name, p in signals.specific if (m := p.search(text))
        )
        assert found.hedged == any(p.search(text) for p in signals.hedge)
        assert found.gap == any(p.search(text) for p in signals.gap)
        assert found.deferral == any(p.search(text) for p in signals.deferral)
        assert found.uncommitted == any(p.search(text) for p in signals.uncommitted)
        assert found.generic == expected_generic
        for name in seen:
            seen[name] += bool(getattr(found, name))
    # The documents show every signal, so the comparison above is not vacuous.
    assert all(seen.values()), seen


def test_a_text_is_matched_once_and_then_remembered(passages: list[Passage]) -> None:
    signals = _fresh()
    text = passages[0].text
    first = signals.of(text)
    assert signals.of(text) is first
    assert list(signals.memo) == [text]


def test_readings_through_a_shared_memo_equal_readings_matched_afresh(
    passages: list[Passage],
) -> None:
    shared, forgetful = _fresh(), _fresh()
    compared = 0
    for rubric in load_rubrics().values():
        for criterion in rubric.criteria:
            for passage in passages:
                remembered = read(passage, Rules.of(criterion), shared)
                forgetful.memo.clear()
                forgetful.heading_memo.clear()
                afresh = read(passage, Rules.of(criterion), forgetful)
                assert remembered == afresh, (criterion.id, passage.text)
                compared += remembered.relevance > 0
    assert compared > 100  # many relevant readings, not only the early "not about it" ones
    assert shared.memo  # the shared signals did remember texts across criteria


def test_the_memo_starts_afresh_at_its_limit(
    passages: list[Passage], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MEMO_LIMIT", 3)
    signals = _fresh()
    texts = list(dict.fromkeys(p.text for p in passages))[:7]
    for text in texts:
        signals.of(text)
        assert len(signals.memo) <= 3
    assert texts[-1] in signals.memo
    assert texts[0] not in signals.memo
    assert signals.of(texts[0]) == _fresh().of(texts[0])


def test_a_criterion_is_compiled_once_into_the_same_rules() -> None:
    criterion = load_rubrics()["data"].criterion("data.owners")
    rules = Rules.of(criterion)
    assert Rules.of(criterion.model_copy(deep=True)) is rules  # the same words, the same rules
    assert rules.terms and rules.specifics and rules.flags
    changed = criterion.model_copy(update={"terms": ["custodian"]})
    assert Rules.of(changed) is not rules
    assert set(Rules.of(changed).terms) == {("custodian",)}


def _every_text(folder: Path) -> list[str]:
    """Every sentence, lead-in and heading of the eval cases, the examples and a 10,000-word
    bench document: what the signals are matched against in a review."""
    corpus = bench_corpus()  # the bench's long design documents
    paths = [p for p in (ROOT / "evals" / "cases").rglob("*") if p.suffix in (".md", ".txt")]
    paths += [*EXAMPLES.glob("*.md"), corpus.write_long_document(10_000, folder)]
    texts: set[str] = set()
    for document in load_documents(paths).documents:
        for section in document.sections:
            texts.update(section.heading_path)
            for passage in split_passages(section):
                texts.update((passage.text, passage.lead_in))
    return sorted(texts)


def test_the_word_filter_skips_only_patterns_that_would_find_nothing(tmp_path: Path) -> None:
    signals = _fresh()
    patterns = (
        *signals.hedge,
        *signals.gap,
        *signals.deferral,
        *signals.uncommitted,
        *(p for _, p in signals.specific),
    )
    index = StartsIndex(patterns)
    skipped = 0
    for text in _every_text(tmp_path):
        words = WordPrefixes(text)
        tried = set(index.candidates(text, words))
        for number, pattern in enumerate(patterns):
            if number not in tried:
                skipped += 1
                assert pattern.search(text) is None, (pattern.pattern, text)
            else:
                assert may_match(pattern_starts(pattern), text, words)
    assert skipped  # the filter is doing something, so the check above is not vacuous
