"""Write an HTML page (shaped like a wiki's export) from a plain-text source with hidden text.

Run: `python -m evals.make_html` regenerates each case's `design.html` in TARGETS. The source
is read by `evals.hidden_source`: `[hidden] ` lines are hidden by a style-sheet rule
(`display: none`), `[white] ` ones are white, `[tiny] ` ones 1 px, `[+hidden] ` text is an
`aria-hidden` span in the paragraph before, and `[subject] ` text is the page's description.
"""

from __future__ import annotations

import sys
from html import escape
from pathlib import Path

from evals.hidden_source import source_lines

HERE = Path(__file__).parent
TARGETS = {
    HERE / "sources" / "travel-bot-hidden.txt": (
        HERE / "cases" / "hidden-html-travel-bot" / "design.html"
    ),
}
_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{meta}
<style>body {{ font-family: sans-serif; }} .wiki-note {{ display: none; }}</style>
</head><body><div id="main-content" class="wiki-content">
"""


def html_page(text: str) -> str:
    """The page the source describes."""
    body: list[str] = []
    meta, title = "", "Design notes"
    for kind, level, rest in source_lines(text):
        words = escape(rest)
        if kind == "subject":
            meta = f'\n<meta name="description" content="{escape(rest, quote=True)}">'
        elif kind == "heading":
            title = rest if level == 1 else title
            body.append(f"<h{level}>{words}</h{level}>")
        elif kind == "+hidden" and body and body[-1].endswith("</p>"):
            body[-1] = body[-1][:-4] + f'<span aria-hidden="true">{words}</span></p>'
        elif kind == "hidden":
            body.append(f'<p class="wiki-note">{words}</p>')
        elif kind == "white":
            body.append(f'<p style="color: #ffffff">{words}</p>')
        elif kind == "tiny":
            body.append(f'<p style="font-size: 1px">{words}</p>')
        elif rest.strip():
            body.append(f"<p>{words}</p>")
    head = _HEAD.format(title=escape(title), meta=meta)
    return head + "\n".join(body) + "\n</div></body></html>\n"


def write_html(text: str, target: Path) -> None:
    """Save the page the source describes at target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html_page(text), encoding="utf-8")


def main() -> int:
    """Regenerate the HTML cases' documents."""
    for source, target in TARGETS.items():
        write_html(source.read_text(encoding="utf-8"), target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
