"""Which gate a section is about, judged from its headings against every rubric's terms.

A sentence under headings that clearly belong to another gate ("7. Change and adoption >
7.4 Feedback loops" for the data gate) is read as that gate's material: it counts toward this
gate's criteria only when it is strongly about one of them on its own.
"""

from __future__ import annotations

from functools import cache

from agents.rubric import Rubric, load_rubrics
from tools.retrieval import STOPWORDS, find_phrase, phrases, tokenize
from vocabulary.models import Gate


def term_weights(terms: list[str]) -> dict[tuple[str, ...], int]:
    """Terms as token phrases; a term of several content words weighs 2, one word 1."""
    weights: dict[tuple[str, ...], int] = {}
    for term in terms:
        words = [w for w in term.split() if w.lower() not in STOPWORDS]
        for phrase in phrases([term]):
            weights[phrase] = max(weights.get(phrase, 0), min(2, len(words)))
    return weights


@cache
def _gate_terms() -> tuple[tuple[Gate, dict[str, list[tuple[tuple[str, ...], int]]]], ...]:
    """Per gate, its criteria's weighted terms (one entry per criterion that has the term),
    filed under each term's first word: a heading without that word cannot match the term."""
    gates = []
    for gate, rubric in load_rubrics().items():
        by_first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        for criterion in rubric.criteria:
            for term, weight in term_weights(criterion.terms).items():
                by_first.setdefault(term[0], []).append((term, weight))
        gates.append((gate, by_first))
    return tuple(gates)


@cache
def _path_tokens(heading: tuple[str, ...]) -> tuple[str, ...]:
    """The headings' content words in order, without the document title shared by all."""
    path = heading[1:] if len(heading) > 1 else heading
    return tuple(t for h in path for t in tokenize(h, keep_stopwords=False))


@cache
def heading_scores(heading: tuple[str, ...]) -> dict[Gate, int]:
    """Per gate, the weight of its criteria's terms found in the section's headings (the
    document title, shared by every section, is left out)."""
    tokens = _path_tokens(heading)
    words = set(tokens)
    return {
        gate: sum(
            w
            for first in words
            for t, w in by_first.get(first, ())
            if find_phrase(t, tokens, 1) is not None
        )
        for gate, by_first in _gate_terms()
    }


def names_gate(heading: tuple[str, ...], rubric: Rubric) -> bool:
    """True when the headings (the document title left out) name this gate by a word of its
    title, as "Product" or "Risks and mitigations" do."""
    return not frozenset(_path_tokens(heading)).isdisjoint(
        tokenize(rubric.title, keep_stopwords=False)
    )


def foreign(heading: tuple[str, ...], rubric: Rubric) -> bool:
    """True when the headings match another gate's criteria better than this gate's and do
    not name this gate itself (a word of its title, as in "Product and adoption")."""
    scores = heading_scores(heading)
    if scores.get(rubric.gate, 0) >= max(scores.values(), default=0):
        return False
    return not names_gate(heading, rubric)
