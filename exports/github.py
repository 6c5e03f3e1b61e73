"""A run as a pull-request comment: Markdown within GitHub's comment limit."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from agents.coordinator import counts_toward_verdict
from exports.flags import notes, unmet
from exports.html import gate_counts
from exports.view import RunView
from vocabulary.models import FINDING_STATUSES, Evidence, Finding

COMMENT_LIMIT = 65_536  # characters GitHub accepts in one comment body
MARK = {"ready": "✅", "conditional": "⚠️", "not_ready": "❌", "ready_with_conditions": "⚠️"}
_SPECIAL = re.compile(r"[\\`*_{}\[\]<>|#~]")
_URL_SAFE = ":/?#&=+%@!$,;~*'()-._"


def inline(text: str) -> str:
    """Text safe inside one Markdown line or table cell: no HTML, no markup, no line breaks."""
    flat = " ".join(text.split())
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), flat.replace("&", "&amp;"))


def _code(text: str) -> str:
    """A path or location as one code span: a backtick in it (a wiki page's title is anyone's
    to write) cannot end the span and start markup."""
    flat = " ".join(text.replace("`", "'").split())
    return f"`{flat}`"


def blob_base(env: Mapping[str, str]) -> str:
    """Where document links point: the commit's files on GitHub inside Actions, else relative."""
    keys = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")
    server, repo, sha = (env.get(k) for k in keys)
    if server and repo and sha:
        return f"{server}/{repo}/blob/{sha}/"
    return ""


@dataclass(frozen=True)
class _Targets:
    """Where a document's quotes link to, when not `base` + path + `#L` line."""

    pages: Mapping[str, str]  # path -> a wiki page's URL ("": the file, no line anchor)
    bases: Mapping[str, str]  # path -> the blob base of the commit it was read at


def _targets(view: RunView, base: str) -> _Targets:
    # A wiki page links to itself; a file whose lines are not the file's own (an HTML page's
    # extracted text, a deck, an ODT) links to the file without a line anchor; a file read at
    # a commit (--rev) links to that commit's copy rather than the checkout's.
    pages = {d.path: d.origin.url if d.origin and d.origin.url else "" for d in view.documents
             if (d.origin and d.origin.url) or d.kind in ("html", "pptx", "odt")}  # fmt: skip
    bases = {
        d.path: re.sub(r"/blob/[^/]+/$", f"/blob/{d.origin.commit}/", base)
        for d in view.documents
        if base and d.origin and d.origin.source == "git" and d.origin.commit
    }
    return _Targets(pages, bases)


def _link(evidence: Evidence, base: str, targets: _Targets) -> str:
    if evidence.kind == "external":
        return f"[{inline(evidence.title or evidence.url or 'source')}]({evidence.url})"
    pages, path = targets.pages, evidence.path or ""
    if pages.get(path):  # a wiki page: its location links to the page
        return f"[{_code(evidence.location)}](<{quote(pages[path], safe=_URL_SAFE)}>)"
    base = targets.bases.get(path, base)
    target = quote(path.replace("\\", "/"))
    if evidence.line_start and path not in pages:
        target += f"#L{evidence.line_start}"
        if evidence.line_end and evidence.line_end != evidence.line_start:
            target += f"-L{evidence.line_end}"
    return f"[{_code(evidence.location)}]({base}{target})"


def _finding(f: Finding, base: str, quotes: bool, pages: _Targets) -> list[str]:
    flags = [
        text
        for text, on in (
            ("unsupported", f.unsupported),
            ("disputed", f.disputed),
            ("dismissed", f.dismissed),
            (f"amended by {inline(f.amended_by or '')}", f.amended_by),
        )
        if on
    ]
    note = f" ({', '.join(flags)})" if flags else ""
    lines = [f"- **{f.id}** `{f.status}` {f.severity}{note}: {inline(f.summary)}"]
    lines += [f"  - {label}: {inline(text)}" for label, text in notes(f)]
    for e in f.evidence if quotes else []:
        lines.append(f"  - {_link(e, base, pages)}: > {inline(e.quote)}")
    if not quotes:
        lines += [f"  - {_link(e, base, pages)}" for e in f.evidence]
    if f.recommendation and f.status != "met":
        lines.append(f"  - Recommendation: {inline(f.recommendation)}")
    return lines


def _render(view: RunView, base: str, quotes: bool, unmet_only: bool) -> str:
    pages = _targets(view, base)
    verdict = view.verdict
    overall = verdict.overall if verdict else "no verdict"
    out = [
        f"## {MARK.get(overall, '')} gatereview: **{overall}**".replace("  ", " "),
        "",
        f"Run `{view.run_id}` · state `{view.state}` · "
        + ", ".join(_code(d.path) for d in view.documents),
        "",
    ]
    if verdict is None:
        return "\n".join(out)
    out += [inline(verdict.summary), "", "| gate | status | " + " | ".join(FINDING_STATUSES) + " |"]
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    counts = gate_counts(view)
    for gate, gv in verdict.gates.items():
        row = " | ".join(str(n) for n in counts[gate].values())
        out.append(f"| {gate} | {MARK[gv.status]} {gv.status} | {row} |")
    if verdict.conditions:
        out += ["", "**Conditions**", ""] + [f"- {inline(c)}" for c in verdict.conditions]
    for gate in view.gate_names:
        findings = [f for f in view.findings if f.gate == gate]
        shown = [f for f in findings if unmet(f)] if unmet_only else findings
        if gate not in verdict.gates:
            continue
        gv = verdict.gates[gate]
        counted = sum(1 for f in findings if counts_toward_verdict(f))
        out += [
            "",
            "<details>",
            f"<summary>{MARK[gv.status]} <b>{gate}</b>: {gv.status} "
            f"({len(findings)} findings, {counted} counted)</summary>",
            "",
            inline(gv.reason),
            "",
        ]
        for f in shown:
            out += _finding(f, base, quotes, pages)
        if unmet_only and len(shown) < len(findings):
            out.append(f"- {len(findings) - len(shown)} met or dismissed finding(s) not listed")
        out += ["", "</details>"]
    return "\n".join(out)


def render_github(view: RunView, base: str = "", limit: int = COMMENT_LIMIT) -> str:
    """The comment: full detail when it fits; else without quotes, then unmet findings only."""
    footer = "\n\n<sub>Full detail: the SARIF and HTML reports of this run.</sub>\n"
    for quotes, unmet_only in ((True, False), (False, False), (False, True)):
        body = _render(view, base, quotes, unmet_only) + footer
        if len(body) <= limit:
            return body
    cut = "\n\n… (cut to fit the comment limit; see the HTML report)\n"
    return body[: limit - len(cut)] + cut
