"""verify_trace names the first line that was edited, inserted, removed or reordered."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from traces.schema import TraceError, record_hash
from traces.verify import last_hash, verify_trace


def _lines(path: Path) -> list[str]:
    """The file's lines, each with its newline."""
    return path.read_text().splitlines(keepends=True)


def _edit(lines: list[str]) -> tuple[list[str], int]:
    """Change the model call's token count on its line, keeping everything else."""
    index = next(i for i, line in enumerate(lines) if '"llm_call"' in line)
    data = json.loads(lines[index])
    data["attributes"]["gen_ai.usage.input_tokens"] = 1
    return [*lines[:index], json.dumps(data) + "\n", *lines[index + 1 :]], index


def test_an_untouched_trace_verifies(full_run: Callable[[], Path]) -> None:
    path = full_run()
    result = verify_trace(path)
    assert result.ok
    assert result.first_bad_line is None and result.problem is None
    assert result.records == len(_lines(path))
    assert result.last_hash == last_hash(path)


def test_an_edited_record_is_named(full_run: Callable[[], Path]) -> None:
    path = full_run()
    lines, index = _edit(_lines(path))
    path.write_text("".join(lines))
    result = verify_trace(path)
    assert not result.ok
    assert result.first_bad_line == index + 1
    assert "edited" in (result.problem or "")


def test_an_edit_with_a_recomputed_hash_breaks_the_next_line(full_run: Callable[[], Path]) -> None:
    path = full_run()
    lines = _lines(path)
    index = next(i for i, line in enumerate(lines) if '"decision"' in line)
    data = json.loads(lines[index])
    data["attributes"]["gatereview.decision.reviewer"] = "mallory"
    data["hash"] = record_hash(data)
    lines[index] = json.dumps(data) + "\n"
    path.write_text("".join(lines))
    result = verify_trace(path)
    assert result.first_bad_line == index + 2
    assert "prev_hash" in (result.problem or "")


@pytest.mark.parametrize(
    ("change", "expected_line"),
    [
        pytest.param(lambda ls: ls[:4] + ls[5:], 5, id="deleted"),
        pytest.param(lambda ls: [*ls[:4], ls[2], *ls[4:]], 5, id="inserted-copy"),
        pytest.param(lambda ls: [*ls[:3], ls[4], ls[3], *ls[5:]], 4, id="reordered"),
    ],
)
def test_a_moved_line_is_named(
    full_run: Callable[[], Path], change: Callable[[list[str]], list[str]], expected_line: int
) -> None:
    path = full_run()
    path.write_text("".join(change(_lines(path))))
    result = verify_trace(path)
    assert not result.ok
    assert result.first_bad_line == expected_line
    assert result.problem


def test_an_inserted_forged_record_is_named(full_run: Callable[[], Path]) -> None:
    path = full_run()
    lines = _lines(path)
    forged = json.loads(lines[3])
    forged["seq"] = 4  # would be right for position 5, but the chain does not fit
    forged["name"] = "forged"
    path.write_text("".join([*lines[:4], json.dumps(forged) + "\n", *lines[4:]]))
    result = verify_trace(path)
    assert result.first_bad_line == 5


def test_invalid_json_is_named(full_run: Callable[[], Path]) -> None:
    path = full_run()
    lines = _lines(path)
    lines[2] = lines[2][:40] + "\n"
    path.write_text("".join(lines))
    result = verify_trace(path)
    assert result.first_bad_line == 3
    assert "JSON" in (result.problem or "")


def test_removed_last_records_are_caught_by_the_reported_hash(
    full_run: Callable[[], Path],
) -> None:
    path = full_run()
    reported = last_hash(path)
    path.write_text("".join(_lines(path)[:-2]))
    assert verify_trace(path).ok  # a shorter chain is still a chain...
    result = verify_trace(path, expected_last_hash=reported)
    assert not result.ok  # ...but not the one the report vouched for
    assert "last hash" in (result.problem or "")


def test_a_missing_file_is_a_trace_error(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match="no trace file"):
        verify_trace(tmp_path / "nope.jsonl")


def test_an_empty_file_does_not_verify(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    result = verify_trace(path)
    assert not result.ok and result.problem == "the trace is empty"
