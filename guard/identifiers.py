"""National identifiers masked as personal data, each checked by its own rules.

- NHS number (England, Wales, Isle of Man): ten digits, the last a mod-11 check digit
  (python-stdnum). Written 3-3-4 with spaces or dashes, or ten digits after the word "NHS".
- US Social Security number: 3-2-4 digits; area not 000, 666 or 900-999, group not 00,
  serial not 0000, and not one of the numbers published in advertising (python-stdnum). Nine
  bare digits only after "SSN" or "social security".
- UK National Insurance number: two prefix letters (neither D, F, I, Q, U, V; the second not
  O; not BG, GB, KN, NK, NT, TN or ZZ), six digits and a suffix A-D, spaces allowed.
"""

from __future__ import annotations

import re

_NI_UNALLOCATED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_KEYWORD_WINDOW = 24  # characters before a bare number where its keyword must appear


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _keyword_before(text: str, start: int, words: tuple[str, ...]) -> bool:
    before = text[max(0, start - _KEYWORD_WINDOW) : start].lower()
    return any(word in before for word in words)


def is_nhs_number(text: str, start: int, number: str) -> bool:
    """A valid NHS number, grouped 3-3-4 or after the word NHS."""
    from stdnum.gb import nhs

    grouped = bool(re.fullmatch(r"\d{3}[ -]\d{3}[ -]\d{4}", number))
    if not grouped and not _keyword_before(text, start, ("nhs",)):
        return False
    return nhs.is_valid(_digits(number))


def is_ssn(text: str, start: int, number: str) -> bool:
    """A US Social Security number that could be issued, grouped or after its keyword."""
    from stdnum.us import ssn

    grouped = bool(re.fullmatch(r"\d{3}([ -])\d{2}\1\d{4}", number))
    if not grouped and not _keyword_before(text, start, ("ssn", "social security")):
        return False
    return ssn.is_valid(_digits(number))


def is_ni_number(number: str) -> bool:
    """A UK National Insurance number in its allocated format."""
    compact = number.replace(" ", "").upper()
    prefix = compact[:2]
    return (
        prefix[0] not in "DFIQUV"
        and prefix[1] not in "DFIOQUV"
        and prefix not in _NI_UNALLOCATED
        and compact[-1] in "ABCD"
    )
