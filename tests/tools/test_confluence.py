"""Confluence pages over the wire: a page and its children read in storage format, located
as `title:line`, linked to the page, and a 401, a 404, rate limiting and a page too large each
one line and exit 2. The credentials are never shown, traced or written.

Responses are the recorded shapes in tests/fixtures/confluence, served by respx at the wiki's
URL: nothing of ours is patched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from fakes.cli import cli_json
from typer.testing import CliRunner

from main import app

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "confluence"
BASE = "https://example.atlassian.net/wiki"
API = f"{BASE}/rest/api/content"
TOKEN = "ATATT3xFfGF0-not-a-real-token-7c1e"
USER = "maria.lind@example.org"


def body(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONFLUENCE_URL", BASE + "/")
    monkeypatch.setenv("CONFLUENCE_USER", USER)
    monkeypatch.setenv("CONFLUENCE_TOKEN", TOKEN)


@pytest.fixture
def wiki() -> Iterator[respx.MockRouter]:
    """The wiki: three pages, 1001 with children 1002 and 1003 listed one per page."""
    with respx.mock(using="httpx", assert_all_called=False) as router:
        for page in ("1001", "1002", "1003"):
            router.get(f"{API}/{page}").respond(json=body(f"page-{page}.json"))
        children = f"{API}/1001/child/page"
        router.get(children, params__contains={"start": "1"}).respond(
            json=body("children-1001-start-1.json")
        )
        router.get(children).respond(json=body("children-1001-start-0.json"))
        for page in ("1002", "1003"):
            router.get(f"{API}/{page}/child/page").respond(json=body(f"children-{page}.json"))
        yield router


def _everything_written(home: Path, result_text: str) -> str:
    written = [p.read_text(encoding="utf-8", errors="replace") for p in home.rglob("*")
               if p.is_file() and p.suffix in (".jsonl", ".md", ".json", ".html")]  # fmt: skip
    return result_text + "".join(written)


def test_a_page_tree_is_read_in_storage_format_and_located_by_title(
    wiki: respx.MockRouter, workspace: Path
) -> None:
    view = cli_json("review", "confluence:ENG/1001", "--with-children")
    pages = {d["path"]: d["origin"] for d in view["documents"]}
    assert list(pages) == ["Claims assistant", "Model and platform", "Change plan"]
    assert pages["Claims assistant"] | {} == {
        "source": "confluence", "repository": BASE, "commit": None, "revision": None,
        "page_id": "1001", "version": 7, "title": "Claims assistant", "space": "ENG",
        "url": f"{BASE}/spaces/ENG/pages/1001/Claims+assistant",
    }  # fmt: skip
    assert pages["Change plan"]["version"] == 12
    notes = view["notes"]
    assert notes[0] == (
        f"read Confluence page 1001 version 7 (Claims assistant) from {BASE}/spaces/ENG/pages/"
        "1001/Claims+assistant"
    )
    evidence = [e for f in view["findings"] for e in f["evidence"] if e["verified"]]
    located = {e["reader_location"] for e in evidence}
    assert "Claims assistant:6-8 (§ Data)" in located  # the table's rows
    request = wiki.calls[0].request
    assert request.url.params["expand"] == "body.storage,version,space"
    assert request.headers["Authorization"].startswith("Basic ")


def test_hidden_page_text_is_never_evidence_and_is_reported_at_its_page(
    wiki: respx.MockRouter,
) -> None:
    view = cli_json("review", "confluence:ENG/1001", "--with-children")
    rubric = [e["quote"] for f in view["findings"] if not f["id"].startswith("risk.hidden")
              and f["id"] != "risk.reviewer_instructions" for e in f["evidence"]]  # fmt: skip
    assert not any("Priya" in q or "rate every gate" in q for q in rubric)
    [hidden] = [f for f in view["findings"] if f["id"] == "risk.hidden_text"]
    where = {e["reader_location"] for e in hidden["evidence"]}
    assert "Model and platform:2 (§ Model and platform)" in where
    assert any(loc.startswith("Claims assistant:") for loc in where)  # the editor-only owner


def test_the_credentials_are_never_shown_traced_or_written(
    wiki: respx.MockRouter, workspace: Path
) -> None:
    result = CliRunner().invoke(app, ["review", "confluence:ENG/1001", "--with-children"])
    assert result.exit_code in (0, 1), result.output
    run_id = next(line.split()[1] for line in result.output.splitlines() if line.startswith("Run "))
    approved = CliRunner().invoke(app, ["approve", run_id, "--reviewer", "Ana"])
    comment = CliRunner().invoke(app, ["show", run_id, "--format", "github"])
    seen = _everything_written(workspace, result.output + approved.output + comment.output)
    assert TOKEN not in seen and "Basic " not in seen
    trace = next(workspace.rglob("*.jsonl")).read_text(encoding="utf-8")
    origins = [d.get("origin") for line in trace.splitlines()
               for d in json.loads(line).get("attributes", {}).get("gatereview.documents", [])]
    assert {"source": "confluence", "repository": BASE, "page_id": "1002", "version": 3,
            "url": f"{BASE}/spaces/ENG/pages/1002/Model+and+platform",
            "title": "Model and platform", "space": "ENG"} in origins  # fmt: skip
    assert "read Confluence page 1002 version 3 (Model and platform)" in result.output
    html = next(workspace.rglob("*.html")).read_text(encoding="utf-8")
    assert f'<a href="{BASE}/spaces/ENG/pages/1001/Claims+assistant"' in html
    assert f"(<{BASE}/spaces/ENG/pages/1001/Claims+assistant>)" in comment.output


def test_a_page_url_names_the_same_page_and_another_host_gets_no_credentials(
    wiki: respx.MockRouter,
) -> None:
    view = cli_json("review", f"{BASE}/spaces/ENG/pages/1001/Claims+assistant")
    assert [d["path"] for d in view["documents"]] == ["Claims assistant"]
    calls = len(wiki.calls)
    result = CliRunner().invoke(app, ["review", "https://wiki.attacker.example/pages/1001"])
    assert result.exit_code == 2 and "credentials are sent there only" in result.output
    assert len(wiki.calls) == calls


def _refused(*args: str) -> str:
    result = CliRunner().invoke(app, ["review", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and TOKEN not in result.output
    return result.output.strip().splitlines()[-1]


def test_refused_credentials_are_one_line_naming_the_variables_not_their_values() -> None:
    with respx.mock(using="httpx") as router:
        router.get(f"{API}/1001").respond(401, json=body("error-401.json"))
        line = _refused("confluence:ENG/1001")
    assert "HTTP 401" in line and "CONFLUENCE_TOKEN" in line and USER not in line


def test_a_missing_page_is_one_line() -> None:
    with respx.mock(using="httpx") as router:
        router.get(f"{API}/4040").respond(404, json=body("error-404.json"))
        line = _refused("confluence:ENG/4040")
    expected = "Confluence page 4040: no such page, or not visible to this user (HTTP 404)"
    assert line == f"error: {expected}"


def test_rate_limiting_is_waited_out_as_retry_after_says() -> None:
    with respx.mock(using="httpx") as router:
        route = router.get(f"{API}/1001")
        route.side_effect = [
            httpx.Response(429, headers={"Retry-After": "1"}, json=body("error-429.json")),
            httpx.Response(200, json=body("page-1001.json")),
        ]
        view = cli_json("review", "confluence:ENG/1001")
    assert route.call_count == 2 and view["documents"][0]["origin"]["version"] == 7


def test_rate_limiting_longer_than_a_minute_is_one_line_not_a_hang() -> None:
    with respx.mock(using="httpx") as router:
        router.get(f"{API}/1001").respond(
            429, headers={"Retry-After": "9223372036854775807"}, json=body("error-429.json")
        )
        line = _refused("confluence:ENG/1001")
    assert "rate limiting" in line and "try again later" in line


def test_a_page_too_large_is_refused_in_one_line() -> None:
    page = body("page-1001.json")
    page["body"]["storage"]["value"] = "<p>" + "padding words " * 20_000 + "</p>"
    with respx.mock(using="httpx") as router:
        router.get(f"{API}/1001").respond(json=page)
        line = _refused("confluence:ENG/1001", "--max-bytes", "100000")
    assert "Confluence page 1001: too large" in line and "--max-bytes" in line


def test_a_page_from_another_space_than_named_is_refused(wiki: respx.MockRouter) -> None:
    assert "is in space ENG, not OPS" in _refused("confluence:OPS/1001")


def test_without_credentials_the_cli_says_which_variables_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CONFLUENCE_TOKEN")
    assert "needs CONFLUENCE_TOKEN set" in _refused("confluence:ENG/1001")


def test_a_personal_access_token_alone_is_sent_as_a_bearer_token(
    monkeypatch: pytest.MonkeyPatch, wiki: respx.MockRouter
) -> None:
    monkeypatch.delenv("CONFLUENCE_USER")
    cli_json("review", "confluence:ENG/1001")
    assert wiki.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_page_title_cannot_write_markup_into_the_pr_comment() -> None:
    page = body("page-1001.json")
    page["title"] = "Plan` [approved](https://evil.example/) `"
    with respx.mock(using="httpx") as router:
        router.get(f"{API}/1001").respond(json=page)
        view = cli_json("review", "confluence:ENG/1001")
    comment = CliRunner().invoke(app, ["show", view["run_id"], "--format", "github"]).output
    # A title is shown only inside a code span fenced by more backticks than it holds.
    outside_code = re.sub(r"(`+)(?:(?!\1).)+?\1", "", comment)
    assert "evil.example" not in outside_code  # only ever inside a code span: no link
