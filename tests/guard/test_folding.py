"""Folding squeezes whitespace exactly as reading it one character at a time does, offsets too."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guard.folding import _squeeze, fold


def squeezed_char_by_char(text: str, origin: list[int]) -> tuple[str, list[int]]:
    """Every run of whitespace as one space at the offset of its first character, none at the
    start: read one character at a time."""
    out: list[str] = []
    kept: list[int] = []
    run_at: int | None = None  # offset of the first character of the run being read
    for char, at in zip(text, origin, strict=True):
        if char.isspace():
            run_at = at if run_at is None else run_at
            continue
        if run_at is not None and out:
            out.append(" ")
            kept.append(run_at)
        run_at = None
        out.append(char)
        kept.append(at)
    if run_at is not None and out:
        out.append(" ")
        kept.append(run_at)
    return "".join(out), kept


@pytest.mark.parametrize(
    "text",
    ["", " ", "  ", "a b", " a  b ", "\ta\nb", "a \n b", "a\u2003b", "\n\n", "a b\tc  d\n"],
)
def test_whitespace_is_squeezed_as_read_char_by_char(text: str) -> None:
    origin = list(range(len(text)))
    assert _squeeze(text, origin) == squeezed_char_by_char(text, origin)


@given(st.text(alphabet=st.sampled_from("ab \t\n\r\u00a0\u2003\u3000"), max_size=40))
def test_any_mix_of_spaces_is_squeezed_as_read_char_by_char(text: str) -> None:
    origin = [7 * i for i in range(len(text))]
    assert _squeeze(text, origin) == squeezed_char_by_char(text, origin)


def test_a_folded_text_keeps_one_space_between_words_and_their_offsets() -> None:
    folded, origin = fold("  Ignore \t all\n\nprevious")
    assert folded == "Ignore all previous"
    assert [origin[i] for i in (0, 6, 7, 10, 11)] == [2, 8, 11, 14, 16]
