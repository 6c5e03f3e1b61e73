"""The gate agent: one class, driven by a rubric, reviewing documents for one gate."""

from __future__ import annotations

from agents.models import GateReview
from agents.offline import review_gate_offline
from agents.rubric import Rubric
from tools.documents import Document
from tools.retrieval import SectionIndex


class GateAgent:
    """Reviews the documents against one gate's rubric with the configured model."""

    def __init__(self, rubric: Rubric, model: str = "offline") -> None:
        self.rubric = rubric
        self.model = model

    async def review(
        self, documents: list[Document], index: SectionIndex, guidance: str | None = None
    ) -> GateReview:
        """Findings for every criterion of the gate."""
        return review_gate_offline(self.rubric, documents, index=index, guidance=guidance)
