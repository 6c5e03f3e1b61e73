"""The model path on the calibration documents: recorded answers replayed through the real client.

Each document's five gate agents run as in a review (text aimed at reviewers withheld, sections
retrieved, the prompt rendered, litellm and the openai client calling an OpenAI-compatible
server on 127.0.0.1, quotes verified and repaired), with the recordings in
`evals/calibration/<document>.jsonl` served by `ReplayServer`. A request with no recording is a
miss; with `capture`, it is also saved whole for someone to answer (see evals.capture).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from agents.gate import GateAgent, ModelRuntime
from agents.llm import Budget, ModelSettings, make_limiter
from agents.rubric import load_rubrics
from evals.calibration_docs import LabelledDocument
from evals.recording import load_recording
from evals.replay_server import Miss, ReplayServer
from graphs.settings import Settings
from guard import find_reviewer_instructions, without_instructions
from tools.documents import Document
from tools.retrieval import SectionIndex
from vocabulary.models import GATES, Gate, GateReview

RECORDINGS_DIR = Path(__file__).parent / "calibration"
MODEL = "openai/strong-general-purpose-model"


def recording_path(name: str, directory: Path = RECORDINGS_DIR) -> Path:
    """The recording file of one calibration document."""
    return directory / f"{Path(name).stem}.jsonl"


@dataclass
class ModelOutcome:
    """One document's gate reviews by the model path, and the requests that had no recording."""

    name: str
    reviews: dict[Gate, GateReview]
    misses: list[Miss] = field(default_factory=list)


def _runtime(api_base: str) -> ModelRuntime:
    settings = ModelSettings(
        model=MODEL, api_base=api_base, api_key="replay", max_retries=0, retry_wait_s=0
    )
    defaults = Settings()
    return ModelRuntime(
        settings=settings,
        budget=Budget(None),
        limiter=make_limiter(len(GATES)),
        max_context_tokens=defaults.max_context_tokens,
        redact=True,  # what a hosted model would be sent
        web=False,
    )


def _visible(document: Document) -> list[Document]:
    """The document as gate agents read it: text aimed at reviewers withheld."""
    hits = find_reviewer_instructions([document])
    return without_instructions([document], hits)


async def _review(documents: list[Document], runtime: ModelRuntime) -> dict[Gate, GateReview]:
    index = SectionIndex(documents)
    rubrics = load_rubrics()
    outcomes = await asyncio.gather(
        *(GateAgent(rubrics[g], runtime).review(documents, index) for g in GATES)
    )
    return {g: o.review for g, o in zip(GATES, outcomes, strict=True)}


async def replay_documents(
    labelled: list[LabelledDocument],
    directory: Path = RECORDINGS_DIR,
    capture: Path | None = None,
) -> list[ModelOutcome]:
    """Every document's gates through the real client against its recording; with `capture`,
    requests without a recording are saved in `capture/<document stem>/`."""
    outcomes = []
    with ReplayServer() as server:
        runtime = _runtime(server.api_base)
        for item in labelled:
            if capture is not None:
                server.capture = capture / Path(item.name).stem
                server.capture.mkdir(parents=True, exist_ok=True)
            server.load(load_recording(recording_path(item.name, directory)))
            reviews = await _review(_visible(item.document), runtime)
            outcomes.append(ModelOutcome(item.name, reviews, list(server.misses)))
    return outcomes
