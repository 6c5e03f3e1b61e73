"""The closed vocabularies of exports and the CI gate (light: the CLI imports it for --help)."""

from __future__ import annotations

from typing import Literal

FailOn = Literal["not_ready", "conditional", "never"]
OutputFormat = Literal["table", "json", "sarif", "html", "github"]
ExportFormat = Literal["sarif", "html", "github"]
FAIL_EXIT = 3  # 1 is an internal error, 2 a user mistake
