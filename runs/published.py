"""A run in the formats other tools read (SARIF, HTML, a PR comment), masked for travel."""

from __future__ import annotations

import json
import os
from pathlib import Path

from agents.rubric import Rubric
from agents.rubric_set import rubric_set_of
from exports.choices import ExportFormat
from exports.sources import Source, sources_from_state
from exports.view import RunView
from graphs.report import masked_view
from graphs.settings import Settings
from graphs.workspace import Workspace
from traces.verify import last_hash
from vocabulary.errors import GateReviewError


def run_sources(run_id: str, settings: Settings) -> dict[str, Source]:
    """The run's documents as exports read them."""
    from runs.operations import load_run_documents

    return sources_from_state(load_run_documents(run_id, settings))


def run_rubrics(run_id: str, settings: Settings) -> dict[str, Rubric]:
    """The rubrics a run was reviewed against, for exports that describe its criteria."""
    from runs.operations import load_values

    return rubric_set_of(load_values(run_id, settings) or {}).rubrics


def travelling_view(view: RunView, settings: Settings) -> RunView:
    """The view masked as reports are, with the trace's last hash even before a decision."""
    if not view.report.get("trace_last_hash"):
        trace = Workspace(settings.home).trace_file(view.run_id)
        found = last_hash(trace) if trace.is_file() else None
        if found:
            view = view.model_copy(
                update={"report": {**view.report, "trace": str(trace), "trace_last_hash": found}}
            )
    return masked_view(view)


def render_export(
    view: RunView,
    sources: dict[str, Source],
    fmt: ExportFormat,
    rubrics: dict[str, Rubric] | None = None,
) -> str:
    """One export of a (masked) view as text (SARIF rules from `rubrics`, else the built-in)."""
    if fmt == "sarif":
        from exports.sarif import sarif_log

        # In GitHub Actions the checkout is GITHUB_WORKSPACE; elsewhere the current folder.
        log = sarif_log(view, sources, rubrics, os.environ.get("GITHUB_WORKSPACE") or None)
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        from exports.html import render_html

        return render_html(view, sources)
    if fmt == "csv":
        from exports.conditions import conditions_csv

        return conditions_csv(view.conditions)
    if fmt == "issues":
        from exports.conditions import issue_bodies

        return issue_bodies(view.conditions, view.run_id, view.project)
    from exports.github import blob_base, render_github

    return render_github(view, blob_base(os.environ))


def write_export(text: str, path: Path) -> None:
    """Write an export where the user asked; a folder that does not exist is a user mistake."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise GateReviewError(f"cannot write {path}: {exc.strerror or exc}") from None
