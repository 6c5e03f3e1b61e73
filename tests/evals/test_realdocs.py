"""The calibration workflow on a small labelled folder: capture the exact requests, write and
store answers, replay them through the real client, and report agreement."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fakes.openai_server import model_answer, request_kind

from evals.capture import answer_path, pending_requests
from evals.realdocs import WRITTEN_BY, main
from evals.recording import load_recording, save_recording

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "tests" / "fixtures" / "docs"
LABELS = {
    "strong.md": {"data_readiness": "pass", "risk_compliance": "concerns",
                  "platform_infrastructure": "concerns", "product_ux": "concerns",
                  "change_adoption": "concerns"},
    "demo.md": {"data_readiness": "not_addressed", "risk_compliance": "fail",
                "platform_infrastructure": "not_addressed", "product_ux": "not_addressed",
                "change_adoption": "not_addressed"},
}  # fmt: skip
# The reviewer's quotes: clauses of the document's own sentences, and one it does not hold.
EVIDENCE = {
    ("strong.md", "data_readiness"): [
        {"item": "owners", "quote": "The Tracking Events API is owned by the Delivery Data team"},
        {"item": "freshness", "quote": "searchable within 5 minutes"},
        {"item": "absent", "quote": "a sentence this document does not hold"},
    ],
}
NONE = "kappa = -1.0\nnot_ready_recall = 0.0\nmax_false_ready = 10\n"
SEALED = '[sealed]\ndocuments = ["demo.md"]\n'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two labelled documents, laid out as the real-document folder is."""
    docs = tmp_path / "realdocs"
    docs.mkdir()
    for name in LABELS:
        shutil.copy(DOCS / name, docs / name)
    labels = {
        "schema": {},
        "docs": [
            {
                "file": name,
                "gates": {
                    g: {"verdict": v, "evidence": EVIDENCE.get((name, g), [])}
                    for g, v in gates.items()
                },
            }
            for name, gates in LABELS.items()
        ],
    }
    (docs / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    return docs


def _answer_all(pending: Path) -> int:
    """Write what a diligent model answers to every captured request; how many were written."""
    written = 0
    for request in sorted(pending.rglob("*.json")):
        if request.name.endswith(".answer.json"):
            continue
        body = json.loads(request.read_text(encoding="utf-8"))
        kind, gate = request_kind(body)
        answer = model_answer(kind, gate, body["messages"])
        answer_path(request).write_text(json.dumps(answer), encoding="utf-8")
        written += 1
    return written


def _run(folder: Path, recordings: Path, *args: str, minimums: Path | None = None) -> int:
    if minimums is None:  # two documents give figures too noisy for the real minimums
        minimums = recordings.parent / "minimums.toml"
        minimums.write_text(f"[offline]\n{NONE}[model]\n{NONE}{SEALED}", encoding="utf-8")
    return main([*args, "--folder", str(folder), "--recordings", str(recordings),
                 "--minimums", str(minimums)])  # fmt: skip


def _answered(folder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Capture every request and answer it as a diligent model would (nothing stored yet)."""
    pending, recordings = tmp_path / "pending", tmp_path / "recordings"
    _run(folder, recordings, "capture", str(pending))
    _answer_all(pending)
    return pending, recordings


def _recorded(folder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Capture, answer and store every request."""
    pending, recordings = _answered(folder, tmp_path)
    _run(folder, recordings, "store", str(pending))
    return pending, recordings


def test_captured_requests_answered_and_stored_replay_with_no_miss(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pending, recordings = tmp_path / "pending", tmp_path / "recordings"
    assert _run(folder, recordings, "capture", str(pending)) == 0
    assert "10 request(s) without a recording" in capsys.readouterr().out
    assert len(pending_requests(pending / "strong")) == 5
    # The exact request the gate agent sends, with the rubric and the whole document.
    body = json.loads(pending_requests(pending / "demo")[0].read_text(encoding="utf-8"))
    assert body["response_format"]["json_schema"]["name"] == "GateAnswer"
    assert "=== demo.md ===" in body["messages"][1]["content"]

    assert _answer_all(pending) == 10
    assert _run(folder, recordings, "store", str(pending), "--date", "2026-11-29") == 0
    entries = load_recording(recordings / "strong.jsonl")
    assert len(entries) == 5
    assert all(e.provenance and e.provenance.written_by == WRITTEN_BY for e in entries)
    assert all(e.provenance and e.provenance.date == "2026-11-29" for e in entries)
    assert all(e.response["object"] == "chat.completion" for e in entries)
    capsys.readouterr()

    assert _run(folder, recordings) == 0
    out = capsys.readouterr().out
    assert "requests without a recording: 0" in out
    assert "quotes shown as verified but not verbatim: 0" in out
    assert "model path (recorded answers replayed), 1 open documents, leave-one-document-out" in out
    assert "offline screen, 1 sealed documents, fitted on the open ones" in out
    assert "offline screen, 1 open documents, shipped parameters (in-sample)" in out
    # The sealed document's own results are never printed: only aggregates.
    assert "demo.md" not in out
    # Of the reviewer's two locatable quotes, the screen cites the owners sentence at least.
    screen = out.split("offline screen, 1 open documents, leave-one-document-out ==")[1]
    screen = screen.split("\n== ")[0]
    assert "(2/2)" in screen or "(1/2)" in screen


def test_a_stale_recording_fails_the_report(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, recordings = _recorded(folder, tmp_path)
    path = recordings / "demo.jsonl"
    entries = load_recording(path)
    # As if the prompt had changed since: the recorded request no longer matches.
    save_recording(path, [entries[0].model_copy(update={"key": "0" * 32}), *entries[1:]])
    capsys.readouterr()
    assert _run(folder, recordings) == 1
    assert "requests without a recording: 1" in capsys.readouterr().out


def test_an_answer_that_breaks_the_schema_is_not_stored(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pending, recordings = _answered(folder, tmp_path)
    broken = answer_path(pending_requests(pending / "demo")[0])
    answer = json.loads(broken.read_text(encoding="utf-8"))
    del answer["gate_status"]
    broken.write_text(json.dumps(answer), encoding="utf-8")
    assert _run(folder, recordings, "store", str(pending)) == 1
    assert f"not stored: {broken.name}" in capsys.readouterr().out
    assert len(load_recording(recordings / "demo.jsonl")) == 4


def test_a_quote_the_document_lacks_is_reported_when_stored(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pending, recordings = _answered(folder, tmp_path)
    path = answer_path(pending_requests(pending / "strong")[0])
    answer = json.loads(path.read_text(encoding="utf-8"))
    invented = "Every release is signed off by an independent red team before launch."
    answer["findings"][0]["evidence"] = [{"path": "strong.md", "quote": invented}]
    path.write_text(json.dumps(answer), encoding="utf-8")
    assert _run(folder, recordings, "store", str(pending)) == 0
    assert "quote not in the document" in capsys.readouterr().out


def test_a_missing_labels_file_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, tmp_path / "recordings") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "labels.json" in err and err.count("\n") == 1


def test_figures_below_their_minimums_fail_the_report(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, recordings = _recorded(folder, tmp_path)
    strict = tmp_path / "strict.toml"
    bar = "kappa = 1.01\nnot_ready_recall = 1.0\nmax_false_ready = 0\nevidence_recall = 1.0\n"
    strict.write_text(f"[offline]\n{bar}[model]\n{bar}{SEALED}", encoding="utf-8")
    capsys.readouterr()
    assert _run(folder, recordings, minimums=strict) == 1
    out = capsys.readouterr().out
    assert "offline: kappa" in out and "model path: kappa" in out
    assert "offline: evidence recall" in out
