"""Secrets and personal data, seeded in a document, the environment and a reviewer's comment,
never reach a hosted model's request, the trace or the reports; workspace files are owner-only.

What "never reaches a report" means: the reports quote the documents as evidence, so a quote
that held an e-mail address, a card number or a credential is shown masked
(`[REDACTED:email]`) with its `path:line`, where the reader with access finds the original.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.cli import cli_json
from fakes.openai_server import OPENAI_URL, FakeModel, serve
from typer.testing import CliRunner

from main import app

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DOCUMENT = str(HERE / "fixtures" / "secrets-and-personal-data.md")
MODEL = "openai/gpt-4.1-mini"

KEY_IN_USE = "sk-gatereview-Pq9Wo8Ei7Ru6Ty5Ua4Sd3Fg2"  # GATEREVIEW_API_KEY: sent, as a header
ENVIRONMENT = {
    "GATEREVIEW_API_KEY": KEY_IN_USE,
    "OPENAI_API_KEY": "sk-env-openai-8Hq2Lw5Nx9Kv3Tz7Rb1Yc4",
    "ANTHROPIC_API_KEY": "sk-ant-api03-Zx8Vc7Bn6Mm5Ll4Kk3Jj2Hh1Gg0",
    "GATEREVIEW_WEBHOOK_TOKEN": "whk-7Yt6Rf5Ed4Ws3Qa2Zx1",
}
IN_DOCUMENT = (
    "marta.kowalski@northwind-health.co.uk",
    "dpo@northwind-health.co.uk",
    "5555 5555 5555 4444",
    "4111-1111-1111-1111",
    "sk-proj-Q7vN2xL9mK4pR8sT1wY6zB3cD5fG0hJ2",
    "AKIAQ3EGUV7ZK2M4XW5N",
    "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXy9Zq8Wp7",
    "S3cr3t-Passw0rd-91",
    "tok_live_9f8e7d6c5b4a3f2e1d0c",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGFpbXMtc3ZjIn0.Yk3dQ9vL2mN8pR5sT7wX1zA4cF6hJ0",
    "T0A1B2C3D/B4E5F6G7H/q8R9s0T1u2V3w4X5y6Z7a8B9",  # Slack incoming webhook
    "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",  # Google API key
    "sk_live_51Hx9KqLmNoPqRsTuVwXyZ0123456789abcdEF",  # Stripe live key
    "Q2xhaW1zQXJjaGl2ZUtleU9uZVR3b1RocmVlRm91ckZpdmVTaXhTZXZlbkVpZ2h0TmluZVRlbkVsZXZlblR3ZWx2ZQ",
    "Y2xhaW1zOlMzY3IzdC1CYXNpYy03Nw",  # HTTP Basic authorisation
    "9f8e7d6c5b4a3f2e1d0c",  # ?key= in a URL
    "glpat-Xy7Zq2Wp9Lm4Kn8Rt3Vb",  # GitLab personal access token
    "943 476 5919",  # NHS number
    "536-90-4399",  # US Social Security number
    "AB 12 34 56 C",  # UK National Insurance number
    "R7TQ2M4XW5NZK3P8",  # an AWS key split by a zero-width space
    "npm_Zq8Lm2Nc4Vb6Xr1Tp9Wk3Hy5Gd7Fs0Aa1Bb2",  # from here on, gitleaks' rules and shapes
    "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",
    "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",
    "dapi1f2e3d4c5b6a79881f2e3d4c5b6a7988",
    "dckr_pat_Qm3Xv8Lp2Rt6Wz9Ka1Yb4Nc7Hd0",
    "Tr0ub4dor&3",  # a .netrc password
    "K4829173",  # a passport number
    "07/11/1979",  # a date of birth
    "de89 3704 0044 0532 0130 00",  # an IBAN, lower case and spaced
    "078-05-1120",  # an SSN published in advertising: the shape, whatever the range
    "QQ 12 34 56 C",  # an NI number with the test prefix
)
IN_COMMENT = "ask marta.kowalski@northwind-health.co.uk; card 5555 5555 5555 4444 is test data"
SEEDED = (*IN_DOCUMENT, *ENVIRONMENT.values())


LOOPBACK = "http://127.0.0.1:8999/v1"
# Where the model is: a hosted provider, or a server on loopback (often a proxy to one).
ENDPOINTS = {
    "hosted": (OPENAI_URL, [], "--model", MODEL),
    "loopback": (f"{LOOPBACK}/chat/completions", ["--api-base", LOOPBACK], "--model", "openai/m"),
}


@pytest.fixture(params=list(ENDPOINTS))
def hosted(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeModel]:
    """The model (respx at its URL) and secrets in the environment; `.flags` selects it."""
    url, extra, *model = ENDPOINTS[request.param]
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    with serve(url) as fake:
        fake.flags = [*model, *extra]  # type: ignore[attr-defined]
        yield fake


def _leaks(text: str) -> set[str]:
    return {value for value in SEEDED if value in text}


def _wrong_schema(answer: dict[str, Any]) -> dict[str, Any]:
    return {"verdict": "ready"}


def test_seeded_secrets_and_personal_data_reach_no_request_trace_or_report(
    hosted: FakeModel, workspace: Path
) -> None:
    # The data gate degrades (its findings then come from the offline reviewer, quoting the
    # original text), so the summary request carries offline findings as well.
    hosted.script("data", "review", _wrong_schema)
    hosted.script("data", "repair_schema", _wrong_schema)
    run = cli_json("review", DOCUMENT, *hosted.flags)  # type: ignore[attr-defined]
    assert run["gates"]["data"]["degraded"]
    run_id = run["run_id"]
    cli_json("reject", run_id, "--reviewer", "Ana Ruiz", "--comment", IN_COMMENT, "--gate", "data")
    final = cli_json(
        "approve", run_id, "--reviewer", "Ana Ruiz", "--comment", "conditions accepted"
    )
    assert final["state"] == "approved"

    kinds = [s.kind for s in hosted.requests]
    assert kinds.count("review") == 6 and kinds.count("summary") == 2  # 5 gates, 1 re-review
    assert [(s.kind, s.gate, _leaks(s.raw)) for s in hosted.requests if _leaks(s.raw)] == []
    rereview = hosted.sent("review", "data")[-1].raw
    assert "[REDACTED:email]" in rereview and "ask [REDACTED:email]" in rereview
    for seen in hosted.requests:
        assert seen.headers["authorization"] == f"Bearer {KEY_IN_USE}"
        assert _leaks(json.dumps(seen.headers)) == {KEY_IN_USE}

    trace = (workspace / "traces" / f"{run_id}.jsonl").read_text(encoding="utf-8")
    assert _leaks(trace) == set()
    assert "[REDACTED:email]" in trace  # the masked prompt is what the trace records

    for suffix in ("md", "json"):
        report = (workspace / "reports" / f"{run_id}.{suffix}").read_text(encoding="utf-8")
        assert _leaks(report) == set(), suffix
        assert "[REDACTED:email]" in report and "[REDACTED:card]" in report
    owners = next(f for f in final["findings"] if f["id"] == "data.owners")
    quoted = json.loads((workspace / "reports" / f"{run_id}.json").read_text())
    masked = next(f for f in quoted["findings"] if f["id"] == "data.owners")
    assert [e["line_start"] for e in masked["evidence"]] == [
        e["line_start"] for e in owners["evidence"]
    ]


def _modes(home: Path) -> dict[str, int]:
    return {str(p.relative_to(home)): stat.S_IMODE(p.stat().st_mode) for p in home.rglob("*")}


def test_every_workspace_file_is_owner_only_whatever_the_umask(workspace: Path) -> None:
    previous = os.umask(0)  # the loosest umask a user could have
    try:
        run = cli_json("review", str(ROOT / "examples" / "demo-grade-poc.md"))
        cli_json("approve", run["run_id"], "--reviewer", "ana")
    finally:
        os.umask(previous)
    modes = _modes(workspace)
    kinds = {Path(name).parts[0] for name in modes}
    assert {"checkpoints.sqlite", "traces", "reports", "locks"} <= kinds
    assert {name: oct(mode) for name, mode in modes.items() if mode & 0o077} == {}


def test_an_offline_reviews_report_masks_the_personal_data_its_quotes_hold(
    workspace: Path,
) -> None:
    run = cli_json("review", DOCUMENT)
    quotes = " ".join(e["quote"] for f in run["findings"] for e in f["evidence"])
    assert _leaks(quotes)  # the run itself quotes the document as written, for its owner
    cli_json("approve", run["run_id"], "--reviewer", "ana", "--comment", "ok: 4111-1111-1111-1111")
    for suffix in ("md", "json"):
        report = (workspace / "reports" / f"{run['run_id']}.{suffix}").read_text("utf-8")
        assert _leaks(report) == set(), suffix
        assert "[REDACTED:email]" in report
    trace = (workspace / "traces" / f"{run['run_id']}.jsonl").read_text(encoding="utf-8")
    assert _leaks(trace) == set()


def test_a_settings_file_in_the_reviewed_folder_cannot_redirect_the_key(
    fake: FakeModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gatereview.toml").write_text(
        'api_base = "https://collector.example/v1"\nmask = false\n'
    )
    done = CliRunner().invoke(app, ["review", DOCUMENT, "--model", MODEL])
    assert done.exit_code == 2
    assert done.stderr.strip().splitlines() == [
        f"error: gatereview.toml: api_base, mask cannot be set by a settings file in the current "
        "directory (it may belong to the repository under review); pass --config "
        f"gatereview.toml to trust it, or set them in {tmp_path / 'user-config'}/gatereview/"
        "config.toml"
    ]
    assert fake.requests == []


def test_a_password_in_the_api_base_is_sent_as_credentials_and_never_shown(
    tmp_path: Path, workspace: Path
) -> None:
    password = "Pq9-url-S3cret-77"
    base = f"https://ana:{password}@llm.internal/v1"
    with serve("https://llm.internal/v1/chat/completions", model="m") as model:
        done = CliRunner().invoke(
            app, ["review", DOCUMENT, "--model", "openai/m", "--api-base", base, "--json"]
        )
        assert done.exit_code == 0, done.output
        run = json.loads(done.stdout)
        cli_json("approve", run["run_id"], "--reviewer", "ana")
    basic = base64.b64encode(f"ana:{password}".encode()).decode()
    assert {seen.headers["authorization"] for seen in model.requests} == {f"Basic {basic}"}
    assert all(password not in seen.raw for seen in model.requests)
    written = [p.read_text(encoding="utf-8") for p in workspace.rglob("*") if p.is_file()
               and p.suffix in (".jsonl", ".json", ".md")]
    assert written and not [text for text in written if password in text or basic in text]
    assert password not in done.output
