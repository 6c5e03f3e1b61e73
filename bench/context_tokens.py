"""Tokens sent per review: our excerpt selection against the whole document to every gate.

Run from the repository root: `python bench/context_tokens.py [document] [budget ...]`
(default: the largest example at the default budget, then at smaller budgets). Offline: each
gate's prompt is rendered exactly as the gate agent sends it and estimated with the same
four-characters-per-token rule that keeps the excerpts in budget. "Whole" is the same prompt
with every section of the document in it, for all five gates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from agents.gate import gate_messages
from agents.rubric import load_rubrics
from graphs.settings import Settings
from tools.documents import load_documents
from tools.excerpts import estimate_tokens, select_excerpts
from tools.retrieval import SectionIndex

ROOT = Path(__file__).resolve().parent.parent
LARGEST = ROOT / "examples" / "strong-contract-search.md"
EVERYTHING = 10**9


def review_tokens(path: Path, max_tokens: int) -> tuple[int, int, int, int]:
    """Prompt tokens and document tokens per review, for a budget and for whole documents."""
    documents = load_documents([path]).documents
    index = SectionIndex(documents)
    prompt = {"selected": 0, "whole": 0}
    excerpts = {"selected": 0, "whole": 0}
    for rubric in load_rubrics().values():
        queries = [c.terms for c in rubric.criteria]
        for name, budget in (("selected", max_tokens), ("whole", EVERYTHING)):
            chosen = select_excerpts(documents, index, queries, budget, redact=True)
            messages, _ = gate_messages(rubric, chosen, None, web=False)
            prompt[name] += sum(estimate_tokens(m["content"]) for m in messages)
            excerpts[name] += chosen.tokens
    return prompt["selected"], prompt["whole"], excerpts["selected"], excerpts["whole"]


def main(argv: list[str]) -> None:
    """Print the figures for each budget."""
    path = Path(argv[0]) if argv else LARGEST
    default = Settings().max_context_tokens
    budgets = [int(b) for b in argv[1:]] or [default, 3000, 1500]
    print(f"{path.name}: estimated tokens sent per review (five gates, 4 chars per token)")
    print(f"{'max-context-tokens':>18} {'prompts':>9} {'whole x5':>9} {'ratio':>6}"
          f" {'excerpts':>9} {'doc x5':>8}")  # fmt: skip
    for budget in budgets:
        selected, whole, doc_selected, doc_whole = review_tokens(path, budget)
        print(f"{budget:>18} {selected:>9} {whole:>9} {selected / whole:>6.0%}"
              f" {doc_selected:>9} {doc_whole:>8}")  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
