"""The coordinator's model: an executive summary and phrased conditions for a fixed verdict.

The model sees the statuses the rule decided and may only write prose about them. A condition
it phrases replaces the rule's wording only when it cites a finding id that is really a
condition and does not call that condition met; its summary is kept only when it claims no
status the rule did not give (`agents.prose`). Whatever is rejected keeps the rule's wording,
and each check is traced.
"""

from __future__ import annotations

from agents.answers import SummaryAnswer
from agents.events import AgentEvent, degradation_event, llm_event, prose_event
from agents.gate import ModelRuntime
from agents.llm import ModelCallError
from agents.models import Finding, Usage, Verdict
from agents.prompts import render
from agents.prose import condition_claims_met, summary_contradictions
from agents.rubric import Rubric


def _condition_ids(verdict: Verdict) -> list[str]:
    return [c.split(":", 1)[0] for c in verdict.conditions]


def _criterion_question(rubrics: dict[str, Rubric], cid: str) -> str | None:
    """The criterion's question, or None for a condition that is not a criterion's (a gate
    lowered by its reviewer's judgement)."""
    rubric = rubrics.get(cid.split(".")[0])
    try:
        return rubric.criterion(cid).question if rubric is not None else None
    except KeyError:
        return None


async def write_summary(
    verdict: Verdict, findings: list[Finding], rubrics: dict[str, Rubric], rt: ModelRuntime
) -> tuple[Verdict, list[AgentEvent], Usage]:
    """The verdict with the model's summary and conditions; the rule's text if the model fails."""
    ids = _condition_ids(verdict)
    by_id = {f.id: f for f in findings}
    conditions = [
        {
            "id": cid,
            "question": question,
            "note": by_id[cid].summary if cid in by_id else "no finding",
        }
        for cid in ids
        if (question := _criterion_question(rubrics, cid)) is not None
    ]
    prompt = render(
        "coordinator", overall=verdict.overall, gates=verdict.gates, conditions=conditions
    )
    messages = [{"role": "user", "content": prompt.text}]
    try:
        result = await rt.complete(messages, SummaryAnswer, "summary")
    except ModelCallError as exc:
        event = degradation_event("summary", str(exc), exc.kind)
        return verdict.model_copy(update={"summary_by": f"rule ({exc.kind})"}), [event], exc.usage
    events = [llm_event(result, messages, "coordinator", {"coordinator": prompt.sha256})]
    # Only ids that really are conditions, and only real sentences that do not call the
    # condition met, replace the rule's wording.
    asked = {c["id"] for c in conditions}
    phrased: dict[str, str] = {}
    for item in result.parsed.conditions:
        text = " ".join(item.text.split())
        if item.finding_id not in asked or not text or item.finding_id in phrased:
            continue
        if condition_claims_met(text):
            events.append(prose_event(item.finding_id, ["calls an open condition met"], text))
            continue
        phrased[item.finding_id] = text
    texts = [
        f"{cid}: {phrased[cid]}" if cid in phrased else old
        for cid, old in zip(ids, verdict.conditions, strict=True)
    ]
    gates = {
        g: v.model_copy(
            update={"conditions": [texts[ids.index(c.split(":", 1)[0])] for c in v.conditions]}
        )
        for g, v in verdict.gates.items()
    }
    summary, summary_by = result.parsed.summary.strip(), result.model
    contradictions = summary_contradictions(summary, verdict) if summary else []
    events.append(prose_event("summary", contradictions, summary))
    if contradictions or not summary:
        summary, summary_by = verdict.summary, "rule (contradiction)" if summary else "rule"
    updated = verdict.model_copy(
        update={"summary": summary, "conditions": texts, "gates": gates, "summary_by": summary_by}
    )
    return updated, events, result.usage
