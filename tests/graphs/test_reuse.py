"""Incremental re-review: unchanged gates are reused with their quotes verified again."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from fakes.cli import cli_json

from evals.cases import Case, Expected
from evals.make_recordings import MODEL, ScriptedModel
from evals.replay_server import LocalServer
from graphs.reuse import reused_review
from graphs.settings import Settings
from runs.operations import start_review
from tools.documents import load_documents
from vocabulary.models import Evidence, Finding, GateReview

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "middling-claims-triage.md"
LONG = ROOT / "evals" / "cases" / "very-long-rail-planning" / "design.md"


def test_an_unchanged_document_reuses_every_gate_and_says_so(tmp_path: Path) -> None:
    doc = tmp_path / "design.md"
    shutil.copy(EXAMPLE, doc)
    first = cli_json("review", str(doc), "--project", "claims")
    assert all(info["reused_from"] is None for info in first["gates"].values())
    second = cli_json("review", str(doc), "--project", "claims")  # automatic within a project
    assert {info["reused_from"] for info in second["gates"].values()} == {first["run_id"]}
    assert second["verdict"] == first["verdict"]
    approved = cli_json("approve", second["run_id"], "--reviewer", "ana")
    report = Path(approved["report"]["markdown"]).read_text(encoding="utf-8")
    assert f"Reused unchanged from run {first['run_id']}: data, risk" in report
    fresh = cli_json("review", str(doc), "--project", "claims", "--no-incremental")
    assert all(info["reused_from"] is None for info in fresh["gates"].values())


def test_an_edit_in_a_short_document_re_reviews_every_gate(tmp_path: Path) -> None:
    doc = tmp_path / "design.md"
    shutil.copy(EXAMPLE, doc)
    first = cli_json("review", str(doc))
    doc.write_text(doc.read_text() + "\nOne more line.\n", encoding="utf-8")
    second = cli_json("review", str(doc), "--since", first["run_id"])
    # The whole document fits every gate's context: any edit changes what each gate reads.
    assert all(info["reused_from"] is None for info in second["gates"].values())


def test_since_an_unknown_run_is_a_clear_error() -> None:
    cli_json("review", str(EXAMPLE))
    from typer.testing import CliRunner

    from main import app

    result = CliRunner().invoke(app, ["review", str(EXAMPLE), "--since", "nope"])
    assert result.exit_code == 2 and "no reviewed run nope" in result.stderr


def test_a_quote_no_longer_in_the_documents_makes_the_gate_reviewed_again(tmp_path: Path) -> None:
    doc = tmp_path / "d.md"
    doc.write_text("# D\n\n## Owners\n\nThe data team owns every source.\n", encoding="utf-8")
    quote = Evidence(path=str(doc), line_start=5, line_end=5,
                     quote="The data team owns every source.", verified=True)
    finding = Finding(id="data.owners", gate="data", criterion="data.owners", status="met",
                      severity="info", summary="s", evidence=[quote])
    prior = GateReview(gate="data", reviewer="m", findings=[finding], basis="b")
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / "d.md").write_text("# D\n\nIntro.\n\n## Owners\n\nThe data team owns every source.\n")
    again = reused_review(prior, "b", load_documents([str(moved / "d.md")]).documents, "RUN")
    assert again is not None and again.reused_from == "RUN"
    assert again.findings[0].evidence[0].line_start == 7  # re-anchored in the new text
    gone = tmp_path / "gone.md"
    gone.write_text("# D\n\n## Owners\n\nOwnership is open.\n", encoding="utf-8")
    assert reused_review(prior, "b", load_documents([str(gone)]).documents, "RUN") is None
    assert reused_review(prior, "other", load_documents([str(doc)]).documents, "RUN") is None


@pytest.fixture
def scripted_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "scripted")  # sent to the loopback server only


@pytest.mark.usefixtures("scripted_key")
def test_a_one_section_edit_asks_the_model_only_for_the_gates_it_changed(tmp_path: Path) -> None:
    case = tmp_path / "case"
    case.mkdir()
    doc = case / "design.md"
    text = LONG.read_text(encoding="utf-8")
    doc.write_text(text, encoding="utf-8")
    scripted = ScriptedModel()
    labelled = Case(name="t", folder=case, expected=Expected(description="t", gates={}))

    async def both() -> tuple:
        with LocalServer(scripted.answer) as server:
            settings = Settings(home=tmp_path / "home", model=MODEL, api_base=server.api_base)
            scripted.use(labelled)
            first = await start_review([str(doc)], settings)
            anchor = "## 7. Product and adoption\n"
            doc.write_text(text.replace(anchor, anchor + "\nA new sentence.\n", 1))
            scripted.use(labelled)
            second = await start_review([str(doc)], settings, since=first.run_id)
        return first, second

    first, second = asyncio.run(both())
    reused = [g for g, info in second.gates.items() if info.reused_from == first.run_id]
    asked = [g for g, info in second.gates.items() if info.usage.calls]
    assert reused and asked and set(reused).isdisjoint(asked)
    assert set(reused) | set(asked) == set(first.gates)
    summary_calls = 1
    assert second.usage.calls == len(asked) + summary_calls < first.usage.calls
    assert second.usage.input_tokens < first.usage.input_tokens
