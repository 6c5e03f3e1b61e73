"""The document guard (see README.md)."""

from guard.injection import MAX_QUOTE, ReviewerInstruction, find_reviewer_instructions, without_instructions
from guard.redact import redact, redact_lines
from guard.visibility import HiddenKind, HiddenText, markdown_visible
