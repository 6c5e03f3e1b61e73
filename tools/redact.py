"""Redaction: mask secrets and personal data before document text leaves the machine.

Each hit becomes `[REDACTED:<kind>]` on the line it was on, so line numbers survive (a private
key block becomes one placeholder per line). Only counts per kind are kept, never the values.

Rules run in a fixed order, credentials first, so a value is masked once, by the most specific
rule. Where a shape is ambiguous the choices are:
- ip: a bare dotted quad such as `1.2.3.4` is a valid IPv4 address and IS masked (leaking an
  internal address costs more than hiding a number); it is left alone after `v`, `version`,
  `release`, `build` or `revision`, and as a Markdown heading number (`### 1.2.3.4 Owners`).
  IPv6 candidates must parse with `ipaddress`, so times such as `12:30:45` are left alone.
- card: 13-19 digits, groups of at least three, and the Luhn check must pass.
- iban: country code, check digits and the mod-97 check.
- phone: an international `+` number, a North American `(555) 123-4567` / `555-123-4567`, or
  a national number with a leading trunk `0` (`07700 900123`, `020 7946 0958`), 8-15 digits.
  Dates, years, times, versions, money and plain integers never take these shapes.
- credential: known key shapes (OpenAI, AWS, GitHub, Slack, JWT, Bearer, PEM private keys,
  passwords in URLs) and `password = ...` / `api_key: ...` assignments, whose value alone is
  masked when it looks like a secret: quoted, or holding a digit or symbol, or 20+ characters.
  References such as `${DB_PASSWORD}`, `<your key>` or `{{ secret }}` are kept: they show
  where a secret comes from, which a reviewer needs to see.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RedactionKind = Literal["email", "phone", "card", "iban", "ip", "credential"]
KINDS: tuple[RedactionKind, ...] = ("email", "phone", "card", "iban", "ip", "credential")


class Redaction(BaseModel):
    """Redacted text and how many values of each kind were masked (never the values)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    counts: dict[str, int] = Field(default_factory=dict, description="Masked values by kind")

    @property
    def total(self) -> int:
        """How many values were masked in all."""
        return sum(self.counts.values())


def placeholder(kind: RedactionKind) -> str:
    """The text that replaces a masked value of this kind."""
    return f"[REDACTED:{kind}]"


# What `placeholder` writes, found again in masked text; the group is the kind.
PLACEHOLDER = re.compile(r"\[REDACTED:([a-z]+)\]")


def _always(_: re.Match[str]) -> bool:
    """Every match of the pattern is a hit."""
    return True


@dataclass(frozen=True, slots=True)
class _Rule:
    """A pattern for one kind; a match is masked when `valid` accepts it."""

    kind: RedactionKind
    pattern: re.Pattern[str]
    valid: Callable[[re.Match[str]], bool] = _always


