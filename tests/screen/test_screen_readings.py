"""This passage -> this reading: the screen's marks, one row per kind of text. Wordings are our
own; add a row for every passage that motivates a change to `screen/markers.toml`."""

from __future__ import annotations

import pytest

from screen.markers import Marks, is_placeholder, read_marks
from tools.retrieval import Passage, tokenize


def _passage(text: str, heading: tuple[str, ...] = ("Design",), lead_in: str = "") -> Passage:
    return Passage(
        path="d.md",
        line_start=1,
        line_end=1,
        text=text,
        heading=heading,
        tokens=tuple(tokenize(text, keep_stopwords=False)),
        lead_in=lead_in,
    )


def _word(text: str, heading: tuple[str, ...] = ("Design",), lead_in: str = "") -> str:
    return read_marks(_passage(text, heading, lead_in)).word


@pytest.mark.parametrize(
    "value",
    ["TBD", "tbc", "N/A", "n/a", "?", "??", "-", "\u2014", "\u2013", "", "XXX", "xxxx", "(name)",
     "[owner]", "<team>", "Jane Doe", "John Smith", "Joe Bloggs", "lorem ipsum dolor", "Vacant",
     "unassigned",
     "to be confirmed", "Not yet appointed", "Phase 2", "stage 3", "awaiting sign-off from HR",
     "pending", "unknown", "Insert name here", "name goes here", "..."],
)  # fmt: skip
def test_a_value_that_names_nobody_is_a_placeholder(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    ["Finance Data team", "Head of Claims Operations", "Priya Raman (data steward)",
     "the Platform squad", "Counter-Fraud Analytics Manager", "Records Office"],
)  # fmt: skip
def test_a_value_that_names_a_person_role_or_team_is_not_a_placeholder(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Ledger feed | Finance Data team | nightly", "statement"),
        ("Ledger feed | ? | nightly", "statement"),  # one real value is enough
        ("Ledger feed | — | —", "placeholder"),
        ("Owner: (name)", "placeholder"),
        ("Data steward - vacant", "placeholder"),
        ("Which team approves access to the ledger?", "uncommitted"),
        ("Example: the claims team owns the policy feed.", "uncommitted"),
        ("e.g. refreshed every night with an alert after a day", "uncommitted"),
        ("Data lineage is defined as the record of where each field came from.", "uncommitted"),
        ("Ideally every source would have a named owner.", "uncommitted"),
        ("In most firms the platform team runs the model gateway.", "uncommitted"),
        ("Across many councils the digital team owns the gateway.", "uncommitted"),
        ("In most cases the assistant answers within 3 seconds.", "statement"),
        ("Our consultancy advisers recommend weekly evaluation runs.", "uncommitted"),
        ("The supplier recommends a nightly re-index with alerts.", "uncommitted"),
        ("A shared vector store was rejected because of cost.", "uncommitted"),
        ("Teams could consider adding prompt regression tests.", "uncommitted"),
        ("Retention periods are to be agreed with the records office.", "deferred"),
        ("Cost dashboards will be added after go-live.", "deferred"),
        ("Monitoring belongs to a later phase of the programme.", "deferred"),
        ("Access reviews are not part of the initial release.", "deferred"),
        ("We have not yet decided who owns the index.", "deferred"),
        ("The claims data team owns the policy feed and approves access.", "statement"),
        ("Every answer links to the page it came from.", "statement"),
        ("No personal data leaves the UK region.", "statement"),
    ],
)
def test_a_passage_reads_as(text: str, word: str) -> None:
    assert _word(text) == word


@pytest.mark.parametrize(
    ("heading", "word"),
    [
        (("Glossary",), "uncommitted"),
        (("Appendix", "Terms used"), "uncommitted"),
        (("Questions for the steering group",), "uncommitted"),
        (("Options not chosen",), "uncommitted"),
        (("Roadmap",), "deferred"),
        (("Future enhancements",), "deferred"),
        (("Operations",), "statement"),
    ],
)
def test_the_headings_above_a_passage_set_how_it_reads(heading: tuple[str, ...], word: str) -> None:
    assert _word("The platform team runs the gateway on two regions.", heading) == word


def test_items_introduced_as_examples_commit_to_nothing() -> None:
    assert _word("Finance team owns the ledger", lead_in="For example:") == "uncommitted"


def test_a_sentence_that_only_starts_like_a_stage_is_not_a_placeholder() -> None:
    passage = _passage("Phase 1 delivers the claims triage to two regions.")
    assert not read_marks(passage).placeholder


def test_marks_say_whether_they_commit() -> None:
    assert Marks().committed
    assert not Marks(placeholder=True).committed and Marks(placeholder=True).hollow
    assert not Marks(deferral=True).committed and not Marks(deferral=True).hollow
