"""The portfolio page: one HTML table of every project's verdict, rendered from a template file."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portfolio.batch import Portfolio
from vocabulary.models import GATES

TEMPLATES = Path(__file__).parent / "templates"


def render_page(portfolio: Portfolio) -> str:
    """The portfolio as a standalone HTML page (every value escaped)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    template = env.get_template("portfolio.html.j2")
    return template.render(portfolio=portfolio, gates=GATES, failed=len(portfolio.failed))


def write_page(portfolio: Portfolio, path: Path) -> Path:
    """Write the page; its folder is created if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_page(portfolio), encoding="utf-8")
    return path
