"""Prompt templates: Jinja files in agents/prompts, rendered strictly, hashed for the trace."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

PROMPT_DIR = Path(__file__).parent / "prompts"


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered prompt, the template it came from and the hash of the text."""

    name: str
    text: str

    @property
    def sha256(self) -> str:
        """Hash of the rendered text (recorded in the trace)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(PROMPT_DIR),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template(name: str) -> Template:
    """The template `agents/prompts/<name>.md`."""
    return _environment().get_template(f"{name}.md")


def render(name: str, **variables: Any) -> RenderedPrompt:
    """Render a template; a missing variable is an error, not an empty string."""
    return RenderedPrompt(name=name, text=template(name).render(**variables).strip() + "\n")


def prompt_digests() -> dict[str, str]:
    """Content hashes of every template file, the prompt version recorded with a run."""
    return {
        path.stem: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in sorted(PROMPT_DIR.glob("*.md"))
    }
