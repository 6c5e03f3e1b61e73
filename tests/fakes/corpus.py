"""The bench's long design documents (`bench/corpus.py`), loaded by its path: putting `bench/`
on `sys.path` would let its `processes`, `offline` and `tokens` shadow modules of the same name."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH_CORPUS = Path(__file__).resolve().parents[2] / "bench" / "corpus.py"


def bench_corpus() -> ModuleType:
    """The module `bench/corpus.py` (write_long_document, write_folder, long_document)."""
    spec = importlib.util.spec_from_file_location("bench_corpus", BENCH_CORPUS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
