"""A Python caller that runs the graph with a server's JSON context gets the server's rules:
input is data only, paths stay under the documents root, Agent Inbox answers map to the same
decisions, and the users file decides who is who. No server process is needed for these.
"""

from __future__ import annotations

import asyncio
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from graphs.auth import identify, load_users
from graphs.inbox import ACTION, inbox_decision, is_inbox_answer
from graphs.review import build_graph
from graphs.submission import read_submission
from vocabulary.errors import GateReviewError

ROOT = Path(__file__).resolve().parents[2]
SECRET = "NOT-FOR-THE-REVIEW-51c9"


@pytest.fixture
def documents_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A documents root with one design and a link pointing out of it."""
    root = tmp_path / "documents"
    root.mkdir()
    shutil.copy(ROOT / "examples" / "middling-claims-triage.md", root / "design.md")
    (tmp_path / "private.md").write_text(f"# Private\n\n{SECRET}\n")
    (root / "shortcut.md").symlink_to(tmp_path / "private.md")
    monkeypatch.setenv("GATEREVIEW_DOCUMENTS_ROOT", str(root))
    return root


def _start(payload: dict[str, Any]) -> dict[str, Any]:
    graph = build_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "7d0c1c55-0000-4000-8000-000000000001"}}

    async def go() -> dict[str, Any]:
        await graph.ainvoke(payload, config, context={"model": "offline"})
        return (await graph.aget_state(config)).values

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("extra", "named"),
    [({"settings": {"mask": False}}, "settings"), ({"rubrics": {}}, "rubrics"),
     ({"since": "20260101-000000-0000"}, "since"), ({"run_id": "taken"}, "run_id")],
    ids=["settings", "rubrics", "since", "run_id"],
)  # fmt: skip
def test_a_server_context_refuses_configuration_in_the_input(
    documents_root: Path, extra: dict[str, Any], named: str
) -> None:
    with pytest.raises(GateReviewError, match=f"input {named}: not accepted"):
        _start({"paths": ["design.md"], **extra})


@pytest.mark.parametrize(
    "path", ["/etc/hostname", "../private.md", "shortcut.md", "nested/../../private.md"],
    ids=["absolute", "parent", "symlink-out", "climb-through-folder"],
)  # fmt: skip
def test_a_server_context_reads_no_file_outside_the_documents_root(
    documents_root: Path, path: str
) -> None:
    with pytest.raises(GateReviewError, match="documents root"):
        _start({"paths": [path]})


def test_a_server_context_reviews_files_under_the_root_and_texts(documents_root: Path) -> None:
    text = (documents_root / "design.md").read_text()
    values = _start({"paths": ["design.md"], "documents": [{"name": "notes.txt", "text": text}]})
    assert [d["path"] for d in values["documents"]] == ["design.md", "notes.txt"]
    assert values["project"] == "design.md + notes.txt" and values["verdict"]


def test_without_a_documents_root_a_server_reads_no_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GATEREVIEW_DOCUMENTS_ROOT", raising=False)
    with pytest.raises(GateReviewError, match="no documents root"):
        _start({"paths": [str(ROOT / "examples" / "middling-claims-triage.md")]})


@pytest.mark.parametrize(
    "raw",
    [{"paths": ["a.md"], "mask": False}, {"documents": [{"name": "../up.md", "text": "x"}]},
     {"documents": [{"name": ".hidden.md", "text": "x"}]}, {}, ["a.md"]],
    ids=["unknown-key", "name-with-folder", "hidden-name", "empty", "not-an-object"],
)  # fmt: skip
def test_a_submission_that_is_not_data_is_refused_in_one_line(raw: Any) -> None:
    with pytest.raises(GateReviewError) as caught:
        read_submission(raw)
    assert "\n" not in str(caught.value)


ANSWERS = [
    ([{"type": "accept", "args": None}], {"action": "approve", "reviewer": "li"}),
    ({"type": "response", "args": "No rollback plan"},
     {"action": "reject", "reviewer": "li", "comment": "No rollback plan"}),
    ([{"type": "edit", "args": {"action": ACTION, "args": {
        "verdict": "ready", "finding": "data.owners", "status": "dismissed",
        "reason": "Owned by the claims team"}}}],
     {"action": "amend", "reviewer": "li", "comment": "Owned by the claims team",
      "amendment": {"finding_id": "data.owners", "status": "dismissed",
                    "reason": "Owned by the claims team", "reviewer": "li"}}),
]  # fmt: skip


@pytest.mark.parametrize(("answer", "decision"), ANSWERS, ids=["accept", "respond", "edit"])
def test_agent_inbox_answers_are_the_decisions_the_cli_makes(answer: Any, decision: Any) -> None:
    assert is_inbox_answer(answer)
    assert inbox_decision(answer, "li") == decision


@pytest.mark.parametrize(
    ("answer", "reason"),
    [([{"type": "ignore", "args": None}], "ignore is no decision"),
     ([{"type": "accept", "args": None}, {"type": "accept", "args": None}], "exactly one"),
     ({"type": "response", "args": "  "}, "say why"),
     ({"type": "edit", "args": {"action": ACTION, "args": {"finding": "data.owners"}}},
      "set status, reason"),
     ({"type": "approve_all", "args": None}, "unknown answer type")],
    ids=["ignore", "two-answers", "empty-response", "edit-without-fields", "unknown-type"],
)  # fmt: skip
def test_agent_inbox_answers_that_decide_nothing_say_why(answer: Any, reason: str) -> None:
    problem = inbox_decision(answer, "li")
    assert isinstance(problem, str) and reason in problem


def test_an_inbox_answer_without_an_authenticated_reviewer_is_refused() -> None:
    assert "names no reviewer" in str(inbox_decision({"type": "accept", "args": None}, None))


def test_a_token_is_known_by_its_hash_and_a_bad_users_file_is_one_line(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"s3cret-token").hexdigest()
    good = tmp_path / "users.toml"
    good.write_text(f'[users.ana]\ntoken_sha256 = "{digest}"\nroles = ["approver"]\n')
    users = load_users(good)
    found = identify(users, "Bearer s3cret-token")
    assert found is not None and found[0] == "ana" and found[1].roles == ["approver"]
    assert identify(users, "Bearer s3cret-tokeN") is None
    assert identify(users, "s3cret-token") is None  # not a bearer credential
    bad = tmp_path / "bad.toml"
    bad.write_text('[users.ana]\ntoken_sha256 = "s3cret-token"\nroles = ["root"]\n')
    with pytest.raises(GateReviewError, match="server users file") as caught:
        load_users(bad)
    assert "\n" not in str(caught.value) and "s3cret" not in str(caught.value)
