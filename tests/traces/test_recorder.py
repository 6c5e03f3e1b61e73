"""The recorder writes a valid, owner-only, secret-free, append-safe trace."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import get_args

import pytest
from synthetic_run import RUN_ID, review_until_interrupt

from traces import attributes as attr
from traces.recorder import TraceRecorder
from traces.redaction import redact_secrets
from traces.schema import RecordKind
from traces.verify import verify_trace
from traces.viewer import load_records

REPO = Path(__file__).resolve().parents[2]


def test_full_run_has_every_kind_and_a_valid_chain(full_run: Callable[[], Path]) -> None:
    path = full_run()
    result = verify_trace(path)
    assert result.ok, result.problem
    kinds = {record.kind for record in load_records(path)}
    assert kinds == set(get_args(RecordKind))


def test_records_form_one_tree_under_the_workflow_root(full_run: Callable[[], Path]) -> None:
    records = load_records(full_run())
    roots = {r.span_id for r in records if r.parent_span_id is None}
    assert len(roots) == 1
    (root,) = roots
    assert records[0].kind == "run_start" and records[0].span_id == root
    span_ids = {r.span_id for r in records}
    assert all(r.parent_span_id in span_ids for r in records if r.parent_span_id)
    assert {r.trace_id for r in records} == {RUN_ID}
    assert [r.seq for r in records] == list(range(len(records)))


def test_spans_carry_genai_conventions(full_run: Callable[[], Path]) -> None:
    records = load_records(full_run())
    llm = next(r for r in records if r.kind == "llm_call")
    assert llm.attributes[attr.OPERATION_NAME] == "chat"
    assert llm.attributes[attr.INPUT_TOKENS] == 1200
    assert llm.attributes[attr.CONVERSATION_ID] == RUN_ID
    agent = next(r for r in records if r.kind == "node_start" and r.name == "review_gate:data")
    assert agent.attributes[attr.OPERATION_NAME] == "invoke_agent"
    assert agent.attributes[attr.AGENT_NAME] == "data-gate"
    tool = next(r for r in records if r.kind == "tool_call")
    assert tool.attributes[attr.OPERATION_NAME] == "execute_tool"
    node_end = next(r for r in records if r.kind == "node_end")
    assert node_end.duration_s is not None


def test_file_is_owner_only_and_directory_private(full_run: Callable[[], Path]) -> None:
    path = full_run()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_records_are_buffered_until_a_boundary(trace_path: Path) -> None:
    recorder = TraceRecorder(trace_path, RUN_ID, flush_every=100)
    root = recorder.start_span("run_start", "review")
    lines_after_start = trace_path.read_text().count("\n")
    recorder.record("llm_call", "chat", root, {attr.REQUEST_MODEL: "m"})
    assert trace_path.read_text().count("\n") == lines_after_start
    recorder.flush()
    assert trace_path.read_text().count("\n") == lines_after_start + 1


def test_a_full_buffer_is_written_without_waiting(trace_path: Path) -> None:
    recorder = TraceRecorder(trace_path, RUN_ID, flush_every=2)
    root = recorder.start_span("run_start", "review")
    recorder.record("tool_call", "a", root, {})
    recorder.record("tool_call", "b", root, {})
    assert len(load_records(trace_path)) == 3


def test_unknown_parent_is_refused(trace_path: Path) -> None:
    recorder = TraceRecorder(trace_path, RUN_ID)
    recorder.start_span("run_start", "review")
    with pytest.raises(ValueError, match="does not exist"):
        recorder.record("llm_call", "chat", "feedfacecafebeef", {})


def test_record_before_run_start_is_refused(trace_path: Path) -> None:
    with pytest.raises(ValueError, match="run_start"):
        TraceRecorder(trace_path, RUN_ID).record("llm_call", "chat", None, {})


def test_a_second_run_start_is_refused(full_run: Callable[[], Path]) -> None:
    with pytest.raises(ValueError, match="exactly one run_start"):
        TraceRecorder(full_run(), RUN_ID).start_span("run_start", "again")


def test_interleaved_recorders_keep_one_chain(trace_path: Path) -> None:
    first = TraceRecorder(trace_path, RUN_ID)
    root = first.start_span("run_start", "review")
    second = TraceRecorder(trace_path, RUN_ID)
    for index in range(5):
        first.record("tool_call", f"first-{index}", root, {})
        second.record("tool_call", f"second-{index}", root, {})
        (first if index % 2 else second).flush()
    first.flush()
    second.flush()
    result = verify_trace(trace_path)
    assert result.ok, result.problem
    assert result.records == 11


def test_threads_writing_at_once_keep_one_chain(trace_path: Path) -> None:
    recorder = TraceRecorder(trace_path, RUN_ID, flush_every=3)
    root = recorder.start_span("run_start", "review")
    other = TraceRecorder(trace_path, RUN_ID, flush_every=2)

    def work(rec: TraceRecorder, tag: str) -> None:
        """Record and flush repeatedly."""
        for index in range(40):
            rec.record("tool_call", f"{tag}-{index}", root, {})
        rec.flush()

    threads = [
        threading.Thread(target=work, args=(rec, tag))
        for rec, tag in ((recorder, "a"), (other, "b"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = verify_trace(trace_path)
    assert result.ok, result.problem
    assert result.records == 81


def test_decision_from_a_second_process_appends_to_the_same_file(trace_path: Path) -> None:
    review_until_interrupt(TraceRecorder(trace_path, RUN_ID))
    script = (
        "import sys; from pathlib import Path; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "from synthetic_run import decide_and_finish\n"
        "from traces.recorder import TraceRecorder\n"
        "decide_and_finish(TraceRecorder(Path(sys.argv[3]), sys.argv[4]))\n"
    )
    here = str(Path(__file__).parent)
    subprocess.run(
        [sys.executable, "-c", script, str(REPO), here, str(trace_path), RUN_ID],
        check=True,
        cwd=REPO,
        timeout=60,
    )
    result = verify_trace(trace_path)
    assert result.ok, result.problem
    records = load_records(trace_path)
    assert records[-1].kind == "run_end"
    assert records[-1].span_id == records[0].span_id
    assert any(r.kind == "decision" for r in records)


def test_run_end_from_another_process_measures_from_run_start(full_run: Callable[[], Path]) -> None:
    records = load_records(full_run())
    run_end = records[-1]
    assert run_end.kind == "run_end"
    assert run_end.duration_s is not None
    assert run_end.duration_s >= 0


def test_an_incomplete_last_line_is_reported_then_cut_and_noted_by_the_next_append(
    full_run: Callable[[], Path],
) -> None:
    path = full_run()
    whole = path.read_bytes()
    path.write_bytes(whole[:-20])  # what a writer killed mid-write leaves
    broken = verify_trace(path)
    assert not broken.ok and "incomplete" in (broken.problem or "")
    recorder = TraceRecorder(path, RUN_ID)
    recorder.record("tool_call", "late", None, {})
    recorder.flush()
    assert verify_trace(path).ok
    records = load_records(path)
    cut = len(whole) - 20 - (whole[:-20].rfind(b"\n") + 1)
    assert records[-1].name == "late"
    assert records[-1].attributes["gatereview.trace.torn_tail_bytes"] == cut


SECRET = "sk-test-Zq8wX3vB9nM2kL5pR7tY1uI4oP6aS0dF"
ENV_SECRET = "hunter2-very-long-password-value"


def test_secrets_never_reach_the_file(trace_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("CORP_PROXY_TOKEN", ENV_SECRET)
    recorder = TraceRecorder(trace_path, RUN_ID)
    root = recorder.start_span(
        "run_start", "review", attributes={"api_key": SECRET, "settings": {"model": "x"}}
    )
    recorder.record(
        "llm_call",
        "chat",
        root,
        {
            attr.INPUT_MESSAGES: [{"role": "user", "content": f"key is {SECRET} and {ENV_SECRET}"}],
            "http": {"headers": {"Authorization": f"Bearer {ENV_SECRET}", "Accept": "json"}},
            "provider_password": "whatever-it-is",
            "note": "token Bearer abcdefghijklmnopqrstuvwxyz123456",
        },
    )
    recorder.end_run()
    text = trace_path.read_text()
    assert SECRET not in text
    assert ENV_SECRET not in text
    assert "abcdefghijklmnopqrstuvwxyz123456" not in text
    assert "whatever-it-is" not in text
    assert "Authorization" not in text and '"api_key"' not in text
    assert "[REDACTED]" in text
    assert '"Accept":"json"' in text  # ordinary attributes survive
    assert verify_trace(trace_path).ok


@pytest.mark.parametrize(
    ("key", "dropped"),
    [
        ("api_key", True),
        ("OPENAI-API-KEY", True),
        ("Authorization", True),
        ("client_secret", True),
        ("db.password", True),
        ("gen_ai.usage.input_tokens", False),
        ("gen_ai.request.model", False),
    ],
    ids=lambda value: str(value),
)
def test_redact_secrets_drops_credential_keys(key: str, dropped: bool) -> None:
    assert (key not in redact_secrets({key: "value"}, environ={})) is dropped


def test_short_env_values_are_not_masked() -> None:
    cleaned = redact_secrets({"text": "mode is debug"}, environ={"MY_TOKEN": "debug"})
    assert cleaned == {"text": "mode is debug"}


def test_lines_are_canonical_json(full_run: Callable[[], Path]) -> None:
    for line in full_run().read_text().splitlines():
        data = json.loads(line)
        assert json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == line


class GraphInterrupt(Exception):
    """Named like langgraph's interrupt, which node() recognises by name."""


