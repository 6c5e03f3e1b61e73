"""Real-looking design writing of a chosen length, built from this repository's own documents.

The eval cases and examples are design documents written for this project. A long document is
made of them as its parts (each case a part, its headings one level down), in a fixed order;
when more words are wanted they come again as later releases, each with its figures moved on
and the sentences of every paragraph, list and table in another order, so that no section
repeats an earlier one word for word. A folder of short ones holds the same parts as separate
files. Documents written to steer reviewers (the adversarial cases) are left out: their
injected lines would be withheld, which is not what is measured.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "evals" / "cases"
EXAMPLES = ROOT / "examples"
_HEADING = re.compile(r"^(#{1,5}) ", re.MULTILINE)
_NUMBER = re.compile(r"\b(\d+)\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_TABLE_RULE = re.compile(r"^\|?[\s:|-]+\|?$")


def _adversarial(case: Path) -> bool:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    return bool(expected.get("adversarial"))


def sources() -> list[Path]:
    """The project's own non-adversarial Markdown and text design documents, in a fixed order."""
    found = [
        path
        for case in sorted(CASES.iterdir())
        if case.is_dir() and not _adversarial(case)
        for path in sorted(case.iterdir())
        if path.suffix in (".md", ".txt")
    ]
    return found + [p for p in sorted(EXAMPLES.glob("*.md")) if p.name != "README.md"]


def _part(path: Path, release: int) -> str:
    """One source document as a part of a longer one: headings one level down, a part title."""
    text = path.read_text(encoding="utf-8").strip()
    text = _HEADING.sub(lambda m: f"#{m.group(1)} ", text)
    if not text.startswith("#"):
        text = f"## {path.stem.replace('-', ' ').capitalize()}\n\n{text}"
    if release:
        text = _NUMBER.sub(lambda m: str(int(m.group(1)) + release), text)
        text = "\n\n".join(_reordered(block, release) for block in text.split("\n\n"))
        text = text.replace("## ", f"## Release {release + 1}: ", 1)
    return text


def _rotated(items: list[str], by: int) -> list[str]:
    by %= max(1, len(items))
    return items[by:] + items[:by]


def _reordered(block: str, release: int) -> str:
    """A paragraph's sentences, a list's items or a table's rows in another order."""
    lines = block.split("\n")
    if lines[0].startswith("#"):  # a heading stays first; what follows it is reordered
        rest = "\n".join(lines[1:])
        return "\n".join([lines[0], _reordered(rest, release)]) if rest.strip() else block
    if lines[0].startswith("|"):
        head = 2 if len(lines) > 1 and _TABLE_RULE.match(lines[1]) else 0
        return "\n".join(lines[:head] + _rotated(lines[head:], release))
    if all(re.match(r"\s*([-*+]|\d+[.)])\s", line) for line in lines):
        return "\n".join(_rotated(lines, release))
    return " ".join(_rotated(_SENTENCE.split(" ".join(lines)), release))


def parts(words: int) -> list[str]:
    """Parts, in order and repeated as needed, until they hold at least `words` words."""
    found: list[str] = []
    total = release = 0
    while total < words:
        for path in sources():
            part = _part(path, release)
            found.append(part)
            total += len(part.split())
            if total >= words:
                break
        release += 1
    return found


def long_document(words: int) -> str:
    """One Markdown design document of about `words` words."""
    title = "# Design pack: AI assistants across the business\n\n"
    return title + "\n\n".join(parts(words)) + "\n"


def write_long_document(words: int, folder: Path) -> Path:
    """Write `long_document(words)` into `folder` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"design-{words}.md"
    path.write_text(long_document(words), encoding="utf-8")
    return path


def write_folder(words: int, folder: Path) -> Path:
    """A folder of short design documents (one part each) holding about `words` words."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, part in enumerate(parts(words), start=1):
        (folder / f"part-{number:03d}.md").write_text(part + "\n", encoding="utf-8")
    return folder