def _luhn(digits: str) -> bool:
    """True when a digit string passes the Luhn checksum."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(match: re.Match[str]) -> bool:
    """13-19 Luhn-valid digits in groups of three or more, not a placeholder of one digit."""
    number = match.group()
    digits = re.sub(r"\D", "", number)
    groups = re.split(r"[ -]", number)
    return (
        13 <= len(digits) <= 19
        and all(len(group) >= 3 for group in groups)
        and len(set(digits)) > 1
        and _luhn(digits)
    )


def _is_iban(match: re.Match[str]) -> bool:
    """True when the candidate passes the ISO 13616 mod-97 check."""
    compact = match.group().replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


_VERSION_BEFORE = re.compile(r"(?i)(?:\bv|\bversions?|\brelease|\bbuild|\brev(?:ision)?)[ \t:]*$")
_HEADING_BEFORE = re.compile(r"(?:^|\n)[ \t]*#{1,6}[ \t]+$")


def _is_ipv4(match: re.Match[str]) -> bool:
    """An address, unless a version keyword or a Markdown heading marker comes just before."""
    before = match.string[max(0, match.start() - 24) : match.start()]
    return not (_VERSION_BEFORE.search(before) or _HEADING_BEFORE.search(before))


def _is_ipv6(match: re.Match[str]) -> bool:
    """True when the candidate has a digit and parses as IPv6 (times like 12:30:45 do not)."""
    candidate = match.group()
    if not any(char.isdigit() for char in candidate):  # "cafe::" in prose or code
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def _is_phone(match: re.Match[str]) -> bool:
    """True when the candidate has as many digits as a real phone number."""
    return 8 <= sum(char.isdigit() for char in match.group()) <= 15


def _is_secret_value(match: re.Match[str]) -> bool:
    """True when an assigned value looks like a secret rather than prose or a reference."""
    value = match.group("secret")
    quoted = value[:1] in "\"'"
    value = value.strip("\"'")
    if len(value) < 4 or value[0] in "$%<{[":
        return False
    if quoted:
        return True
    core = value.rstrip(".,;:!?")
    if core.isdigit():  # max_token: 4096, not a secret
        return False
    if re.fullmatch(r"[A-Za-z]+(?:[-'][A-Za-z]+)*", core):  # prose: a word, or hyphenated words
        return core.isalpha() and len(core) >= 20
    return True


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_SECRET_NAME = (
    r"(?:[A-Za-z][A-Za-z0-9]{0,19}[_-]){0,4}(?:password|passwd|pwd|passphrase|secret|client[_-]?secret"
    r"|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|private[_-]?key|token"
    r"|(?:auth|access|refresh|api|bearer|session)[_-]?token)"
)

_RULES: tuple[_Rule, ...] = (
    _Rule(
        "credential",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"
            r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----"
            r"|[^\n]*(?:\n[ \t]*[A-Za-z0-9+/=]{16,}[ \t]*)*)",
            re.DOTALL,
        ),
    ),
    _Rule("credential", re.compile(r"\beyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*")),
    _Rule(
        "credential",
        re.compile(
            r"(?<![\w-])(?:sk-(?=[\w-]*\d)[\w-]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}"
            r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,}|xox[abpors]-[A-Za-z0-9-]{10,})"
            r"(?![\w-])"
        ),
    ),
    _Rule(
        "credential",
        re.compile(r"(?i:\bbearer)[ \t]+(?P<secret>(?=[\w.~+/=-]*\d)[\w.~+/=-]{16,})"),
    ),
    _Rule("credential", re.compile(r"://[^/\s:@]+:(?P<secret>[^/\s@]+)@")),
    _Rule(
        "credential",
        re.compile(
            rf"(?i)\b{_SECRET_NAME}\b[\"']?[ \t]*(?:=>|:=|=|:)[ \t]*"
            r"(?P<secret>\"[^\"\n]*\"|'[^'\n]*'|[^\s\"',;)}\]]+)"
        ),
        _is_secret_value,
    ),
    _Rule(
        "email",
        re.compile(r"(?<![\w.%+-])[A-Za-z0-9][\w.%+-]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])"),
    ),
    _Rule(
        "iban",
        re.compile(
            r"\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)"
            r"(?![A-Za-z0-9])"
        ),
        _is_iban,
    ),
    _Rule(
        "card",
        re.compile(r"(?<![\w.,-])\d(?:[ -]?\d){12,18}(?!\w|[.,]\d|[ -]\d)"),
        _is_card,
    ),
    _Rule(
        "ip",
        re.compile(
            r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}"
            rf"(?:{_OCTET}(?:\.{_OCTET}){{3}}|[0-9A-Fa-f]{{1,4}})?(?![\w:]|\.\d)"
        ),
        _is_ipv6,
    ),
    _Rule("ip", re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\w|\.\d)"), _is_ipv4),
    _Rule(
        "phone",
        re.compile(
            r"(?<![\w+])\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?!\w|[.-]\d)"
            r"|(?<![\w(])\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}(?!\w|[.-]\d)"
            r"|(?<![\w.+-])\d{3}([.-])\d{3}\1\d{4}(?!\w|[.-]\d)"
            r"|(?<![\w.+-])(?<!\d[ -])0[1-9]\d{1,3}[ -]?\d{3,4}[ -]?\d{3,4}(?!\w|[.,-]\d)"
        ),
        _is_phone,
    ),
)


def _apply(rule: _Rule, text: str, counts: Counter[str]) -> str:
    """Text with every valid match of one rule masked, line by line."""
    mask = placeholder(rule.kind)
    has_secret_group = "secret" in rule.pattern.groupindex

    def replace(match: re.Match[str]) -> str:
        if not rule.valid(match):
            return match.group()
        counts[rule.kind] += 1
        start, end = match.span("secret") if has_secret_group else match.span()
        masked = "\n".join([mask] * (text.count("\n", start, end) + 1))
        return text[match.start() : start] + masked + text[end : match.end()]

    return rule.pattern.sub(replace, text)


def redact(text: str) -> Redaction:
    """Text with secrets and personal data masked, and the count of masked values by kind."""
    counts: Counter[str] = Counter()
    for rule in _RULES:
        text = _apply(rule, text, counts)
    return Redaction(text=text, counts={kind: counts[kind] for kind in KINDS if counts[kind]})


def redact_lines(lines: list[str]) -> tuple[list[str], dict[str, int]]:
    """Redacted lines, as many as given (a masked key block keeps its lines), and the counts."""
    if any("\n" in line for line in lines):
        raise ValueError("redact_lines expects lines without line breaks")
    result = redact("\n".join(lines))
    return result.text.split("\n"), result.counts