@pytest.mark.parametrize(
    ("raised", "status", "error_type"),
    [
        pytest.param(None, "ok", None, id="completes"),
        pytest.param(GraphInterrupt, "interrupted", None, id="interrupted"),
        pytest.param(RuntimeError, "error", "RuntimeError", id="fails"),
    ],
)
def test_node_context_ends_the_span_with_its_outcome(
    trace_path: Path, raised: type[Exception] | None, status: str, error_type: str | None
) -> None:
    recorder = TraceRecorder(trace_path, RUN_ID)
    recorder.start_span("run_start", "review")
    escaped: Exception | None = None
    try:
        with recorder.node("review_gate:data", attributes=attr.agent_attributes("data")) as node:
            recorder.record("llm_call", "chat", node, {})
            if raised is not None:
                raise raised("stop")
    except (GraphInterrupt, RuntimeError) as error:
        escaped = error
    # the node records its outcome and lets the exception go on, unchanged
    assert (type(escaped) if escaped else None) is raised
    end = load_records(trace_path)[-1]
    assert end.kind == "node_end" and end.span_id == node
    assert end.attributes[attr.STATUS] == status
    assert end.attributes.get(attr.ERROR_TYPE) == error_type
    assert verify_trace(trace_path).ok


def test_a_bad_record_fails_its_caller_and_not_later_flushes(trace_path: Path) -> None:
    recorder = TraceRecorder(trace_path, RUN_ID)
    root = recorder.start_span("run_start", "review")
    with pytest.raises(ValueError):
        recorder.record("llm_call", "chat", root, {}, duration_s=-1.0)
    recorder.record("tool_call", "fine", root, {})
    recorder.flush()
    assert [r.name for r in load_records(trace_path)] == ["review", "fine"]


def test_unusual_text_keeps_the_chain_valid(trace_path: Path) -> None:
    recorder = TraceRecorder(trace_path, RUN_ID)
    root = recorder.start_span("run_start", "review")
    text = 'line\u2028separator \x85 nel, tab\t, cr\r, emoji 🚦, quote " and \\ backslash'
    recorder.record("llm_call", "chat", root, {attr.OUTPUT_MESSAGES: text, "n": 10**20, "x": 0.1})
    recorder.end_run()
    assert verify_trace(trace_path).ok
    assert load_records(trace_path)[1].attributes[attr.OUTPUT_MESSAGES] == text
