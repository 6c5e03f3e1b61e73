"""The five rubrics load and keep the shape the reviewers rely on."""

from __future__ import annotations

import tomllib

import pytest

from agents.coordinator import PATTERN_CRITERION, SLA_CRITERION
from agents.rubric import RUBRIC_DIR, load_rubric, load_rubrics
from tools.retrieval import phrases
from vocabulary.models import GATES, Gate


@pytest.mark.parametrize("gate", GATES)
def test_rubric_loads_with_six_to_twelve_criteria(gate: Gate) -> None:
    rubric = load_rubric(gate)
    assert rubric.title and rubric.question
    assert 6 <= len(rubric.criteria) <= 12
    assert rubric.digest


@pytest.mark.parametrize("gate", GATES)
def test_every_criterion_has_its_required_fields(gate: Gate) -> None:
    for criterion in load_rubric(gate).criteria:
        assert criterion.id.startswith(f"{gate}.")
        assert criterion.title and criterion.question and criterion.good_evidence
        assert criterion.red_flags and all(flag.strip() for flag in criterion.red_flags)
        assert criterion.terms and criterion.specifics
        assert criterion.severity in ("blocker", "major", "minor")


@pytest.mark.parametrize("gate", GATES)
def test_every_gate_has_a_blocker(gate: Gate) -> None:
    assert any(c.severity == "blocker" for c in load_rubric(gate).criteria)


def test_criterion_ids_are_unique_across_gates() -> None:
    ids = [c.id for rubric in load_rubrics().values() for c in rubric.criteria]
    assert len(ids) == len(set(ids))


def test_the_coordinator_platform_checks_exist() -> None:
    platform = load_rubrics()["platform"]
    assert platform.criterion(SLA_CRITERION).id == "platform.sla_triangle"
    assert platform.criterion(PATTERN_CRITERION).id == "platform.pattern_fit"


def test_rubric_files_carry_only_known_top_level_keys() -> None:
    for gate in GATES:
        data = tomllib.loads((RUBRIC_DIR / f"{gate}.toml").read_text(encoding="utf-8"))
        assert set(data) == {"title", "question", "criteria"}


def test_no_phrase_shrinks_to_one_word_once_stopwords_are_dropped() -> None:
    # "reviewed by" would match every "review": a phrase must keep two content words.
    checked = 0
    for rubric in load_rubrics().values():
        for criterion in rubric.criteria:
            for entry in [*criterion.terms, *criterion.specifics, *criterion.red_flags]:
                if len(entry.replace("...", " ").split()) > 1:
                    checked += 1
                    assert len(phrases([entry])[0]) >= 2, f"{criterion.id}: {entry!r}"
    assert checked > 0
