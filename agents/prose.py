"""Model-written prose kept under the rule: no control characters, no claims the rule did not make.

Every text a model writes (summaries, reasons, recommendations, conditions, quotes, queries)
loses terminal escape sequences, control characters and bidirectional overrides when its
answer is parsed (`agents.answers`). A summary that states a status the rule did not give
(an overall verdict, a gate's status, "all gates ready", "no conditions", "approve as is") and
a condition that calls itself met are rejected by `summary_contradictions` and
`condition_claims_met`; the coordinator then keeps the rule's own wording and traces why.
"""

from __future__ import annotations

import re

from agents.models import GATES, Verdict

# CSI and OSC escape sequences whole (so no "[31m" is left behind), then single characters:
# C0 and C1 controls other than tab and newline, and bidirectional overrides and isolates.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")

_STATUS = (
    r"(not[\s_-]+(?:yet\s+)?ready|ready[\s_-]+with[\s_-]+conditions|conditionally\s+ready"
    r"|conditional|ready)"
)
_HEDGE = re.compile(
    r"\b(?:not|n't|no|never|nor|neither|before|until|once|when|if|unless|after|would|could|"
    r"can|cannot|will\s+be|to\s+be|yet\s+to|needs?|must|should|aim|plan|expect)\b[^.;:!?]*$",
    re.IGNORECASE,
)
_OVERALL = re.compile(
    r"\b(?:overall(?:\s+verdict)?|(?:the\s+)?verdict|(?:the\s+)?(?:project|system|design|"
    r"review)\s+(?:is|was))\s*(?:is|was|:|=|of)?\s*[\"'`*]*" + _STATUS + r"\b",
    re.IGNORECASE,
)
_ALL_GATES = re.compile(
    r"\b(?:all|every|each|the)\s+(?:five\s+|5\s+)?gates?\s+(?:are|is|were|have\s+been|has\s+been)"
    r"\s+(?:now\s+|already\s+|fully\s+)?(ready|passed|green|met|approved|cleared)\b",
    re.IGNORECASE,
)
_NO_CONDITIONS = re.compile(
    r"\b(?:without\s+(?:any\s+)?conditions|no\s+(?:open\s+|outstanding\s+|remaining\s+)?"
    r"conditions|unconditional(?:ly)?|(?:approve|approved|ship|go\s+live)\s+as\s+is|"
    r"nothing\s+(?:left\s+)?to\s+(?:fix|address|do))\b",
    re.IGNORECASE,
)
_GATE_NAMES = "|".join(GATES)
_GATE_CLAIM = re.compile(
    rf"\b((?:(?:{_GATE_NAMES})(?:\s*,\s*|\s+and\s+|\s*&\s*)?)+)\s+gates?\s+(?:is|are|was|were|"
    rf"status\s+is|stands?\s+at|:)?\s*(?:now\s+|already\s+|fully\s+)?[\"'`*]*{_STATUS}\b",
    re.IGNORECASE,
)
_CONDITION_MET = re.compile(
    r"\b(?:(?:is|are|has\s+been|have\s+been|was|were)\s+(?:already\s+|now\s+|fully\s+)?"
    r"(?:met|satisfied|resolved|addressed|fulfilled|closed|complete|completed|done|in\s+place)|"
    r"already\s+(?:met|satisfied|addressed|covered|documented|named|defined|in\s+place|done|"
    r"handled|resolved)|no\s+(?:further\s+)?(?:action|change|work)s?\s+(?:is\s+|are\s+)?"
    r"(?:needed|required|necessary)|nothing\s+(?:further\s+|more\s+)?(?:to\s+do|is\s+needed|"
    r"is\s+required))\b|^\W*(?:met|done|resolved|n/?a|none|satisfied)\W*$",
    re.IGNORECASE,
)
_IMPERATIVE_GUARD = re.compile(
    r"\b(?:ensure|make\s+sure|until|once|so\s+that|when|before|after|must|should|needs?\s+to|"
    r"to\s+be|if|unless|confirm\s+that|verify\s+that|check\s+that|show\s+that|prove\s+that|"
    r"document\s+how|state\s+how|not)\b[^.;!?]*$",
    re.IGNORECASE,
)


def plain(text: str) -> str:
    """Model text without escape sequences, control characters or bidirectional overrides."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def _status_word(claim: str) -> str:
    """A claimed status in the rule's vocabulary."""
    words = " ".join(claim.lower().replace("_", " ").replace("-", " ").split())
    if words.startswith("not"):
        return "not_ready"
    if "condition" in words:
        return "conditional"
    return "ready"


def _asserted(text: str, start: int) -> bool:
    """A claim, not a hedge: no negation, condition or future just before it in its sentence."""
    return _HEDGE.search(text[max(0, start - 60) : start]) is None


def summary_contradictions(summary: str, verdict: Verdict) -> list[str]:
    """What the summary claims that the rule did not decide (empty when it agrees)."""
    found: list[str] = []
    overall = verdict.overall
    for match in _OVERALL.finditer(summary):
        claimed = _status_word(match.group(1))
        rule = {"conditional": "ready_with_conditions"}.get(claimed, claimed)
        if rule != overall and _asserted(summary, match.start()):
            found.append(f"claims the verdict is {rule} (the rule gave {overall})")
    every_ready = all(g.status == "ready" for g in verdict.gates.values())
    for match in _ALL_GATES.finditer(summary):
        if not every_ready and _asserted(summary, match.start()):
            found.append(f"claims all gates are {match.group(1).lower()} (the rule did not)")
    for match in _NO_CONDITIONS.finditer(summary):
        if verdict.conditions and _asserted(summary, match.start()):
            found.append(f"claims no conditions ({len(verdict.conditions)} are open)")
    for match in _GATE_CLAIM.finditer(summary):
        claimed = _status_word(match.group(2))
        for gate in re.findall(_GATE_NAMES, match.group(1).lower()):
            actual = verdict.gates[gate].status  # type: ignore[index]
            if claimed != actual and _asserted(summary, match.start()):
                found.append(f"claims the {gate} gate is {claimed} (the rule gave {actual})")
    return list(dict.fromkeys(found))


def condition_claims_met(text: str) -> bool:
    """Whether a phrased condition says it is already met rather than what would lift it."""
    for match in _CONDITION_MET.finditer(text):
        if _IMPERATIVE_GUARD.search(text[: match.start()]) is None:
            return True
    return False
