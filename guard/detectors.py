"""detect-secrets' regular-expression detectors, kept as data the masker runs under RE2.

`python -m guard.detectors` regenerates `detectors.json` from the installed detect-secrets
(a test fails when the two differ, so an upgrade is noticed). Importing detect-secrets itself
takes over a second, so reviews read the file instead. Lookarounds, which RE2 cannot run, are
dropped from the patterns: a hit is widened to its whole token when it is masked anyway.
Detectors this module does not take: the keyword, IP and entropy ones (guard.patterns has its
own, bounded versions of each).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

DETECTORS_FILE = Path(__file__).with_name("detectors.json")
_SKIPPED = frozenset({"IPPublicDetector"})
# A lookaround group, with at most one level of nested, unnamed groups inside it.
_LOOKAROUND = re.compile(r"\(\?<?[=!](?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)")


_LONG_REPEAT = re.compile(r"\{(\d+),(\d{4,})\}")
RE2_MAX_REPEAT = 1000


def re2_pattern(pattern: str, flags: int) -> str:
    """A Python pattern rewritten for RE2: lookarounds dropped, repeats capped at RE2's 1000,
    case-insensitivity inline."""
    source = _LOOKAROUND.sub("", pattern)
    source = _LONG_REPEAT.sub(lambda m: f"{{{m.group(1)},{RE2_MAX_REPEAT}}}", source)
    return f"(?i){source}" if flags & re.IGNORECASE else source


def generate() -> list[dict[str, str]]:
    """Every regex-based detector's patterns in RE2 form, from the installed detect-secrets."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.base import RegexBasedDetector

    rows: list[dict[str, str]] = []
    for secret_type, plugin in sorted(get_mapping_from_secret_type_to_class().items()):
        if not issubclass(plugin, RegexBasedDetector) or plugin.__name__ in _SKIPPED:
            continue
        for regex in plugin.denylist:
            pattern = re2_pattern(regex.pattern, regex.flags)
            rows.append({"detector": plugin.__name__, "type": secret_type, "pattern": pattern})
    return rows


@cache
def detector_patterns() -> tuple[str, ...]:
    """The committed detector patterns (RE2 syntax)."""
    rows = json.loads(DETECTORS_FILE.read_text(encoding="utf-8"))
    return tuple(row["pattern"] for row in rows)


if __name__ == "__main__":
    DETECTORS_FILE.write_text(json.dumps(generate(), indent=1) + "\n", encoding="utf-8")
