"""The README leads: short, its test command the one CI runs, every page it names there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PAGES = sorted((ROOT / "docs").glob("*.md"))


def test_the_readme_reads_in_five_minutes() -> None:
    assert len(README.splitlines()) <= 160
    assert len(README.split()) <= 1400


def test_the_readme_test_command_is_the_one_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"^python -m pytest[^\n]*$", ci, re.MULTILINE)
    assert commands == ["python -m pytest -n 2"]
    assert "pip install -e '.[test]' && python -m pytest -n 2\n" in README
    assert "pip install -q -e '.[test]'" in ci


def test_every_documentation_page_is_linked_from_the_readme() -> None:
    for page in PAGES:
        assert f"](docs/{page.name})" in README, page.name


@pytest.mark.parametrize("page", [ROOT / "README.md", *PAGES], ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        assert (page.parent / target).exists(), f"{page.name}: {target}"
