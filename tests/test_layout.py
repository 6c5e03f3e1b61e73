"""The packages are layers: each imports only the ones below it (README, Layout)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Lowest first; the document guard sits under tools (readers ask it what a reader sees); tools
# and traces are side by side (neither imports the other); main.py, the entry point, sits above
# the cli package, so that no package imports it.
LAYERS = [
    {"vocabulary"}, {"guard"}, {"tools", "traces"}, {"screen"}, {"agents"}, {"exports"}, {"graphs"},
    {"runs"},
    {"portfolio"}, {"evals"}, {"cli"}, {"main"},
]
LEVEL = {package: level for level, packages in enumerate(LAYERS) for package in packages}
IMPORT = re.compile(r"^\s*(?:from|import)\s+([a-z_]+)", re.MULTILINE)


def _imports(package: str) -> dict[str, set[str]]:
    return {
        str(path.relative_to(ROOT)): {m for m in IMPORT.findall(path.read_text()) if m in LEVEL}
        for path in (ROOT / package).rglob("*.py")
    }


@pytest.mark.parametrize("package", sorted(p for p in LEVEL if (ROOT / p).is_dir()))
def test_a_package_imports_no_package_above_or_beside_it(package: str) -> None:
    upward = {
        module: sorted(t for t in targets if t != package and LEVEL[t] >= LEVEL[package])
        for module, targets in _imports(package).items()
    }
    assert {m: t for m, t in upward.items() if t} == {}


GUARD_SUBMODULE = re.compile(r"^\s*(?:from|import)\s+guard\.", re.MULTILINE)


def test_the_guard_is_entered_only_through_its_package() -> None:
    """Outside `guard/`, code imports `from guard import ...`: one entry point (guard/README.md)."""
    reaching_in = sorted(
        str(path.relative_to(ROOT))
        for package in LEVEL
        if package != "guard" and (ROOT / package).is_dir()
        for path in (ROOT / package).rglob("*.py")
        if GUARD_SUBMODULE.search(path.read_text())
    )
    assert reaching_in == []
