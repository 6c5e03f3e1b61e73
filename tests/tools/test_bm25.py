"""Section scores are bm25s's scores, bit for bit, so every ranking (ties included) is its."""

from __future__ import annotations

from pathlib import Path

import bm25s
import pytest
from fakes.corpus import bench_corpus

from agents.rubric import load_rubrics
from tools.bm25 import BM25
from tools.documents import load_documents
from tools.retrieval import tokenize

ROOT = Path(__file__).resolve().parents[2]
corpus = bench_corpus()  # the bench's long design documents


def _sections(paths: list[Path]) -> list[list[str]]:
    """The token lists a review indexes: each section's heading path and text."""
    documents = load_documents([str(p) for p in paths]).documents
    return [
        tokenize(" ".join(s.heading_path), keep_stopwords=False)
        + tokenize(s.text, keep_stopwords=False)
        or [""]
        for d in documents
        for s in d.sections
    ]


def _queries() -> list[list[str]]:
    """Every criterion's query, and queries with repeated and unknown words."""
    queries = [
        [t for term in c.terms for t in tokenize(term, keep_stopwords=False)]
        for rubric in load_rubrics().values()
        for c in rubric.criteria
    ]
    return [*queries, ["owner", "owner", "owner"], ["zzz-not-a-word", "data"], ["zzz"]]


CASES = sorted(p for p in (ROOT / "evals" / "cases").rglob("*") if p.suffix in (".md", ".txt"))
CORPORA = {
    "one-case": lambda _: [CASES[0]],
    "every-case": lambda _: CASES,
    "bench-10000-words": lambda tmp: [corpus.write_long_document(10_000, tmp)],
    "bench-50000-words": lambda tmp: [corpus.write_long_document(50_000, tmp)],
    "bench-folder": lambda tmp: [corpus.write_folder(10_000, tmp / "folder")],
}


@pytest.mark.parametrize("name", list(CORPORA))
def test_every_query_scores_every_section_as_bm25s_does(name: str, tmp_path: Path) -> None:
    sections = _sections(CORPORA[name](tmp_path))
    reference = bm25s.BM25()
    reference.index(sections, show_progress=False)
    ours = BM25(sections)
    for query in _queries():
        known = [t for t in query if t in reference.vocab_dict]
        expected = reference.get_scores(known).tolist() if known else [0.0] * len(sections)
        assert ours.scores(query) == expected, query
        assert any(expected) or not known  # a query of known words finds sections


def test_an_empty_index_scores_nothing() -> None:
    assert BM25([]).scores(["data"]) == []
