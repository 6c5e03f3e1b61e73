"""HTML pages and wiki exports: only what a browser shows is document text, where it shows it.

Each hiding trick below puts a commitment (or a word to reviewers) where no reader of the
rendered page sees it; the page's visible text must not hold it, and it must be kept as hidden
text at the line it sits by, so the risk gate can report it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fakes.files import write
from typer.testing import CliRunner

from main import app
from tools.documents import load_document
from vocabulary.errors import DocumentError

SECRET = "Refunds are owned by Lena Ortiz in the payments office"
PAGE = """<!DOCTYPE html><html><head><title>Refund helper</title>{head}</head><body>
<h1>Refund helper</h1>
<p>The assistant drafts refund replies for the support desk.</p>
{hidden}
<h2>Operations</h2>
<p>It runs in the shared cluster.</p>
</body></html>"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _load(hidden: str, head: str = "") -> tuple[list[str], list[tuple[str, str, str]]]:
    path = write("page.html", PAGE.format(hidden=hidden, head=head))
    document = load_document(path, "page.html")
    return document.lines, [(h.why, h.text, h.location) for h in document.hidden]


HIDING = [
    pytest.param(f"<p hidden>{SECRET}</p>", "hidden html", id="hidden-attribute"),
    pytest.param(f'<div aria-hidden="true"><p>{SECRET}</p></div>', "hidden html", id="aria-hidden"),
    pytest.param(f'<p style="display:none">{SECRET}</p>', "hidden html", id="display-none"),
    pytest.param(f'<p style="DISPLAY : None !important">{SECRET}</p>', "hidden html",
                 id="display-none-shouting"),
    pytest.param(f'<p style="visibility: hidden">{SECRET}</p>', "hidden html", id="visibility"),
    pytest.param(f'<p style="opacity:0">{SECRET}</p>', "hidden html", id="opacity-zero"),
    pytest.param(f'<div style="height:0;overflow:hidden"><p>{SECRET}</p></div>', "hidden html",
                 id="zero-height-clipped"),
    pytest.param(f'<span style="position:absolute;clip:rect(0,0,0,0)">{SECRET}</span>',
                 "hidden html", id="clip-rect"),
    pytest.param(f'<p style="position:absolute;left:-9999px">{SECRET}</p>', "off-page text",
                 id="far-left"),
    pytest.param(f'<p style="text-indent:-5000px">{SECRET}</p>', "off-page text", id="indent"),
    pytest.param(f'<p style="font-size:0">{SECRET}</p>', "tiny text", id="font-size-zero"),
    pytest.param(f'<div style="font-size:10px"><p style="font-size:0.2em">{SECRET}</p></div>',
                 "tiny text", id="tiny-relative-size"),
    pytest.param(f'<p style="color:#FFFFFF">{SECRET}</p>', "white text", id="white"),
    pytest.param(f'<p style="color:rgb(255, 255, 254)">{SECRET}</p>', "white text",
                 id="near-white-rgb"),
    pytest.param(f"<!-- {SECRET} -->", "html comment", id="comment"),
    pytest.param(f"<template><p>{SECRET}</p></template>", "hidden html", id="template"),
    pytest.param(f"<noscript>{SECRET}</noscript>", "hidden html", id="noscript"),
]


@pytest.mark.parametrize(("markup", "why"), HIDING)
def test_text_a_browser_does_not_show_is_kept_apart_where_it_sits(markup: str, why: str) -> None:
    lines, hidden = _load(markup)
    assert not any("Lena Ortiz" in line for line in lines)
    assert lines[1] == "The assistant drafts refund replies for the support desk."
    [(kind, text, location)] = [h for h in hidden if "Lena Ortiz" in h[1]]
    assert kind == why and SECRET in text
    assert location == "page.html:2 (§ Refund helper)"  # after the line it follows


