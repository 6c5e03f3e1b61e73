"""A run as one self-contained HTML page: no script, no network, fit for a phone and for print."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from agents.coordinator import counts_toward_verdict
from exports.diff import RunDiff
from exports.sources import Source, quote_context
from exports.tool import NAME, tool_version
from exports.view import RunView
from vocabulary.models import FINDING_STATUSES


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("exports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(counted=counts_toward_verdict, context=quote_context)
    return env


def gate_counts(view: RunView) -> dict[str, dict[str, int]]:
    """Per gate, how many findings have each status (dismissed and not applicable left out)."""
    counts = {g: dict.fromkeys(FINDING_STATUSES, 0) for g in view.gate_names}
    for finding in view.findings:
        if not finding.dismissed and not finding.not_applicable:
            counts[finding.gate][finding.status] += 1
    return counts


def render_diff_html(diff: RunDiff) -> str:
    """The changes between two runs as one self-contained page (pass a masked diff)."""
    template = _environment().get_template("diff.html.j2")
    return template.render(diff=diff, tool=NAME, version=tool_version())


def render_html(view: RunView, sources: Mapping[str, Source]) -> str:
    """The report page of a run (the caller passes a masked view when the page will travel)."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        view=view,
        sources=sources,
        gates=[g for g in view.gate_names if view.verdict and g in view.verdict.gates],
        statuses=FINDING_STATUSES,
        counts=gate_counts(view),
        tool=NAME,
        version=tool_version(),
    )
