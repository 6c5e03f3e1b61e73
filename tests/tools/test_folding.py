"""Folding squeezes whitespace exactly as a run-by-run squeeze does, with the same offsets."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tools.folding import _squeeze, fold

_RUN = re.compile(r"\s+")


def squeezed_run_by_run(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Every run of whitespace replaced by one space (none at the start), one run at a time."""
    parts: list[str] = []
    kept: list[int] = []
    done = 0
    for match in _RUN.finditer(text):
        parts.append(text[done : match.start()])
        kept.extend(origin[done : match.start()])
        if kept:
            parts.append(" ")
            kept.append(origin[match.start()])
        done = match.end()
    parts.append(text[done:])
    kept.extend(origin[done:])
    return "".join(parts), kept


@pytest.mark.parametrize(
    "text",
    ["", " ", "  ", "a b", " a  b ", "\ta\nb", "a \n b", "a\u2003b", "\n\n", "a b\tc  d\n"],
)
def test_whitespace_is_squeezed_as_run_by_run(text: str) -> None:
    origin = list(range(len(text)))
    assert _squeeze(text, origin) == squeezed_run_by_run(text, origin)


@given(st.text(alphabet=st.sampled_from("ab \t\n\r\u00a0\u2003\u3000"), max_size=40))
def test_any_mix_of_spaces_is_squeezed_as_run_by_run(text: str) -> None:
    origin = [7 * i for i in range(len(text))]
    assert _squeeze(text, origin) == squeezed_run_by_run(text, origin)


def test_a_folded_text_keeps_one_space_between_words_and_their_offsets() -> None:
    folded, origin = fold("  Ignore \t all\n\nprevious")
    assert folded == "Ignore all previous"
    assert [origin[i] for i in (0, 6, 7, 10, 11)] == [2, 8, 11, 14, 16]
