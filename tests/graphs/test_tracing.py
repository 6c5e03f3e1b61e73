"""A run's trace: one file across processes, a tree, tamper-evident, exportable, secret-free."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from fakes.cli import run_main
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from typer.testing import CliRunner

from graphs.runs import start_review
from graphs.settings import Settings
from main import app
from traces.otlp import export_spans
from traces.viewer import load_records

ROOT = Path(__file__).resolve().parents[2]
DOC = str(ROOT / "examples" / "middling-claims-triage.md")
runner = CliRunner()


@pytest.fixture
def approved_run(workspace: Path) -> str:
    """A review started here and approved from a second process."""
    view = asyncio.run(start_review([DOC], Settings(home=workspace)))
    done = run_main("approve", view.run_id, "--reviewer", "ana")
    assert done.returncode == 0, done.stderr
    return view.run_id


def _trace(workspace: Path, run_id: str) -> Path:
    return workspace / "traces" / f"{run_id}.jsonl"


def test_one_trace_file_spans_both_processes_and_forms_a_tree(
    approved_run: str, workspace: Path
) -> None:
    assert [p.name for p in (workspace / "traces").iterdir()] == [f"{approved_run}.jsonl"]
    records = load_records(_trace(workspace, approved_run))
    kinds = [r.kind for r in records]
    assert kinds[0] == "run_start" and kinds[-1] == "run_end"
    assert {"node_start", "node_end", "tool_call", "decision", "verdict"} <= set(kinds)
    roots = [r for r in records if r.parent_span_id is None]
    assert {r.kind for r in roots} == {"run_start", "run_end"}
    spans = {r.span_id for r in records}
    assert all(r.parent_span_id in spans for r in records if r.parent_span_id)
    gates = {r.attributes.get("gen_ai.agent.name") for r in records if r.kind == "node_start"}
    assert {"data-gate", "risk-gate", "platform-gate", "product-gate", "change-gate"} <= gates
    start = records[0].attributes
    assert start["gen_ai.request.model"] == "offline"
    assert set(start["gatereview.rubrics"]) == {"data", "risk", "platform", "product", "change"}
    assert start["gatereview.prompts"]
    decision = next(r for r in records if r.kind == "decision")
    assert decision.attributes["gatereview.decision.reviewer"] == "ana"
    lineage = next(r for r in records if r.name == "load_documents")
    assert lineage.attributes["gatereview.documents"][0]["sha256"]


def test_report_carries_the_last_hash_and_verify_passes(approved_run: str,
                                                        workspace: Path) -> None:
    report = json.loads((workspace / "reports" / f"{approved_run}.json").read_text())
    last = json.loads(_trace(workspace, approved_run).read_text().splitlines()[-1])["hash"]
    assert report["report"]["trace_last_hash"] == last
    result = runner.invoke(app, ["trace", approved_run, "--verify"])
    assert result.exit_code == 0 and "chain intact" in result.stdout


def _edit(lines: list[str]) -> list[str]:
    record = json.loads(lines[3])
    record["name"] = "tampered"
    return [*lines[:3], json.dumps(record), *lines[4:]]


@pytest.mark.parametrize(
    ("tamper", "line"),
    [
        pytest.param(_edit, 4, id="edited"),
        pytest.param(lambda ls: ls[:5] + ls[6:], 6, id="deleted"),
        pytest.param(lambda ls: [*ls[:5], ls[2], *ls[5:]], 6, id="inserted"),
        pytest.param(lambda ls: [*ls[:4], ls[5], ls[4], *ls[6:]], 5, id="reordered"),
        pytest.param(lambda ls: ls[:-1], None, id="tail-removed"),
    ],
)
def test_verify_names_the_first_tampered_line(
    approved_run: str, workspace: Path, tamper: object, line: int | None
) -> None:
    path = _trace(workspace, approved_run)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(tamper(lines)) + "\n")
    result = runner.invoke(app, ["trace", approved_run, "--verify"])
    assert result.exit_code == 1
    if line is not None:
        assert f"line {line}:" in result.stderr
    else:  # caught by the head anchored in the database, before the report's hash
        assert "cut from the end" in result.stderr


def test_viewer_and_json_show_every_node(approved_run: str) -> None:
    shown = runner.invoke(app, ["trace", approved_run])
    assert shown.exit_code == 0
    for word in ("ingest", "review_gate:risk", "coordinator", "decision", "approve"):
        assert word in shown.stdout
    payload = json.loads(runner.invoke(app, ["trace", approved_run, "--json"]).stdout)
    assert payload["records"][0]["kind"] == "run_start"


def test_otlp_export_replays_the_tree(approved_run: str, workspace: Path) -> None:
    exporter = InMemorySpanExporter()
    records = load_records(_trace(workspace, approved_run))
    assert export_spans(records, exporter=exporter) > 0
    spans = exporter.get_finished_spans()
    by_name = {s.name: s for s in spans}
    assert "review" in by_name and "review_gate:data" in by_name
    gate = by_name["review_gate:data"]
    assert gate.parent is not None
    assert gate.attributes["openinference.span.kind"] == "AGENT"
    assert gate.attributes["gen_ai.agent.name"] == "data-gate"


def test_trace_files_are_owner_only_and_hold_no_secrets(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = "sk-proj-" + "Zx9" * 12
    monkeypatch.setenv("OPENAI_API_KEY", key)
    doc = tmp_path / "design.md"
    doc.write_text("# Data\nThe data owner is the Claims MI team lead.\n")
    view = asyncio.run(start_review([str(doc)], Settings(home=workspace)))
    path = _trace(workspace, view.run_id)
    assert path.stat().st_mode & 0o777 == 0o600
    assert key not in path.read_text()


def test_trace_of_unknown_run_is_a_clear_error(workspace: Path) -> None:
    result = runner.invoke(app, ["trace", "nope", "--verify"])
    assert result.exit_code == 2 and "no trace for run nope" in result.stderr


def test_trace_is_sent_to_an_otlp_collector_on_loopback(approved_run: str) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[tuple[str, int]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers["Content-Length"])
            self.rfile.read(size)
            received.append((self.path, size))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = runner.invoke(app, ["trace", approved_run, "--otlp-endpoint", url])
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.stderr
    assert "sent" in result.stderr and received and received[0][0] == "/v1/traces"
    assert received[0][1] > 0


def test_the_first_record_carries_each_document_and_its_content_hash(
    approved_run: str, workspace: Path
) -> None:
    import hashlib

    start = load_records(_trace(workspace, approved_run))[0]
    assert start.kind == "run_start"
    [document] = start.attributes["gatereview.documents"]
    assert document["path"].endswith("middling-claims-triage.md")
    assert document["sha256"] == hashlib.sha256(Path(DOC).read_bytes()).hexdigest()
