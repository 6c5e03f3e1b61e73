"""User and model text made safe for the medium that shows it: a terminal, or Markdown.

Names, comments, quotes and summaries come from people, documents and models. In a terminal,
control characters (ESC sequences, carriage returns) could repaint the screen or forge a line;
in Markdown, `#`, `**`, `|` or a link would become report structure. JSON needs nothing: its
encoder escapes what it must.
"""

from __future__ import annotations

import re

# A masked value as guard.redact writes it (`[REDACTED:kind]`); the group is the kind. Kept
# through escaping, and recognised in quotes and excerpts.
PLACEHOLDER = re.compile(r"\[REDACTED:([a-z_]+)\]")

# C0 and C1 controls but tab and newline (ESC included), DEL, and bidirectional overrides
# and isolates: what drives a terminal or reorders displayed text.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Characters that start emphasis, code, links, HTML, tables or entities anywhere in a line.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&])")
# What makes a line a heading, list item, quote, rule or setext underline when it starts it.
_LINE_START = re.compile(r"^(\s*)([#>+=-])|^(\s*\d+)([.)])")


def _escaped(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def _literal_start(match: re.Match[str]) -> str:
    if match.group(2):
        return f"{match.group(1)}\\{match.group(2)}"
    return f"{match.group(3)}\\{match.group(4)}"


def terminal_safe(text: str) -> str:
    """Text with control and bidirectional characters shown as escapes (`\\x1b`), newlines kept."""
    return CONTROL.sub(_escaped, text)


def _literal(text: str) -> str:
    """Markup escaped, masking placeholders kept as they read (`[REDACTED:email]`), with
    whatever follows one unable to make it a link."""
    parts = PLACEHOLDER.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:  # the kind captured by PLACEHOLDER
            out.append(f"[REDACTED:{part}]")
            continue
        escaped = _MARKDOWN.sub(r"\\\1", part)
        out.append("\\" + escaped if index and escaped[:1] in "(:" else escaped)
    return "".join(out)


def markdown_inline(text: str) -> str:
    """Text as literal Markdown within a line: markup escaped, line breaks as spaces."""
    return _literal(" ".join(terminal_safe(text).split()))


def markdown_lines(text: str, indent: str = "  ") -> str:
    """Multi-line text as literal Markdown under a list item: each line escaped, and a line
    that would start a heading, list or quote escaped at its start."""
    lines = [_literal(line) for line in terminal_safe(text).split("\n")]
    lines = [_LINE_START.sub(_literal_start, line) for line in lines]
    return f"\n{indent}".join(line for line in lines if line.strip())
