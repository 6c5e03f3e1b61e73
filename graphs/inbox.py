"""The human-review question in LangGraph's HumanInterrupt schema (what Agent Inbox shows), and
its answers read as decisions.

The question is one HumanInterrupt: `action_request` (the action and its arguments: the
verdict, per-gate statuses, conditions and findings, plus three empty amendment fields),
`config` (what the inbox offers) and `description` (the same, as Markdown). The answers map as:

- accept: approve;
- response (text): reject the whole run, the text as the comment;
- edit: amend one finding: the edited arguments' `finding`, `status` and `reason` (the other
  arguments are shown, not read: a verdict is recomputed by the coordinator, never edited);
- ignore: no decision; refused, the run stays awaiting one (the inbox does not offer it).

A plain decision (`{"action": ..., "reviewer": ...}`, as the CLI and Python callers send)
is read as it is. Either way the human-review node validates and claims the same Decision.
"""

from __future__ import annotations

from typing import Any

from vocabulary.models import Verdict

ACTION = "Decide on review"
AMEND_FIELDS = ("finding", "status", "reason")


def _finding_lines(state: dict[str, Any]) -> list[str]:
    lines = []
    for review in (state.get("reviews") or {}).values():
        for f in review.get("findings", []):
            lines.append(f"{f['id']}: {f['status']} ({f['severity']}) {f['summary']}")
    return lines


def review_request(state: dict[str, Any], error: str | None = None) -> dict[str, Any]:
    """The HumanInterrupt asking for a decision on this run (with why the last was refused)."""
    verdict = Verdict.model_validate(state["verdict"])
    gates = {g: v.status for g, v in verdict.gates.items()}
    conditions = verdict.model_dump(mode="json")["conditions"]
    findings = _finding_lines(state)
    args: dict[str, Any] = {
        "run_id": state["run_id"],
        "verdict": verdict.overall,
        "gates": gates,
        "conditions": conditions,
        "findings": findings,
        **{name: "" for name in AMEND_FIELDS},
    }
    if error:
        args["error"] = error
    parts = [
        f"**Run {state['run_id']}: {verdict.overall}**",
        "Gates: " + ", ".join(f"{g} {s}" for g, s in gates.items()),
        "Conditions:\n" + "\n".join(f"- {c}" for c in conditions) if conditions else "",
        "Findings:\n" + "\n".join(f"- {line}" for line in findings),
        "Accept approves; a response rejects with your text as the comment; edit `finding`, "
        "`status` and `reason` to amend one finding.",
        f"Refused: {error}" if error else "",
    ]
    return {
        "action_request": {"action": ACTION, "args": args},
        "config": {
            "allow_accept": True,
            "allow_respond": True,
            "allow_edit": True,
            "allow_ignore": False,
        },
        "description": "\n\n".join(p for p in parts if p),
    }


def is_inbox_answer(raw: Any) -> bool:
    """True for an Agent Inbox answer: a HumanResponse, or a list holding one."""
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    return isinstance(raw, dict) and "type" in raw and "action" not in raw


def inbox_decision(raw: Any, reviewer: str | None) -> dict[str, Any] | str:
    """The decision an Agent Inbox answer stands for, or why it stands for none."""
    if isinstance(raw, list):
        if len(raw) != 1:
            return "an answer carries exactly one response"
        raw = raw[0]
    kind, args = raw.get("type"), raw.get("args")
    if kind == "ignore":
        return "ignore is no decision: the run still awaits one (accept, respond or edit)"
    if not reviewer:
        return f"an Agent Inbox {kind} names no reviewer: the server needs auth to know who"
    if kind == "accept":
        return {"action": "approve", "reviewer": reviewer}
    if kind == "response":
        if not isinstance(args, str) or not args.strip():
            return "a response rejects the run: say why in its text"
        return {"action": "reject", "reviewer": reviewer, "comment": args}
    if kind == "edit":
        edited = args.get("args") if isinstance(args, dict) else None
        if not isinstance(edited, dict):
            return "an edit carries the edited arguments"
        fields = {name: str(edited.get(name) or "").strip() for name in AMEND_FIELDS}
        missing = [name for name, value in fields.items() if not value]
        if missing:
            return f"an edit amends one finding: set {', '.join(missing)}"
        amendment = {
            "finding_id": fields["finding"],
            "status": fields["status"],
            "reason": fields["reason"],
            "reviewer": reviewer,
        }
        return {
            "action": "amend",
            "reviewer": reviewer,
            "comment": fields["reason"],
            "amendment": amendment,
        }
    return f"unknown answer type {kind!r}: accept, response or edit"
