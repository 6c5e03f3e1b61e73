"""The document guard: what in a document may be read, quoted and sent, decided in one place.

Four defences live here, each behind the names below (import them from `guard`, never from its
modules): visibility (text a reader does not see is kept apart as `HiddenText`, never
evidence), reviewer-aimed text (passages that address the reviewers rather than the readers,
in any language, however disguised), forged review output (sign-off tables, encoded orders) and
masking (secrets and personal data replaced before text leaves the machine). The format
readers in `tools/` ask the guard what a reader sees; the graph asks it what to withhold and
what to mask. README.md beside this file says what each module decides and how to extend it.
"""

from guard.html import element_look
from guard.injection import (
    MAX_QUOTE,
    ReviewerInstruction,
    find_reviewer_instructions,
    scan_text,
    without_instructions,
)
from guard.markdown import markdown_visible
from guard.redact import KINDS, Redaction, placeholder, redact, redact_lines
from guard.visibility import (
    Appearance,
    HiddenKind,
    HiddenText,
    Piece,
    visible_lines,
    why_hidden,
)

__all__ = [
    "KINDS",
    "MAX_QUOTE",
    "Appearance",
    "HiddenKind",
    "HiddenText",
    "Piece",
    "Redaction",
    "ReviewerInstruction",
    "element_look",
    "find_reviewer_instructions",
    "markdown_visible",
    "placeholder",
    "redact",
    "redact_lines",
    "scan_text",
    "visible_lines",
    "why_hidden",
    "without_instructions",
]
