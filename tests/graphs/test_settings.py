"""Settings resolve once: flag > GATEREVIEW_* environment > gatereview.toml > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.errors import GateReviewError
from graphs.settings import resolve_settings


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
