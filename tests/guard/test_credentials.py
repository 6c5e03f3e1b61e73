"""gitleaks' rules as the masker runs them: committed as data, regenerated from gitleaks' file."""

from __future__ import annotations

from pathlib import Path

import re2

from guard import redact
from guard.credentials import credential_rules, generate

GITLEAKS_TOML = '''
[[rules]]
id = "npm-access-token"
regex = \'\'\'(?i)\\b(npm_[a-z0-9]{36})(?:[\\x60'"\\s;]|\\\\[nr]|$)\'\'\'
entropy = 2
keywords = ["npm_"]

[[rules]]
id = "example-keyed-token"
regex = \'\'\'(?i)(?:examplecorp)[:=]\\s{0,5}([a-z0-9]{32})(?:[\\x60'"\\s;]|\\\\[nr]|$)\'\'\'
entropy = 3.5
keywords = ["examplecorp"]

[[rules]]
id = "generic-api-key"
regex = \'\'\'(?i)key\\s*=\\s*(\\w{10,})\'\'\'
keywords = ["key"]

[[rules]]
id = "pkcs12-file"
path = \'\'\'(?i)\\.p12$\'\'\'
'''


def test_generation_keeps_every_rule_with_a_pattern_and_drops_the_terminator(
    tmp_path: Path,
) -> None:
    source = tmp_path / "gitleaks.toml"
    source.write_text(GITLEAKS_TOML, encoding="utf-8")
    rows = generate(source, "0" * 40)["rules"]
    assert [r["id"] for r in rows] == ["npm-access-token", "example-keyed-token"]
    npm, keyed = rows
    assert npm["pattern"] == "(?i)\\b(npm_[a-z0-9]{36})"
    assert npm["entropy"] == 0.0  # the token opens with its keyword: the shape is enough
    assert keyed["entropy"] == 3.5  # a keyword nearby, not the token's prefix: the floor stays


def test_the_committed_rules_are_many_and_all_run_under_re2() -> None:
    rules = credential_rules()
    assert len(rules) >= 200
    for rule in rules:
        re2.compile(rule.pattern)
    assert {"npm-access-token", "huggingface-access-token", "sendgrid-api-token",
            "databricks-api-token"} <= {rule.id for rule in rules}  # fmt: skip


def test_a_token_ending_a_sentence_is_masked_whole() -> None:
    masked = redact("Publish with npm_Zq8Lm2Nc4Vb6Xr1Tp9Wk3Hy5Gd7Fs0Aa1Bb2.").text
    assert masked == "Publish with [REDACTED:credential]."
