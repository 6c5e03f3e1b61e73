"""gitleaks' credential rules (200+ kinds of key and token), kept as data the masker runs.

`python -m guard.credentials GITLEAKS_TOML` regenerates `credentials.json` from gitleaks'
default configuration (`config/gitleaks.toml` of github.com/gitleaks/gitleaks, MIT licence; the
commit it came from is recorded in the file). Its patterns are RE2 already (gitleaks is written
in Go). What is taken, and why:
- every rule with a pattern, except `generic-api-key` (our own `password = ...` rule is
  bounded to values that look like secrets, see guard/patterns.py) and rules that only name
  file paths;
- each pattern without gitleaks' closing terminator (a quote, a space or the end of the line):
  a token at the end of a sentence (`npm_...`.) is masked too, widened to its whole token;
- the rule's keywords: a rule runs only on text holding one of them (gitleaks' own prefilter);
- its entropy floor, but only where a keyword is not the token's own prefix: a token that
  starts `npm_`, `hf_` or `dapi` has the shape, whatever its letters (a floor, like a checksum,
  may add confidence, never clear a value that has the shape).
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CREDENTIALS_FILE = Path(__file__).with_name("credentials.json")
_SKIPPED = frozenset({"generic-api-key"})
_TERMINATOR = "(?:[\\x60'\"\\s;]|\\\\[nr]|$)"


@dataclass(frozen=True)
class CredentialRule:
    """One gitleaks rule as the masker runs it."""

    id: str
    pattern: str
    keywords: tuple[str, ...]
    entropy: float  # 0: none; else the secret's Shannon entropy must reach it


def _prefixed(regex: str, keywords: list[str]) -> bool:
    """Whether a keyword opens the secret's own group (`(npm_[a-z0-9]{36})`)."""
    group = re.search(r"(?<!\\)\((?!\?)", regex)  # the first capturing group
    opening = regex[group.end() :].lower() if group else ""
    return any(opening.startswith(k.lower().replace(".", "\\.")) or opening.startswith(k.lower())
               for k in keywords)  # fmt: skip


def generate(source: Path, commit: str) -> dict[str, object]:
    """The rules of a gitleaks configuration file, as `credentials.json` holds them."""
    config = tomllib.loads(source.read_text(encoding="utf-8"))
    rows = []
    for rule in config["rules"]:
        regex = rule.get("regex")
        if not regex or rule["id"] in _SKIPPED or "path" in rule:
            continue
        keywords = [k.lower() for k in rule.get("keywords", [])]
        entropy = 0.0 if _prefixed(regex, keywords) else float(rule.get("entropy", 0.0))
        pattern = regex.removesuffix(_TERMINATOR)
        rows.append({"id": rule["id"], "pattern": pattern, "keywords": keywords,
                     "entropy": entropy})  # fmt: skip
    return {"source": "gitleaks config/gitleaks.toml", "commit": commit, "licence": "MIT",
            "rules": rows}  # fmt: skip


@cache
def credential_rules() -> tuple[CredentialRule, ...]:
    """The committed rules."""
    data = json.loads(CREDENTIALS_FILE.read_text(encoding="utf-8"))
    return tuple(
        CredentialRule(r["id"], r["pattern"], tuple(r["keywords"]), r["entropy"])
        for r in data["rules"]
    )


if __name__ == "__main__":
    generated = generate(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "")
    CREDENTIALS_FILE.write_text(json.dumps(generated, indent=1, ensure_ascii=False) + "\n")
