"""National identifiers masked as personal data, each checked by its own rules.

- NHS number (England, Wales, Isle of Man): ten digits, the last a mod-11 check digit
  (python-stdnum). Written 3-3-4 with spaces or dashes, or ten digits after the word "NHS".
- US Social Security number: 3-2-4 digits with one separator throughout; nine bare digits
  only after "SSN" or "social security". Masked by its shape: a number in a range never issued
  (000, 666, 9xx) or published in advertising is still somebody's test record, and a number
  that fails a check is still what was written; a check may add confidence, never clear one.
- UK National Insurance number: two letters, six digits and a suffix A-D, spaces allowed; by
  shape too (the `QQ` prefix of examples and test data included).
"""

from __future__ import annotations

import re

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
    """A number shaped as a US Social Security number: grouped, or after its keyword."""
    grouped = bool(re.fullmatch(r"\d{3}([ -])\d{2}\1\d{4}", number))
    return grouped or _keyword_before(text, start, ("ssn", "social security"))


def is_ni_number(number: str) -> bool:
    """A UK National Insurance number by its shape (the rule's pattern): two letters, six
    digits, a suffix A-D."""
    compact = number.replace(" ", "").upper()
    return len(compact) == 9 and compact[:2].isalpha() and compact[-1] in "ABCD"
