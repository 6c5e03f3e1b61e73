"""Agreement figures between our gate statuses and a reviewer's, on hand-made pairs."""

from __future__ import annotations

import pytest

from evals.agreement import agreement, cohen_kappa


def test_perfect_agreement_is_kappa_one() -> None:
    pairs = [("ready", "ready"), ("conditional", "conditional"), ("not_ready", "not_ready")]
    assert cohen_kappa(pairs) == pytest.approx(1.0)


def test_kappa_corrects_for_chance() -> None:
    # 20 gates: the reviewer says conditional 15 times; we always say conditional. Raw
    # agreement is 75 %, but a constant answer has no skill: kappa 0.
    pairs = [("conditional", "conditional")] * 15 + [("not_ready", "conditional")] * 5
    a = agreement(pairs)
    assert a.rate == pytest.approx(0.75)
    assert a.kappa == pytest.approx(0.0)


def test_kappa_against_a_worked_example() -> None:
    # Two raters, 50 items: agree on 20 "not_ready" and 15 "conditional"; 5 and 10 disagree.
    pairs = (
        [("not_ready", "not_ready")] * 20
        + [("not_ready", "conditional")] * 5
        + [("conditional", "not_ready")] * 10
        + [("conditional", "conditional")] * 15
    )
    # observed 0.7; chance = (25*30 + 25*20) / 2500 = 0.5; kappa = 0.4
    assert cohen_kappa(pairs) == pytest.approx(0.4)


def test_no_items_and_no_variation_have_no_kappa() -> None:
    assert cohen_kappa([]) is None
    assert cohen_kappa([("conditional", "conditional")] * 3) is None


def test_confusion_not_ready_figures_and_false_ready() -> None:
    pairs = [
        ("not_ready", "not_ready"),
        ("not_ready", "conditional"),
        ("conditional", "not_ready"),
        ("conditional", "ready"),
        ("ready", "ready"),
        ("not_ready", "not_ready"),
    ]
    a = agreement(pairs)
    assert a.confusion["not_ready"] == {"ready": 0, "conditional": 1, "not_ready": 2}
    assert a.confusion["conditional"] == {"ready": 1, "conditional": 0, "not_ready": 1}
    assert a.not_ready_recall == pytest.approx(2 / 3)
    assert a.not_ready_precision == pytest.approx(2 / 3)
    assert a.false_ready == 1
    assert (a.agreed, a.n) == (3, 6)
