"""Amendments that last: carried to a later review of the project while their text is unchanged,
and marked "check again" when it changed; an amended finding says what the reviewer decided."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

from fakes.cli import cli_json
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from agents.rubric import load_rubrics
from graphs.amendments import anchored, carry_amendments
from graphs.context import make_context
from graphs.review import build_graph
from graphs.settings import Settings
from tools.documents import load_documents
from tools.retrieval import SectionIndex
from vocabulary.models import Amendment, Decision, Evidence, Finding

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "middling-claims-triage.md"
AGAIN = "amended before, text changed: check again"


def _finding(view: dict, finding_id: str) -> dict:
    return next(f for f in view["findings"] if f["id"] == finding_id)


def _amend(run_id: str, who: str, finding: str, status: str, reason: str) -> dict:
    return cli_json(
        "amend", run_id, "--reviewer", who, "--finding", finding, "--status", status,
        "--reason", reason,
    )  # fmt: skip


def test_a_re_review_with_one_section_edited_carries_what_that_edit_did_not_touch(
    tmp_path: Path, workspace: Path
) -> None:
    doc = tmp_path / "design.md"
    shutil.copy(EXAMPLE, doc)
    first = cli_json("review", str(doc), "--project", "claims")
    run_a = first["run_id"]
    # Two amended findings whose quotes are not edited: both carried. Two whose quotes are
    # edited: both to check again.
    _amend(run_a, "ana", "data.quality", "not_applicable", "reads the live system of record")
    _amend(run_a, "ana", "change.embedding", "partial", "the rota change is in annex D")
    _amend(run_a, "li", "change.training", "met", "training plan in annex B")
    _amend(run_a, "li", "risk.human_oversight", "met", "handlers accept each proposal")
    decided = cli_json("approve", run_a, "--reviewer", "ana")
    text = doc.read_text(encoding="utf-8")
    for criterion in ("change.training", "risk.human_oversight"):
        quoted = _finding(first, criterion)["evidence"][0]["quote"]
        assert quoted in text
        text = text.replace(quoted, quoted.replace(" ", " now ", 1))  # the quoted text edited
    for criterion in ("data.quality", "change.embedding"):
        assert _finding(first, criterion)["evidence"][0]["quote"] in text  # left as it was
    doc.write_text(text, encoding="utf-8")

    second = cli_json("review", str(doc), "--project", "claims")  # incremental: since run A
    quality = _finding(second, "data.quality")
    assert quality["not_applicable"] and quality["amended_by"] == "ana"
    amended_at = next(
        d["amendment"]["at"] for d in decided["decisions"]
        if d["amendment"] and d["amendment"]["finding_id"] == "data.quality"
    )  # fmt: skip
    assert quality["carried"] == (
        f"carried from run {run_a}: ana marked it not applicable at {amended_at}"
    )
    embedding = _finding(second, "change.embedding")
    assert embedding["status"] == "partial" and embedding["carried"].startswith(
        f"carried from run {run_a}: ana graded it partial"
    )
    for finding_id, who in (("change.training", "li"), ("risk.human_oversight", "li")):
        rechecked = _finding(second, finding_id)
        assert rechecked["carried"] is None and rechecked["amended_by"] is None
        assert (
            rechecked["recheck"].startswith(AGAIN)
            and f"{who} graded it met" in rechecked["recheck"]
        )
    # The verdict keeps what the people decided: the data gate is no worse than after run A.
    assert second["verdict"]["gates"]["data"] == decided["verdict"]["gates"]["data"]
    records = [
        json.loads(line)
        for line in (workspace / "traces" / f"{second['run_id']}.jsonl").read_text().splitlines()
    ]
    (carry,) = [r["attributes"] for r in records if r["name"] == "carry_amendments"]
    assert carry["gatereview.carried"] == ["change.embedding", "data.quality"]
    assert carry["gatereview.rechecks"] == ["change.training", "risk.human_oversight"]
    diff = cli_json("diff", run_a, second["run_id"])
    assert not [g for g in diff["gates"] if g["gate"] == "data"]  # the data gate did not fall
    changed = {f["criterion"]: (f["before"], f["after"]) for f in diff["findings"]}
    assert "data.quality" not in changed and "change.embedding" not in changed
    assert changed["change.training"][0] == "met"  # met as amended; the new text: check again
    shown = cli_json("show", second["run_id"])
    assert _finding(shown, "change.training")["recheck"].startswith(AGAIN)
    # Carried on again from run B to run C, still naming the run it was made in.
    third = cli_json("review", str(doc), "--project", "claims")
    assert _finding(third, "data.quality")["carried"].startswith(f"carried from run {run_a}:")


def test_amending_a_rechecked_finding_again_replaces_the_note() -> None:
    first = cli_json("review", str(EXAMPLE), "--project", "p")
    _amend(first["run_id"], "ana", "change.training", "met", "plan in annex")
    cli_json("approve", first["run_id"], "--reviewer", "ana")
    second = cli_json("review", str(EXAMPLE), "--project", "p")
    assert _finding(second, "change.training")["carried"] is not None
    again = _amend(second["run_id"], "bo", "change.training", "partial", "annex is a draft")
    training = _finding(again, "change.training")
    assert training["carried"] is None and training["amended_by"] == "bo"
    assert training["status"] == "partial"


def test_an_amended_finding_says_what_the_reviewer_decided() -> None:
    run = cli_json("review", str(EXAMPLE))
    before = _finding(run, "data.quality")
    view = _amend(run["run_id"], "ana", "data.quality", "met", "checks are in the runbook")
    after = _finding(view, "data.quality")
    assert after["summary"].startswith("ana graded it met: checks are in the runbook")
    assert before["summary"] in after["summary"]  # what the review had found stays readable
    assert after["recommendation"] == "None: ana graded it met."
    view = _amend(run["run_id"], "ana", "data.owners", "partial", "two sources still unowned")
    owners = _finding(view, "data.owners")
    assert owners["recommendation"].startswith("ana graded it partial; still open: ")
    assert any(c.startswith("data.owners: ana graded it partial") for c in
               view["verdict"]["gates"]["data"]["conditions"])  # fmt: skip


def _quote_finding(quote: str, path: str) -> Finding:
    evidence = Evidence(path=path, line_start=1, quote=quote, verified=True)
    return Finding(id="data.owners", gate="data", criterion="data.owners", status="met",
                   severity="info", summary="s", evidence=[evidence])  # fmt: skip


def test_a_quote_still_there_carries_even_moved_or_rewrapped_and_an_edited_one_does_not(
    tmp_path: Path,
) -> None:
    rubrics = load_rubrics()
    doc = tmp_path / "d.md"
    doc.write_text("# D\n\n## Owners\n\nThe claims data team owns every source.\n")
    documents = load_documents([str(doc)]).documents
    index = SectionIndex(documents)
    made = Amendment(finding_id="data.owners", status="dismissed", reason="r", reviewer="ana")
    amendment = anchored(made, _quote_finding("The claims data team owns every source.",
                                                str(doc)), index, rubrics)  # fmt: skip
    assert amendment.quotes and amendment.text_sha256
    moved = "# D\n\nIntro first.\n\n## Owners\n\nThe claims data team\nowns every source.\n"
    cases = {
        "moved and rewrapped": moved,
        "one word changed": "# D\n\n## Owners\n\nThe claims data team owns most sources.\n",
    }
    outcome = {}
    for name, text in cases.items():
        later = tmp_path / f"{name}.md"
        later.write_text(text)
        again = load_documents([str(later)]).documents
        carried, rechecks = carry_amendments(
            {"data.owners": amendment}, "RUN-A", again, SectionIndex(again), rubrics
        )
        outcome[name] = (sorted(carried), sorted(rechecks))
    assert outcome == {
        "moved and rewrapped": (["data.owners"], []),
        "one word changed": ([], ["data.owners"]),
    }


def test_an_amendment_without_its_text_is_never_carried_on_trust(tmp_path: Path) -> None:
    """A prior amendment whose anchor is missing (forged or from an older run) is a recheck."""
    doc = tmp_path / "d.md"
    doc.write_text("# D\n\nNothing about owners.\n")
    documents = load_documents([str(doc)]).documents
    bare = Amendment(finding_id="data.owners", status="met", reason="trust me", reviewer="eve")
    forged = bare.model_copy(update={"quotes": ["The owners are named in annex Z."],
                                     "text_sha256": "0" * 64})  # fmt: skip
    sources = forged.model_copy(update={"finding_id": "data.sources"})
    carried, rechecks = carry_amendments(
        {"data.owners": bare, "data.sources": sources},
        "RUN-A", documents, SectionIndex(documents), load_rubrics(),
    )  # fmt: skip
    assert carried == {} and sorted(rechecks) == ["data.owners", "data.sources"]


def test_the_graph_carries_amendments_given_in_its_input(tmp_path: Path) -> None:
    """The Python/graph path: a caller passes the earlier run's amendments with `since`."""
    settings = Settings(home=tmp_path / "home")
    graph = build_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "a"}}
    context = make_context(settings)
    amend = Decision(action="amend", reviewer="ana", amendment=Amendment(
        finding_id="data.quality", status="not_applicable", reason="live system of record",
        reviewer="ana"))  # fmt: skip
    later = {"configurable": {"thread_id": "b"}}

    async def both() -> dict:
        await graph.ainvoke({"paths": [str(EXAMPLE)], "run_id": "a"}, config, context=context)
        await graph.ainvoke(Command(resume=amend.model_dump()), config, context=context)
        amendments = (await graph.aget_state(config)).values["amendments"]
        assert amendments["data.quality"]["quotes"]  # anchored by the coordinator node
        start = {"paths": [str(EXAMPLE)], "run_id": "b", "since": "a",
                 "prior_amendments": amendments}  # fmt: skip
        await graph.ainvoke(start, later, context=context)
        return (await graph.aget_state(later)).values

    values = asyncio.run(both())
    assert values["amendments"]["data.quality"]["carried_from"] == "a"
    assert values["verdict"] == graph.get_state(config).values["verdict"]
