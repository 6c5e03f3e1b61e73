"""One RE2 pattern for a family of Python patterns: where in a long text any of them may match.

Python's `re` tries each pattern at every position of the text; RE2 runs one alternation of
them all in a single pass, in time linear in the text. RE2 has no lookarounds and its `\\b`
and `\\w` are ASCII only, so each pattern is loosened for it (lookarounds and word boundaries
dropped, `\\w` and `\\d` widened to any character but a space, or in a negated class to
Unicode letters and digits): it matches wherever the original does, and more. Around each of
its matches the original patterns then decide, on a window wide enough for any of their
matches (`WINDOW` characters each way).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

WINDOW = 400  # characters each side of a loose match searched by the exact patterns
_UNICODE = {"w": r"\pL\pN_", "d": r"\pN"}
_ANY_BUT_SPACE = {"w": r"\S", "d": r"\S"}  # wider still, and far cheaper for RE2 to compile


def _skip_group(pattern: str, start: int) -> int:
    """The index just past the group opening at `start` (balanced, escapes and classes kept)."""
    depth, index, in_class = 0, start, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1 : index + 2] == "]":
                index += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return index


def loosened(pattern: str) -> str:
    """The pattern for RE2, matching at least wherever the Python pattern matches."""
    out: list[str] = []
    index, in_class, negated = 0, False, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            code = pattern[index + 1]
            if code == "b" and not in_class:
                pass  # a word boundary only ever rules matches out
            elif code in _UNICODE:  # in a negated class only the exact set keeps it wider
                out.append(_UNICODE[code] if in_class and negated else _ANY_BUT_SPACE[code])
            elif code in "uU":  # Python's \uXXXX is RE2's \x{XXXX}
                width = 4 if code == "u" else 8
                out.append(f"\\x{{{pattern[index + 2 : index + 2 + width]}}}")
                index += width
            else:
                out.append(pattern[index : index + 2])
            index += 2
            continue
        if not in_class and pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), index):
            index = _skip_group(pattern, index)  # a lookaround only ever rules matches out
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            negated = pattern[index + 1 : index + 2] == "^"
            out.append(char)
            if pattern[index + 1 : index + 2] in ("]", "^"):
                index += 1
                out.append(pattern[index])
            index += 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


class Family:
    """Named Python patterns scanned together: one loose RE2 pass, then the exact patterns."""

    def __init__(self, patterns: dict[str, re.Pattern[str]]) -> None:
        import re2

        self.patterns = patterns
        joined = "|".join(f"(?:{loosened(p.pattern)})" for p in patterns.values())
        options = re2.Options()
        options.max_mem = 64 << 20  # the DFA of a few dozen patterns; RE2 stays linear beyond
        self._loose: Any = re2.compile(f"(?i)(?s){joined}", options)

    def windows(self, text: str) -> list[tuple[int, int]]:
        """Stretches of the text, merged and in order, outside which no pattern matches."""
        found: list[tuple[int, int]] = []
        for match in self._loose.finditer(text):
            start, end = max(0, match.start() - WINDOW), min(len(text), match.end() + WINDOW)
            if found and start <= found[-1][1]:
                found[-1] = (found[-1][0], end)
            else:
                found.append((start, end))
        return found

    def finditer(self, text: str) -> Iterator[tuple[str, re.Match[str]]]:
        """Every match of every pattern, by pattern in order, as `pattern.finditer` finds them
        within the windows (a pattern sees the text before a window, as a search does)."""
        windows = self.windows(text)
        for name, pattern in self.patterns.items():
            resume = 0
            for start, end in windows:
                for match in pattern.finditer(text, max(start, resume), end):
                    yield name, match
                    resume = match.end()