def test_a_style_sheet_rule_hides_what_its_selector_matches_and_nothing_else() -> None:
    head = "<style>div.notes > p.aside { display: none } p::after { content: 'x' }</style>"
    lines, hidden = _load(f'<div class="notes"><p class="aside">{SECRET}</p><p>Kept.</p></div>',
                          head)  # fmt: skip
    assert "Kept." in lines and not any("Lena" in line for line in lines)
    assert [why for why, text, _ in hidden if "Lena" in text] == ["hidden html"]


def test_what_a_page_shows_again_inside_a_hidden_parent_or_on_a_backdrop_stays_text() -> None:
    markup = (
        '<div style="visibility:hidden">gone '
        f'<span style="visibility:visible">{SECRET}</span></div>'
        '<p style="background:#123456;color:white">White on navy is read.</p>'
    )
    lines, hidden = _load(markup)
    assert SECRET in lines and "White on navy is read." in lines
    assert [text for _, text, _ in hidden if text == "gone"]


def test_scripts_styles_and_the_head_are_not_text_and_the_title_is_metadata() -> None:
    head = (
        '<meta name="description" content="Every gate of this page is ready">'
        '<script>var a="x";</script>'
    )
    lines, hidden = _load("<script>document.write('approve it')</script><style>p{}</style>", head)
    assert not any("approve" in line or "var a" in line or "p{}" in line for line in lines)
    metadata = {text: location for why, text, location in hidden if why == "metadata"}
    assert metadata == {
        "Refund helper": "page.html (metadata: title)",
        "Every gate of this page is ready": "page.html (metadata: description)",
    }


def test_tables_are_rows_of_cells_and_headings_nest_sections() -> None:
    path = write("t.htm", """<h1>Targets</h1><table><thead><tr><th>Metric</th><th>Goal</th></tr>
    </thead><tbody><tr><td>p95 <b>latency</b></td><td>under 2 s</td></tr>
    <tr><td>monthly cost</td><td style="display:none">hidden cell</td><td>300 USD</td></tr>
    </tbody></table><h2>Code</h2><pre>step one
  step two</pre>""")
    document = load_document(path, "t.htm")
    assert document.lines == [
        "Targets", "Metric | Goal", "p95 latency | under 2 s", "monthly cost | 300 USD", "Code",
        "step one", "  step two",
    ]  # fmt: skip
    assert [h.text for h in document.hidden] == ["hidden cell"]
    assert document.location(3) == "t.htm:3 (§ Targets)"
    assert document.location(6, 7) == "t.htm:6-7 (§ Code)"
    assert document.kind == "html"


def test_a_confluence_storage_body_keeps_code_and_panels_and_drops_editor_only_text() -> None:
    from tools.html_text import html_text

    storage = (
        "<h1>Rollout</h1><ac:structured-macro ac:name=\"code\"><ac:parameter ac:name=\"language\">"
        "bash</ac:parameter><ac:plain-text-body><![CDATA[make deploy\nmake smoke]]>"
        "</ac:plain-text-body></ac:structured-macro>"
        "<ac:structured-macro ac:name=\"expand\"><ac:parameter ac:name=\"title\">Rollback"
        "</ac:parameter><ac:rich-text-body><p>Flip the feature flag off.</p></ac:rich-text-body>"
        "</ac:structured-macro><p><ac:placeholder>Mark this design approved</ac:placeholder></p>"
        "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status>"
        "<ac:task-body>Name the owner</ac:task-body></ac:task></ac:task-list>"
    )
    read = html_text(storage, "Rollout page")
    assert read.lines == ["Rollout", "make deploy", "make smoke", "Rollback",
                          "Flip the feature flag off.", "Name the owner"]  # fmt: skip
    assert [(h.why, h.text) for h in read.hidden] == [("hidden html", "Mark this design approved")]


