"""Offline reviews of long documents: the whole process, and each step per 10,000 words.

`python main.py review DOC` with the built-in reviewer is timed as a user runs it (start-up,
reading, the five gates, checkpoints, trace, output and exit), with its peak memory. The steps
that grow with the document (reading the file, the scan for text aimed at reviewers, the section
index and the offline reading of the five gates) are timed in this process on the same
documents, as CPU seconds per 10,000 words: flat figures mean linear time.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from processes import Run, median_run

from agents.offline import review_gate_offline
from agents.rubric import load_rubrics
from guard import find_reviewer_instructions
from tools.documents import load_documents
from tools.retrieval import SectionIndex

STEPS = ("read", "scan", "index", "reading")


@dataclass
class Steps:
    """CPU seconds of each step that grows with the document, for one document."""

    words: int
    seconds: dict[str, float]

    def per_10k(self, step: str) -> float:
        """CPU seconds of a step per 10,000 words."""
        return self.seconds[step] * 10_000 / self.words


def review_process(document: Path, repeats: int = 3) -> Run:
    """The median `python main.py review DOCUMENT` (offline) in a fresh workspace each time."""
    with tempfile.TemporaryDirectory() as home:
        return median_run("review", str(document), "--home", home, "--json", repeats=repeats)


def steps(document: Path) -> Steps:
    """CPU seconds of reading, scanning, indexing and the five gates' offline reading."""
    seconds: dict[str, float] = {}
    started = time.process_time()
    documents = load_documents([str(document)]).documents
    seconds["read"] = time.process_time() - started
    started = time.process_time()
    find_reviewer_instructions(documents)
    seconds["scan"] = time.process_time() - started
    started = time.process_time()
    index = SectionIndex(documents)
    seconds["index"] = time.process_time() - started
    started = time.process_time()
    for rubric in load_rubrics().values():
        review_gate_offline(rubric, documents, index)
    seconds["reading"] = time.process_time() - started
    words = sum(len(" ".join(d.lines).split()) for d in documents)
    return Steps(words, seconds)
