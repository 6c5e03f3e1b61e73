"""Text a reader of the rendered document does not see, kept apart from what they do see.

Only what a reader sees is evidence. Each format's reader (Markdown here, DOCX in
`tools.word`, PDF in `tools.pdf_layers`) returns the visible text as lines and the hidden
text as `HiddenText`, never as document text. The visible lines keep the file's line count: a
hidden part of a line is blanked, so `path:line` still matches an editor.

Hidden in Markdown: HTML comments, HTML elements hidden by attribute or style, and the
`[//]: # (...)` comment idiom; none of them count inside fenced code or a code span, where
they are shown as written.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HiddenKind = Literal[
    "html comment",
    "hidden html",
    "comment link",
    "hidden run",
    "white text",
    "tiny text",
    "invisible text",
    "off-page text",
    "metadata",
]


class HiddenText(BaseModel):
    """A passage of a file that a reader does not see: never evidence, never sent to a model."""

    model_config = ConfigDict(extra="forbid")

    line_start: int = Field(description="Line of the visible text it sits in (0: outside them)")
    line_end: int
    text: str = Field(description="The hidden text, verbatim")
    why: HiddenKind
    detail: str = Field(default="", description="A PDF page, or the metadata field it is in")
    location: str = Field(default="", description="Where a person opening the file finds it")


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_HIDING_STYLE = (
    r"(?:display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])"
    r"|opacity\s*:\s*0(?![.\d]*[1-9]))"
)
# Tag bodies are bounded (1000 characters) so that text full of "<" stays linear to scan.
_MARKDOWN_HIDDEN = re.compile(
    r"(?P<code>(?P<ticks>`+)[^`\n]+?(?P=ticks)(?!`))"
    r"|(?P<comment><!--.*?(?:-->|\Z))"
    r"|(?P<link>^[ ]{0,3}\[[^\]\n]*\]:[ \t]*(?:#|<>)(?:[ \t]+[^\n]*)?$)"
    r"|(?P<element><(?P<tag>[A-Za-z][\w-]*)\b(?=[^<>]{0,1000}?(?:(?<![-\w])hidden(?![-\w])|"
    r"style\s*=\s*[\"'][^\"'>]{0,1000}?"
    + _HIDING_STYLE
    + r"))[^<>]{0,1000}>.*?(?:</(?P=tag)\s*>|\Z))",
    re.DOTALL | re.MULTILINE | re.IGNORECASE,
)
_WHY: dict[str, HiddenKind] = {
    "comment": "html comment",
    "link": "comment link",
    "element": "hidden html",
}


def _fenced_blank(lines: list[str]) -> str:
    """The text with fenced code blanked (same length), so nothing inside a fence is hidden."""
    out: list[str] = []
    fence = ""
    for line in lines:
        stripped = line.strip()
        if fence:
            out.append(" " * len(line))
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = ""
        elif match := _FENCE.match(line):
            fence = match.group(1)
            out.append(" " * len(line))
        else:
            out.append(line)
    return "\n".join(out)


def markdown_visible(lines: list[str]) -> tuple[list[str], list[HiddenText]]:
    """The lines as a reader of the rendered Markdown sees them, and what was hidden."""
    text = "\n".join(lines)
    if "<" not in text and "]:" not in text:
        return lines, []
    spans: list[tuple[int, int, HiddenKind]] = []
    for match in _MARKDOWN_HIDDEN.finditer(_fenced_blank(lines)):
        kind = next(k for k in ("code", "comment", "link", "element") if match.group(k))
        if kind != "code":
            spans.append((match.start(), match.end(), _WHY[kind]))
    if not spans:
        return lines, []
    visible: list[str] = []
    hidden: list[HiddenText] = []
    done = 0
    for start, end, why in spans:
        visible.append(text[done:start])
        # Line breaks inside a hidden span stay, so every later line keeps its number.
        visible.append("\n" * text.count("\n", start, end))
        first = text.count("\n", 0, start) + 1
        hidden.append(
            HiddenText(
                line_start=first,
                line_end=first + text.count("\n", start, end),
                text=text[start:end],
                why=why,
            )
        )
        done = end
    visible.append(text[done:])
    shown = "".join(visible).split("\n")
    return [line.rstrip() if line != lines[n] else line for n, line in enumerate(shown)], hidden
