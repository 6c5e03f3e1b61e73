"""BM25 scores of a query against token lists, the same numbers bm25s computes, in plain Python.

Sections were ranked with bm25s (its defaults: the Lucene variant, k1 1.5, b 0.75, float32
scores). Importing it brings numpy and scipy, about a quarter of a second of every review's
start-up, more than ranking the sections of a 200,000-word document takes here. This module does
bm25s's arithmetic operation for operation, so every score and every ranking (ties included) is
the one bm25s gives: a term's weight in a document is worked out in double precision and stored
as a float32, and a query's weights are added term by term in float32. (Adding two float32
values in double precision and rounding once gives the float32 sum exactly.)
`tests/tools/test_bm25.py` compares the scores with bm25s's, bit for bit.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter

K1 = 1.5
B = 0.75


def _float32(values: list[float]) -> list[float]:
    """Each value rounded to the nearest float32, as a float32 array stores it."""
    return array("f", values).tolist()


class BM25:
    """An index of documents given as token lists, scored against a query's tokens."""

    def __init__(self, corpus: list[list[str]]) -> None:
        """Weigh every term of every document (an empty corpus scores nothing)."""
        self.size = len(corpus)
        self._postings: dict[str, tuple[list[int], list[float]]] = {}
        if not corpus:
            return
        average = sum(len(tokens) for tokens in corpus) / self.size
        frequency = Counter(token for tokens in corpus for token in set(tokens))
        terms = list(frequency)
        idf = dict(
            zip(
                terms,
                _float32(
                    [math.log(1 + (self.size - df + 0.5) / (df + 0.5)) for df in frequency.values()]
                ),
                strict=True,
            )
        )
        weights: dict[str, tuple[list[int], list[float]]] = {t: ([], []) for t in terms}
        for number, tokens in enumerate(corpus):
            scale = K1 * ((1 - B) + B * len(tokens) / average)
            for token, count in Counter(tokens).items():
                documents, values = weights[token]
                documents.append(number)
                values.append(idf[token] * (count / (scale + count)))
        self._postings = {t: (docs, _float32(values)) for t, (docs, values) in weights.items()}

    def scores(self, query: list[str]) -> list[float]:
        """Every document's score for the query's tokens (a repeated token counts again; one no
        document holds adds nothing), in document order."""
        totals = [0.0] * self.size
        for token in query:
            posting = self._postings.get(token)
            if posting is None:
                continue
            documents, values = posting
            summed = _float32([totals[d] + v for d, v in zip(documents, values, strict=True)])
            for document, total in zip(documents, summed, strict=True):
                totals[document] = total
        return totals
