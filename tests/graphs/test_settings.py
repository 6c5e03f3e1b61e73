"""Settings resolve once: flag > GATEREVIEW_* environment > files > default; a settings file in
the reviewed repository may set only limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphs.settings import resolve_settings
from vocabulary.errors import GateReviewError


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "gatereview.toml"
    path.write_text('[gatereview]\nmodel = "ollama/llama3.1"\nmax_concurrency = 2\n'
                    "budget_usd = 1.5\n")
    return path


def test_each_layer_wins_over_the_ones_below(config_file: Path) -> None:
    env = {"GATEREVIEW_MAX_CONCURRENCY": "3", "GATEREVIEW_BUDGET_USD": "2.5"}
    settings = resolve_settings({"budget_usd": 0.25}, env=env, config_file=config_file)
    assert settings.model == "ollama/llama3.1"  # file
    assert settings.max_concurrency == 3  # environment over file
    assert settings.budget_usd == 0.25  # flag over environment and file
    assert settings.max_context_tokens == 6000  # default


def test_defaults_with_nothing_set(tmp_path: Path) -> None:
    settings = resolve_settings({}, env={}, repository_file=tmp_path / "absent.toml")
    assert settings.model == "offline" and settings.offline
    assert settings.home == Path(".gatereview")


def test_api_key_is_never_dumped() -> None:
    settings = resolve_settings({"api_key": "sk-secret-value"}, env={})
    assert settings.api_key and settings.api_key.get_secret_value() == "sk-secret-value"
    assert "sk-secret-value" not in settings.model_dump_json()
    assert "sk-secret-value" not in repr(settings)


def test_a_broken_config_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "gatereview.toml"
    path.write_text("model = \n")
    with pytest.raises(GateReviewError, match="not valid TOML"):
        resolve_settings({}, env={}, config_file=path)


def test_the_standard_otlp_variable_is_honoured() -> None:
    settings = resolve_settings({}, env={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert settings.otlp_endpoint == "http://127.0.0.1:4318"


@pytest.mark.parametrize(
    "line",
    [
        'api_base = "https://collector.example/v1"',
        "mask = false",
        'model = "openai/gpt-4.1"',
        'home = "/tmp/elsewhere"',
        'api_key = "sk-from-the-repo-0000000000"',
        'otlp_endpoint = "https://collector.example"',
        "web = true",
        "price_in = 0",
    ],
    ids=["api_base", "mask", "model", "home", "api_key", "otlp", "web", "price"],
)
def test_a_repository_settings_file_cannot_redirect_or_unmask(tmp_path: Path, line: str) -> None:
    repository = tmp_path / "gatereview.toml"
    repository.write_text(f"[gatereview]\n{line}\n")
    with pytest.raises(GateReviewError) as raised:
        resolve_settings({}, env={}, repository_file=repository)
    message = str(raised.value)
    assert message.startswith(f"{repository}: {line.split(' ')[0]} cannot be set")
    assert "--config" in message and "\n" not in message


@pytest.mark.parametrize("trusted", [False, True], ids=["repository", "named"])
def test_a_settings_file_cannot_reach_the_verdict_rule(tmp_path: Path, trusted: bool) -> None:
    # The rule's fitted parameters are code, not settings: no file, trusted or not, sets them.
    path = tmp_path / "gatereview.toml"
    path.write_text("silent_share = 1.0\njudgement_floor = \"not_ready\"\n")
    with pytest.raises(GateReviewError) as raised:
        if trusted:
            resolve_settings({}, env={}, config_file=path)
        else:
            resolve_settings({}, env={}, repository_file=path)
    assert str(raised.value).startswith(
        f"{path}: unknown setting judgement_floor, silent_share (known: "
    )


def test_a_repository_settings_file_may_set_limits(tmp_path: Path) -> None:
    repository = tmp_path / "gatereview.toml"
    repository.write_text("max_concurrency = 2\nmax_bytes = 1000\ntimeout_s = 5\n")
    settings = resolve_settings({}, env={}, repository_file=repository)
    assert (settings.max_concurrency, settings.max_bytes, settings.timeout_s) == (2, 1000, 5)


def test_a_file_the_user_names_or_keeps_in_their_config_folder_is_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = tmp_path / "mine.toml"
    named.write_text('api_base = "http://127.0.0.1:8000/v1"\nmask = false\n')
    settings = resolve_settings({}, env={}, config_file=named)
    assert settings.api_base == "http://127.0.0.1:8000/v1" and settings.mask is False
    folder = tmp_path / "xdg" / "gatereview"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text('model = "openai/gpt-4.1-mini"\n')
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    repository = tmp_path / "gatereview.toml"
    repository.write_text("max_concurrency = 2\n")
    settings = resolve_settings({}, env={}, repository_file=repository)
    assert settings.model == "openai/gpt-4.1-mini" and settings.max_concurrency == 2


def test_a_named_config_file_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(GateReviewError, match="no such file"):
        resolve_settings({}, env={}, config_file=tmp_path / "absent.toml")


def test_masking_is_on_by_default_for_every_model() -> None:
    for model in ("offline", "ollama/llama3.1", "lm_studio/qwen", "openai/gpt-4.1-mini"):
        assert resolve_settings({"model": model}, env={}).mask is True
    assert resolve_settings({"mask": False}, env={}).mask is False
    assert resolve_settings({}, env={"GATEREVIEW_MASK": "false"}).mask is False


def test_credentials_in_the_api_base_are_moved_out_of_it_and_never_shown() -> None:
    settings = resolve_settings({"api_base": "https://ana:p%40ss-W0rd-91@llm.internal/v1"}, env={})
    assert settings.api_base == "https://llm.internal/v1"
    assert settings.api_auth is not None
    assert settings.api_auth.get_secret_value() == "ana:p@ss-W0rd-91"
    for shown in (settings.model_dump_json(), repr(settings), str(settings.model_dump())):
        assert "W0rd" not in shown
