"""Each built-in criterion names the framework clauses it evidences, from the real identifiers."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.frameworks import FRAMEWORKS, known_clauses
from agents.rubric import Criterion
from agents.rubric_set import builtin_rubric_set, load_rubric_set
from vocabulary.errors import RubricError

CRITERIA = [c for r in builtin_rubric_set().rubrics.values() for c in r.criteria]


def test_the_identifier_lists_match_the_published_tables() -> None:
    nist, iso, eu = (known_clauses(f) for f in FRAMEWORKS)
    assert len(nist) == 72 and len(set(nist)) == 72
    assert {"GOVERN 1.7", "MAP 5.2", "MEASURE 2.13", "MANAGE 4.3"} <= set(nist)
    assert "MEASURE 2.14" not in nist and "MAP 6.1" not in nist
    assert len(iso) == 38 and iso[0] == "A.2.2" and iso[-1] == "A.10.4"
    assert {"A.6.2.8", "A.7.6", "A.9.4"} <= set(iso) and "A.7.7" not in iso
    assert eu[0] == "Art. 1" and eu[-1] == "Art. 113"


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda c: c.id)
def test_every_built_in_criterion_maps_to_a_nist_subcategory(criterion: Criterion) -> None:
    refs = criterion.frameworks
    assert refs.nist_ai_rmf, f"{criterion.id} names no NIST AI RMF subcategory"
    assert refs.iso42001, f"{criterion.id} names no ISO/IEC 42001 control"
    for framework in FRAMEWORKS:
        assert set(refs.clauses(framework)) <= set(known_clauses(framework))


def test_the_high_risk_articles_are_each_evidenced_by_some_criterion() -> None:
    mapped = {a for c in CRITERIA for a in c.frameworks.eu_ai_act}
    assert {"Art. 9", "Art. 10", "Art. 12", "Art. 13", "Art. 14", "Art. 15"} <= mapped


@pytest.mark.parametrize(
    ("frameworks", "expected"),
    [
        pytest.param('{ nist_ai_rmf = ["MAP 9.9"] }', "'MAP 9.9' is not an identifier of NIST",
                     id="nist"),
        pytest.param('{ iso42001 = ["A.11.1"] }', "'A.11.1' is not an identifier of ISO/IEC",
                     id="iso"),
        pytest.param('{ eu_ai_act = ["Art. 200"] }', "'Art. 200' is not an identifier of EU AI",
                     id="eu"),
        pytest.param('{ cobit = ["X"] }', "frameworks.cobit: Extra inputs are not permitted",
                     id="unknown-framework"),
    ],
)
def test_an_unknown_clause_is_a_rubric_error_naming_file_and_criterion(
    tmp_path: Path, frameworks: str, expected: str
) -> None:
    (tmp_path / "data.toml").write_text(
        f'[[criteria]]\nid = "data.owners"\nframeworks = {frameworks}\n', encoding="utf-8"
    )
    with pytest.raises(RubricError) as caught:
        load_rubric_set(tmp_path)
    assert "data.toml: criterion data.owners: frameworks." in str(caught.value)
    assert expected in str(caught.value)
