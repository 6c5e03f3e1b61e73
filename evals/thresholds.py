"""Pass or fail: suite totals against `thresholds.toml` minimums and against a baseline run."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from evals.scorers import COST_METRICS, QUALITY_METRICS
from vocabulary.errors import GateReviewError
from vocabulary.models import Strict

THRESHOLDS_FILE = Path(__file__).parent / "thresholds.toml"
Mode = Literal["offline", "replay", "live"]


class Thresholds(Strict):
    """Minimum quality per mode and the tolerated regression per metric."""

    minimum: dict[Mode, dict[str, float]] = Field(default_factory=dict)
    tolerance: dict[str, float] = Field(default_factory=dict)


def load_thresholds(path: Path = THRESHOLDS_FILE) -> Thresholds:
    """Read and validate the thresholds file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        thresholds = Thresholds.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise GateReviewError(f"{path}: {exc}".splitlines()[0]) from None
    known = set(QUALITY_METRICS) | set(COST_METRICS)
    names = {n for m in thresholds.minimum.values() for n in m} | set(thresholds.tolerance)
    if names - known:
        raise GateReviewError(f"{path}: unknown metric {sorted(names - known)[0]!r}")
    return thresholds


def below_minimum(
    metrics: dict[str, float | None], thresholds: Thresholds, mode: Mode
) -> list[str]:
    """One message per quality metric below its minimum; an unscored metric is not judged."""
    failures = []
    for name, minimum in thresholds.minimum.get(mode, {}).items():
        value = metrics.get(name)
        if value is not None and value < minimum - 1e-9:
            failures.append(f"{name} {value:.3f} is below its minimum {minimum:.3f} ({mode})")
    return failures


def load_baseline(path: Path) -> tuple[str, dict[str, float | None]]:
    """The mode and the metrics of an earlier results file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return str(data["mode"]), dict(data["metrics"])
    except FileNotFoundError:
        raise GateReviewError(f"{path}: no such baseline file") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise GateReviewError(f"{path}: not an eval results file ({exc})") from None


def regressions(
    metrics: dict[str, float | None],
    baseline: dict[str, float | None],
    thresholds: Thresholds,
) -> list[str]:
    """One message per metric that moved the wrong way beyond its tolerance."""
    failures = []
    for name, tolerance in thresholds.tolerance.items():
        now, before = metrics.get(name), baseline.get(name)
        if before is None:
            continue
        if now is None:
            failures.append(f"{name} is unscored now (baseline {before:.3f})")
        elif name in QUALITY_METRICS and now < before - tolerance - 1e-9:
            drop = f"{name} dropped from {before:.3f} to {now:.3f}"
            failures.append(f"{drop} (tolerance {tolerance})")
        elif name in COST_METRICS and before > 0 and now > before * (1 + tolerance) + 1e-9:
            failures.append(
                f"{name} rose from {before:.4g} to {now:.4g} (tolerance +{tolerance:.0%})"
            )
    return failures
