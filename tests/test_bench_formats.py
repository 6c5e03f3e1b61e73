"""The per-format reading benchmark reads the same text through every format and source (what
it measures, never how fast)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_every_format_and_source_reads_the_same_ten_thousand_words() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import formats
    finally:
        sys.path.remove(str(BENCH))
    measured = formats.measure(repeats=1)
    assert list(measured) == [".md", ".docx", ".pdf", ".html", ".pptx", ".odt", "git --rev",
                              "confluence page"]  # fmt: skip
    words = {name: count for name, (_, count) in measured.items()}
    assert all(9_000 <= count <= 11_500 for count in words.values()), words