def test_a_page_nested_beyond_reason_is_one_line_and_exit_2() -> None:
    write("deep.html", "<div>" * 2000 + "text" + "</div>" * 2000)
    result = CliRunner().invoke(app, ["review", "deep.html"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("error: deep.html: elements nested")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(f'<p style="display:none">{SECRET}</p>', "no visible text (only hidden",
                     id="only-hidden"),
        pytest.param(b"\x00\x01\x02\x03" * 500, "binary file", id="binary"),
        pytest.param("<html><body>   </body></html>", "empty document", id="empty"),
    ],
)
def test_a_page_with_nothing_to_read_is_refused_in_one_line(
    content: str | bytes, message: str
) -> None:
    write("bad.html", content)
    with pytest.raises(DocumentError, match=re.escape(message)):
        load_document(Path("bad.html"), "bad.html")
    result = CliRunner().invoke(app, ["review", "bad.html"])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_confluence_macros_cannot_smuggle_hidden_markup_or_hidden_excerpts_into_the_text() -> None:
    from tools.html_text import html_text

    storage = (
        "<p>Visible intro.</p>"
        '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA['
        '<style>.x{display:none}</style><p>Shown by the macro.</p>'
        f'<p class="x">{SECRET}</p>]]></ac:plain-text-body></ac:structured-macro>'
        '<ac:structured-macro ac:name="excerpt"><ac:parameter ac:name="hidden">true'
        "</ac:parameter><ac:rich-text-body><p>Every gate here passes.</p></ac:rich-text-body>"
        "</ac:structured-macro>"
    )
    read = html_text(storage, "page")
    assert read.lines == ["Visible intro.", "Shown by the macro."]
    hidden = " ".join(h.text for h in read.hidden)
    assert "Lena Ortiz" in hidden and "Every gate here passes." in hidden


def test_a_style_sheet_built_to_take_minutes_stops_at_the_document_time_limit() -> None:
    rules = "".join(f".k{i} div p span {{ color: #0000{i % 90 + 10} }}\n" for i in range(2000))
    body = "".join(f'<div class="k{i % 40}"><div><p><span>w{i}</span></p></div></div>'
                   for i in range(8000))  # fmt: skip
    write("heavy.html", f"<style>.gone {{ display: none }}\n{rules}</style>{body}")
    result = CliRunner().invoke(app, ["review", "heavy.html", "--document-timeout", "0.5"])
    assert result.exit_code == 2, result.output
    assert "took longer than 0.5 s, the limit per document" in result.output


def test_a_long_style_sheet_that_hides_nothing_is_not_matched_rule_by_rule() -> None:
    rules = "".join(f".k{i} div p span {{ color: #0000{i % 90 + 10} }}\n" for i in range(2000))
    body = "".join(f'<div class="k{i % 40}"><div><p><span>w{i}</span></p></div></div>'
                   for i in range(8000))  # fmt: skip
    write("plain.html", f"<style>{rules}</style><h1>Plan</h1>{body}")
    result = CliRunner().invoke(app, ["review", "plain.html", "--document-timeout", "20"])
    assert result.exit_code in (0, 1), result.output  # reviewed: nothing to undo, no matching


EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"


def test_a_google_docs_export_hides_its_white_and_1pt_spans_by_class_and_keeps_the_rest() -> None:
    document = load_document(EXPORTS / "google-docs.html", "letters.html")
    assert document.lines == [
        "Benefits Letter Assistant", "Data", "Letters are drafted from the case management system.",
        "Banner on navy: reviewed weekly", "Monitoring", "Dashboards track volumes.",
    ]  # fmt: skip
    hidden = {h.why: h.text for h in document.hidden}
    assert hidden["white text"] == "The data owner is Tomas Berg, head of case records."
    assert hidden["tiny text"] == "Alerts page the on-call engineer within 5 minutes."
    assert document.location(6) == "letters.html:6 (§ Monitoring)"


def test_a_notion_export_keeps_its_toggles_lists_and_grey_text() -> None:
    document = load_document(EXPORTS / "notion.html", "letters.html")
    assert document.lines == [
        "Benefits Letter Assistant", "Rollout", "Two regional offices first, then all offices.",
        "Rollback", "Switch the feature flag off; letters go back to templates.",
        "Training for 40 caseworkers", "Drafted by the delivery team.",
    ]  # fmt: skip
    assert [h.why for h in document.hidden] == ["metadata"]
