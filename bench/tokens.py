"""Tokens a review sends against the naive "whole documents to every gate", and what it keeps.

For each gate the prompt is rendered exactly as the gate agent sends it (masked, at the default
context budget) and its tokens estimated at four characters each, the rule the budget itself
uses; "naive" is the same prompt with every section of every document in it. Whether the
selection keeps what the findings rest on is checked with the offline reviewer as a stand-in
model: `kept` is the share of the quotes it takes from the whole documents that are in what the
gate was sent, and `same` the share of criteria it grades the same reading only the excerpts
(as the tests' fake model does).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fakes.openai_server import excerpt_documents  # noqa: E402

from agents.gate import gate_messages  # noqa: E402
from agents.offline import review_gate_offline  # noqa: E402
from agents.rubric import load_rubrics  # noqa: E402
from graphs.settings import Settings  # noqa: E402
from tools.documents import Document, load_documents  # noqa: E402
from tools.excerpts import estimate_tokens  # noqa: E402
from tools.retrieval import SectionIndex  # noqa: E402
from tools.selection import select_excerpts  # noqa: E402

EVERYTHING = 10**9


@dataclass
class TokenFigures:
    """One document set's tokens per review and what the selection kept."""

    words: int
    sent: int
    naive: int
    quotes_kept: int
    quotes: int
    same_status: int
    criteria: int

    @property
    def ratio(self) -> float:
        """Tokens sent over naive tokens."""
        return self.sent / self.naive


def _prompt_tokens(messages: list[dict[str, str]]) -> int:
    return sum(estimate_tokens(m["content"]) for m in messages)


def measure(paths: list[Path], max_tokens: int | None = None) -> TokenFigures:
    """The figures for one document set at a context budget (default: the settings')."""
    budget = max_tokens or Settings().max_context_tokens
    documents = load_documents([str(p) for p in paths]).documents
    index = SectionIndex(documents)
    figures = TokenFigures(sum(len(" ".join(d.lines).split()) for d in documents), 0, 0, 0, 0, 0, 0)
    for rubric in load_rubrics().values():
        queries = [c.terms for c in rubric.criteria]
        chosen = select_excerpts(documents, index, queries, budget, redact=True)
        messages, _ = gate_messages(rubric, chosen, None, web=False)
        figures.sent += _prompt_tokens(messages)
        whole = select_excerpts(documents, index, queries, EVERYTHING, redact=True)
        figures.naive += _prompt_tokens(gate_messages(rubric, whole, None, web=False)[0])
        _compare(figures, rubric.gate, documents, index, messages[1]["content"])
    return figures


def _compare(
    figures: TokenFigures, gate: str, documents: list[Document], index: SectionIndex, prompt: str
) -> None:
    """Count the whole-document offline quotes the prompt holds and the statuses it keeps."""
    rubric = load_rubrics()[gate]  # type: ignore[index]
    full = review_gate_offline(rubric, documents, index)
    shown = excerpt_documents(prompt)
    seen = review_gate_offline(rubric, shown) if shown else None
    text = "\n".join(line for d in shown for line in d.lines)
    for finding in full.findings:
        for quote in finding.document_evidence:
            figures.quotes += 1
            figures.quotes_kept += quote.quote in text
        mine = next((f for f in seen.findings if f.id == finding.id), None) if seen else None
        figures.criteria += 1
        figures.same_status += mine is not None and mine.status == finding.status


@dataclass
class Cost:
    """One review's tokens, counted by the model's tokenizer, and its price."""

    model: str
    input_tokens: int
    output_tokens: int
    usd: float


def review_cost(trace: Path, model: str) -> Cost:
    """What the model calls recorded in a review's trace would cost at `model`'s list prices
    (litellm's bundled map), counting tokens with the model's tokenizer as litellm does: the
    messages sent, the response schema, and the answer written."""
    import litellm  # the price map and the tokenizer

    from agents.answers import GateAnswer, SummaryAnswer
    from traces.viewer import load_records

    prices = litellm.model_cost[model.split("/", 1)[-1]]
    schemas = {"GateAnswer": GateAnswer, "SummaryAnswer": SummaryAnswer}
    tokens_in = tokens_out = 0
    for record in load_records(trace):
        if record.kind != "llm_call":
            continue
        attributes = record.attributes
        schema = schemas[
            "SummaryAnswer" if attributes["gatereview.purpose"] == "summary" else "GateAnswer"
        ]
        tokens_in += litellm.token_counter(
            model=model, messages=attributes["gen_ai.input.messages"]
        )
        tokens_in += litellm.token_counter(model=model, text=str(schema.model_json_schema()))
        tokens_out += litellm.token_counter(model=model, text=attributes["gen_ai.output.messages"])
    usd = tokens_in * prices["input_cost_per_token"] + tokens_out * prices["output_cost_per_token"]
    return Cost(model, tokens_in, tokens_out, usd)


def main(argv: list[str]) -> None:
    """Print the figures for documents given on the command line."""
    budget = int(argv[1]) if len(argv) > 1 else None
    figures = measure([Path(argv[0])], budget)
    print(
        f"{figures.words} words: {figures.sent}/{figures.naive} tokens ({figures.ratio:.2f}), "
        f"quotes kept {figures.quotes_kept}/{figures.quotes}, "
        f"same status {figures.same_status}/{figures.criteria}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
