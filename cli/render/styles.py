"""Status colours and the text pieces every table shares: escaped text, a status word, a cost."""

from __future__ import annotations

from rich.text import Text

from vocabulary.escaping import terminal_safe

STATUS_STYLE = {
    "ready": "green",
    "conditional": "yellow",
    "not_ready": "red",
    "ready_with_conditions": "yellow",
    "met": "green",
    "partial": "yellow",
    "mentioned": "dark_orange",
    "found": "cyan",
    "missing": "red",
    "contradicted": "bold red",
    "awaiting_decision": "cyan",
    "approved": "green",
    "rejected": "red",
    "interrupted": "magenta",
    "running": "cyan",
    "failed": "red",
    "evidenced": "green",
    "ok": "green",
    "warning": "yellow",
    "problem": "bold red",
}


def safe(text: str, style: str = "") -> Text:
    """Text from a person, a document or a model, with control characters shown as escapes."""
    return Text(terminal_safe(text), style=style)


def styled(value: str, note: str | None = None) -> Text:
    """A status word in its colour, with a plain note after it (such as "screened")."""
    text = Text(value, style=STATUS_STYLE.get(value, ""))
    if note:
        text.append(f" ({note})")
    return text


# Below this many columns the per-gate tokens and time are left out (the totals line keeps them).
WIDE = 100


def cost_text(cost: float | None) -> str:
    """A cost in USD, or 'unknown' when the model has no known price."""
    return "unknown" if cost is None else f"${cost:.4f}"
