"""The PR comment and the example workflow: Markdown under GitHub's limit, real actions only."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from fakes.exports import HOSTILE, ROOT, quoted
from typer.testing import CliRunner

from exports.github import COMMENT_LIMIT, blob_base, render_github
from exports.sources import Source
from exports.view import RunView
from main import app
from vocabulary.models import Finding

runner = CliRunner()
WORKFLOW = ROOT / "examples" / "github-action.yml"
# Published actions the example may use, each at a major version that exists.
REAL_ACTIONS = {
    "actions/checkout@v4",
    "actions/setup-python@v5",
    "actions/upload-artifact@v4",
    "github/codeql-action/upload-sarif@v3",
    "marocchino/sticky-pull-request-comment@v2",
}


def test_comment_has_a_collapsible_section_per_gate_and_line_links(
    flagged: tuple[RunView, dict[str, Source]],
) -> None:
    view, _ = flagged
    text = render_github(view, base="https://github.com/o/r/blob/abc/")
    assert text.count("<details>") == text.count("</details>") == 5
    assert "(https://github.com/o/r/blob/abc/doc.md#L4)" in text
    assert "Disputed: offline finds nothing" in text
    assert "Unsupported: off topic" in text
    assert "`mentioned`" in text and "(dismissed)" in text


def test_comment_escapes_document_text(flagged: tuple[RunView, dict[str, Source]]) -> None:
    view, _ = flagged
    text = render_github(view)
    assert "<script>" not in text and HOSTILE not in text
    assert r"\<script\>" in text


def test_a_huge_run_still_fits_in_one_comment(flagged: tuple[RunView, dict[str, Source]]) -> None:
    view, _ = flagged
    long_quote = "x" * 3000
    many = [
        Finding.model_validate(
            {**view.findings[1].model_dump(), "id": f"data.sources{i}",
             "evidence": [quoted(5, long_quote).model_dump()] * 3}
        )
        for i in range(200)
    ]
    text = render_github(view.model_copy(update={"findings": many}))
    assert len(text) <= COMMENT_LIMIT
    assert text.count("<details>") == text.count("</details>")


def test_links_point_at_the_commit_inside_github_actions() -> None:
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r",
           "GITHUB_SHA": "abc"}
    assert blob_base(env) == "https://github.com/o/r/blob/abc/"
    assert blob_base({}) == ""


def test_show_prints_the_comment(demo_run: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["show", demo_run, "--format", "github"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## ") and "ready_with_conditions" in result.stdout
    assert "screened offline, not certified" in result.stdout.splitlines()[0]
    assert len(result.stdout) < COMMENT_LIMIT


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_example_workflow_parses_and_names_only_real_actions() -> None:
    steps = _workflow()["jobs"]["gatereview"]["steps"]
    used = {s["uses"] for s in steps if "uses" in s}
    assert used <= REAL_ACTIONS, used - REAL_ACTIONS
    assert "github/codeql-action/upload-sarif@v3" in used


def _commands() -> list[list[str]]:
    steps = _workflow()["jobs"]["gatereview"]["steps"]
    script = "\n".join(s.get("run", "") for s in steps).replace("\\\n", " ")
    found = []
    for line in script.splitlines():
        if "gatereview " in line and "pip install" not in line:
            words = shlex.split(line[line.index("gatereview ") :].split(">")[0])
            found.append(words[1:])
    return found


@pytest.mark.parametrize("command", _commands(), ids=lambda c: c[0])
def test_example_workflow_uses_only_options_the_cli_has(command: list[str]) -> None:
    helped = runner.invoke(app, [command[0], "--help"], terminal_width=200)
    options = [w.split("=")[0] for w in command if w.startswith("-")]
    assert options
    for option in options:
        assert re.search(rf"{re.escape(option)}\b", helped.stdout), option


def _with_text(view: RunView, text: str, path: str = "doc.md") -> RunView:
    """The view with `text` as every summary and recommendation, quoted from `path`."""
    findings = [
        f.model_copy(update={
            "summary": text, "recommendation": text,
            "evidence": [e.model_copy(update={"path": path, "quote": text}) for e in f.evidence],
        })
        for f in view.findings
    ]
    docs = [d.model_copy(update={"path": path}) for d in view.documents]
    verdict = view.verdict.model_copy(update={"summary": text, "conditions": [text]})
    return view.model_copy(update={"findings": findings, "documents": docs, "verdict": verdict})


@pytest.mark.parametrize(
    "text",
    [
        "Escalate to @acme/platform-leads and @octocat before launch",
        "ping@someone; cc: first.last@corp.example for access",
        "Evidence at https://attacker.example/phish and HTTP://Other.Example/x",
        "See www.lookalike-login.example for the sign-off",
    ],
    ids=["team-and-user-mentions", "mention-and-email", "scheme-links", "www-host"],
)
def test_comment_text_neither_notifies_nor_links_other_hosts(
    flagged: tuple[RunView, dict[str, Source]], text: str
) -> None:
    body = render_github(_with_text(flagged[0], text), base="https://github.com/o/r/blob/abc/")
    our_links = re.compile(r"\]\(https://github\.com/o/r/blob/abc/[^)]*\)")
    rest = our_links.sub("](OURS)", body)
    assert not re.search(r"@[A-Za-z0-9]", rest), "a live mention or e-mail address"
    assert "://" not in rest and not re.search(r"(?i)\bwww\.", rest)
    assert "&#8203;" in rest  # the text is still there, made inert, not deleted
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(body)
    shown = html.replace("\u200b", "")
    assert text in shown  # still readable


@pytest.mark.parametrize(
    "path",
    ["docs/a`b.md", "docs/``x``.md", "`lead.md", "docs/end`", "docs/[x](https://e.example).md"],
    ids=["one-backtick", "double-backticks", "leading", "trailing", "link-syntax"],
)
def test_a_backtick_in_a_file_name_stays_inside_its_code_span(
    flagged: tuple[RunView, dict[str, Source]], path: str
) -> None:
    from markdown_it import MarkdownIt

    body = render_github(_with_text(flagged[0], "plain", path))
    html = MarkdownIt("commonmark").render(body)
    escaped = path.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    spans = re.findall(r"<code>(.*?)</code>", html)
    assert escaped in spans  # the document line: the whole name in one code span
    assert any(s.startswith(f"{escaped}:") for s in spans)  # and each quote's path:line
    assert "<a href=\"https://e.example" not in html
