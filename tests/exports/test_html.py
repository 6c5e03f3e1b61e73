"""The HTML report: one self-contained page, parsed as HTML, and loaded in a headless browser."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fakes.cli import cli_json
from fakes.exports import DEMO, HOSTILE
from lxml import html as lxml_html
from typer.testing import CliRunner

from exports.html import render_html
from exports.sources import Source
from exports.view import RunView
from main import app

runner = CliRunner()


def _page(text: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(text)


def test_page_has_verdict_gates_findings_in_context_decisions_and_usage(
    flagged: tuple[RunView, dict[str, Source]],
) -> None:
    view, sources = flagged
    page = _page(render_html(view, sources))
    assert page.get_element_by_id("overall").text_content() == "not_ready"
    rows = page.get_element_by_id("gate-table").findall(".//tbody/tr")
    assert [r.findall("td")[0].text_content() for r in rows] == [
        "data", "risk", "platform", "product", "change"
    ]
    articles = page.xpath("//article[@class='finding']")
    assert [a.get("id") for a in articles] == [f.id for f in view.findings]
    owners = page.get_element_by_id("data.owners")
    assert "doc.md:4" in owners.text_content()
    context = owners.xpath(".//div[@class='context']/div")
    assert [d.get("class") for d in context] == [None, None, "quoted", None, None]
    assert "Disputed" in owners.text_content()
    assert "does not count" in owners.text_content()
    assert "Unsupported" in page.get_element_by_id("data.sources").text_content()
    assert "met shown as partial" in page.get_element_by_id("risk.guardrails").text_content()
    assert "hosting, cloud" in page.get_element_by_id("platform.hosting").text_content()
    assert "data.owners: name one" in page.get_element_by_id("conditions").text_content()
    assert page.get_element_by_id("decisions") is not None
    assert "total" in page.get_element_by_id("usage").text_content()


def test_page_is_self_contained_and_escapes_document_text(
    flagged: tuple[RunView, dict[str, Source]],
) -> None:
    view, sources = flagged
    text = render_html(view, sources)
    page = _page(text)
    assert page.xpath("//script") == []
    assert page.xpath("//link") == [] and page.xpath("//img") == []
    assert "<script>alert(1)" not in text
    assert HOSTILE in page.get_element_by_id("data.sources").text_content()
    assert page.xpath("//meta[@name='viewport']")
    assert "@media print" in text


def test_every_decision_writes_the_html_report(workspace: Path) -> None:
    approved = cli_json("review", str(DEMO))["run_id"]
    rejected = cli_json("review", str(DEMO))["run_id"]
    cli_json("approve", approved, "--reviewer", "ana")
    cli_json("reject", rejected, "--reviewer", "ana", "--comment", "no")
    for run_id, state in ((approved, "approved"), (rejected, "rejected")):
        page = _page((workspace / "reports" / f"{run_id}.html").read_text(encoding="utf-8"))
        assert state in page.xpath("//header")[0].text_content()
        assert "ana" in page.get_element_by_id("decisions").text_content()


def test_show_prints_the_page_or_writes_it(demo_run: str, tmp_path: Path) -> None:
    printed = runner.invoke(app, ["show", demo_run, "--format", "html"])
    assert printed.exit_code == 0, printed.output
    page = _page(printed.stdout)
    assert page.get_element_by_id("overall").text_content() == "ready_with_conditions"
    assert "not certified" in page.get_element_by_id("screened").text_content()
    out = tmp_path / "r.html"
    written = runner.invoke(app, ["show", demo_run, "--format", "html", "-o", str(out)])
    assert written.exit_code == 0, written.output
    assert out.read_text(encoding="utf-8") == printed.stdout


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_page_loads_in_headless_chromium_without_errors(
    demo_run: str, tmp_path: Path, width: int
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra")
    browser_path = _browser()
    if browser_path is None:
        pytest.skip("no Chromium on PATH (.ci/run installs it with apt-get install chromium)")
    page_file = tmp_path / "r.html"
    shown = runner.invoke(app, ["show", demo_run, "--format", "html", "-o", str(page_file)])
    assert shown.exit_code == 0, shown.output
    problems: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith("file:") else problems.append(r.url))
        page.goto(page_file.as_uri())
        assert page.locator("#gate-table").is_visible()
        assert page.locator("#gate-table tbody tr").count() == 5
        assert page.locator("#overall").inner_text() == "ready_with_conditions"  # screened
        assert "not certified" in page.locator("#screened").inner_text()
        scroll = page.evaluate("document.documentElement.scrollWidth")
        browser.close()
    assert problems == []
    assert scroll <= width  # nothing forces a phone to scroll sideways
