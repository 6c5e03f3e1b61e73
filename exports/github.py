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
from vocabulary.models import FINDING_STATUSES, Condition, Evidence, Finding

COMMENT_LIMIT = 65_536  # characters GitHub accepts in one comment body
MARK = {"ready": "✅", "conditional": "⚠️", "not_ready": "❌", "ready_with_conditions": "⚠️"}
_SPECIAL = re.compile(r"[\\`*_{}\[\]<>|#~]")
# What GitHub turns into a notification or a link by itself: an @mention (and an e-mail
# address), a scheme's `://`, a `www.` host. An invisible zero-width space (as an entity, which
# GitHub renders as nothing) after `@`, `:` and `www` leaves the text readable and inert.
_LIVE = re.compile(r"@|(?<=:)(?=//)|(?<=\bwww)(?=\.)", re.IGNORECASE)
ZWSP = "&#8203;"
_URL_SAFE = ":/?#&=+%@!$,;~*'()-._"


def inline(text: str) -> str:
    """Text safe inside one Markdown line or table cell: no HTML, no markup, no line breaks,
    no mention that notifies anyone and no bare link GitHub would make clickable."""
    flat = " ".join(text.split())
    escaped = _SPECIAL.sub(lambda m: "\\" + m.group(0), flat.replace("&", "&amp;"))
    return _LIVE.sub(lambda m: m.group(0) + ZWSP, escaped)


def code(text: str) -> str:
    """A code span holding `text` exactly, whatever backticks it holds: fenced by one more
    backtick than its longest run, padded when it starts or ends with one (CommonMark)."""
    flat = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


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
        url = quote(evidence.url or "", safe=":/?#@!$&'*+,;=%~")  # no space, paren or <>
        return f"[{inline(evidence.title or evidence.url or 'source')}]({url})"
    pages, path = targets.pages, evidence.path or ""
    if pages.get(path):  # a wiki page: its location links to the page
        return f"[{code(evidence.location)}](<{quote(pages[path], safe=_URL_SAFE)}>)"
    base = targets.bases.get(path, base)
    target = quote(path.replace("\\", "/"))
    if evidence.line_start and path not in pages:
        target += f"#L{evidence.line_start}"
        if evidence.line_end and evidence.line_end != evidence.line_start:
            target += f"-L{evidence.line_end}"
    return f"[{code(evidence.location)}]({base}{target})"


def _finding(f: Finding, base: str, quotes: bool, pages: _Targets) -> list[str]:
    flags = [
        text
        for text, on in (
            ("unsupported", f.unsupported),
            ("disputed", f.disputed),
            ("dismissed", f.dismissed),
            ("not applicable", f.not_applicable),
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


def _condition(c: Condition) -> str:
    owner = f"owner {inline(c.owner)}" if c.owner else "no owner"
    due = f", due {c.due}" if c.due else ""
    return f"- **{c.id}** {c.severity} ({owner}{due}): {inline(c.evidence_needed)}"


def _render(view: RunView, base: str, quotes: bool, unmet_only: bool) -> str:
    pages = _targets(view, base)
    verdict = view.verdict
    overall = verdict.overall if verdict else "no verdict"
    screened = " (screened offline, not certified)" if verdict and verdict.screened else ""
    out = [
        f"## {MARK.get(overall, '')} gatereview: **{overall}**{screened}".replace("  ", " "),
        "",
        f"Run `{view.run_id}` · state `{view.state}` · "
        + ", ".join(code(d.path) for d in view.documents),
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
    if view.conditions:
        out += ["", "**Conditions** (blockers first)", ""]
        out += [_condition(c) for c in view.conditions]
    elif verdict.conditions:
        out += ["", "**Conditions**", ""] + [f"- {inline(c)}" for c in verdict.conditions]
    if view.signatures or view.approvers:
        out += ["", "**Sign-off**", ""]
        out += [f"- {s.gate}: signed by {inline(s.reviewer)} at {s.at}" for s in view.signatures]
        out += [f"- {g}: not signed" for g in view.unsigned if view.state != "rejected"]
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
            left = len(findings) - len(shown)
            out.append(f"- {left} met, dismissed or not applicable finding(s) not listed")
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
