"""The masking rules: what each kind of secret or personal data looks like, in RE2 syntax.

RE2 runs in time linear in the text, whatever the pattern, so a hostile document cannot make
masking slow; it has no lookarounds, so the context a match must (not) stand in is checked by
the rule's `valid` function. Rules are listed in priority order: a value is masked once, by the
first rule that claims it (credentials, then national identifiers, then the rest).

Choices where a shape is ambiguous:
- ip: a bare dotted quad such as `1.2.3.4` IS masked (leaking an internal address costs more
  than hiding a number); not after `v`, `version`, `release`, `build` or `revision`, nor as a
  Markdown heading number (`### 1.2.3.4 Owners`). IPv6 candidates must parse, so times such
  as `12:30:45` are left alone.
- card: 13-19 digits, groups of at least three, and the Luhn check must pass.
- iban: country code, check digits and the mod-97 check.
- phone: an international `+` number, a North American `(555) 123-4567` / `555-123-4567`, or
  a national number with a leading trunk `0` (`07700 900123`, `020 7946 0958`), 8-15 digits.
  Dates, years, times, versions, money and plain integers never take these shapes.
- national_id: NHS, US Social Security and UK National Insurance numbers (guard.identifiers).
- credential: known key shapes (OpenAI, AWS, GitHub, GitLab, Slack, Google, Stripe, Azure
  storage, Docker, JWT, Bearer and Basic authorisation, PEM private keys, passwords in URLs and
  in .netrc entries), gitleaks' 200+ rules (guard.credentials), webhook
  URLs, secrets in URL query parameters (`?key=`, `&token=`, `sig=`, ...), detect-secrets'
  detectors (guard.detectors), quoted high-entropy strings, and `password = ...` /
  `api_key: ...` assignments, whose value alone is masked when it looks like a secret: quoted,
  or holding a digit or symbol, or 20+ characters. References such as `${DB_PASSWORD}`,
  `<your key>` or `{{ secret }}` are kept: they show where a secret comes from.

(Over 300 lines: one table of rules in priority order, read as a whole, with their checks.)
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from guard.identifiers import is_nhs_number, is_ni_number, is_ssn

RedactionKind = Literal[
    "email", "phone", "card", "iban", "ip", "national_id", "birth_date", "credential"
]
KINDS: tuple[RedactionKind, ...] = (
    "email", "phone", "card", "iban", "ip", "national_id", "birth_date", "credential",
)  # fmt: skip
Match = Any  # an re2 match: group(), start(), end(), span(index)
Check = Callable[[str, Match], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    """A pattern for one kind; a match is masked when `valid` accepts it.

    `secret` names the group to mask (else the whole match); `widen` extends the masked text
    to the whole token around it (a detector's pattern may match only a key's prefix).
    """

    kind: RedactionKind
    pattern: str
    valid: Check | None = None
    secret: int | str | None = None
    widen: bool = False
    keywords: tuple[str, ...] = ()  # when set, the rule runs only on text holding one of them


def _char(text: str, index: int) -> str:
    return text[index] if 0 <= index < len(text) else ""


def _not_after(chars: str) -> Check:
    """The match does not directly follow a word character or one of `chars`."""

    def check(text: str, m: Match) -> bool:
        before = _char(text, m.start() - 1)
        return not before or not (_word(before) or before in chars)

    return check


def _not_after_number(text: str, m: Match) -> bool:
    """Not the tail of a longer number written in groups (`12 07700 900123`)."""
    return not (_char(text, m.start() - 1) in (" ", "-") and _char(text, m.start() - 2).isdigit())


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _both(*checks: Check) -> Check:
    return lambda text, m: all(check(text, m) for check in checks)


def _ends_token(extra: str = "") -> Check:
    """No word character (or one of `extra`) directly follows the match."""

    def check(text: str, m: Match) -> bool:
        after = _char(text, m.end())
        return not after or not (_word(after) or after in extra)

    return check


def _no_digit_run_after(separators: str) -> Check:
    """Not followed by a word character, nor by a separator and a digit (a longer number)."""

    def check(text: str, m: Match) -> bool:
        after, then = _char(text, m.end()), _char(text, m.end() + 1)
        if after and _word(after):
            return False
        return not (after and after in separators and then.isdigit())

    return check


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(text: str, m: Match) -> bool:
    number = m.group()
    digits = re.sub(r"\D", "", number)
    groups = re.split(r"[ -]", number)
    return (
        13 <= len(digits) <= 19
        and all(len(group) >= 3 for group in groups)
        and len(set(digits)) > 1
        and _luhn(digits)
    )


def _is_iban(text: str, m: Match) -> bool:
    """An IBAN: written in groups of four it has the shape (mask it, whatever its check
    digits); written as one run, its mod-97 check must pass (runs of letters and digits are
    common)."""
    compact = m.group().replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    if " " in m.group():
        return True
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


_VERSION_BEFORE = re.compile(r"(?i)(?:\bv|\bversions?|\brelease|\bbuild|\brev(?:ision)?)[ \t:]*$")
_HEADING_BEFORE = re.compile(r"(?:^|\n)[ \t]*#{1,6}[ \t]+$")


def _is_ipv4(text: str, m: Match) -> bool:
    before = text[max(0, m.start() - 24) : m.start()]
    return not (_VERSION_BEFORE.search(before) or _HEADING_BEFORE.search(before))


def _is_ipv6(text: str, m: Match) -> bool:
    candidate = m.group()
    if not any(char.isdigit() for char in candidate):  # "cafe::" in prose or code
        return False
    after, then = _char(text, m.end()), _char(text, m.end() + 1)
    if after and (_word(after) or after == ":" or (after == "." and then.isdigit())):
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def _is_phone(text: str, m: Match) -> bool:
    return 8 <= sum(char.isdigit() for char in m.group()) <= 15


def _has_digit(group: int | str) -> Check:
    return lambda text, m: any(char.isdigit() for char in m.group(group))


def _is_secret_value(text: str, m: Match) -> bool:
    """An assigned value that looks like a secret rather than prose or a reference."""
    value = m.group("secret")
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


def _is_query_secret(text: str, m: Match) -> bool:
    """A URL query value long enough to be a key, and not a placeholder such as {KEY}."""
    value = m.group("secret")
    if len(value) < 6 or value[0] in "${<%[":
        return False
    return len(value) >= 20 or any(char.isdigit() for char in value)


def _is_basic_auth(text: str, m: Match) -> bool:
    """`Basic <base64>` whose payload decodes to printable user:password."""
    payload = m.group("secret")
    try:
        decoded = base64.b64decode(payload + "=" * (-len(payload) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    plain = decoded.decode("utf-8", errors="replace")
    return ":" in plain and plain.isprintable()


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


# detect-secrets' limits for its Base64 and hex high-entropy string detectors.
_BASE64_ENTROPY, _HEX_ENTROPY = 4.5, 3.0


def _is_random(text: str, m: Match) -> bool:
    value = m.group("secret")
    if re.fullmatch(r"[0-9a-fA-F]+", value):
        return any(c.isdigit() for c in value) and _entropy(value) > _HEX_ENTROPY
    return _entropy(value) > _BASE64_ENTROPY


def _is_nhs(text: str, m: Match) -> bool:
    return is_nhs_number(text, m.start(), m.group())


def _is_ssn(text: str, m: Match) -> bool:
    return is_ssn(text, m.start(), m.group())


def _is_ni(text: str, m: Match) -> bool:
    return is_ni_number(m.group())


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_SECRET_NAME = (
    r"(?:[A-Za-z][A-Za-z0-9]{0,19}[_-]){0,4}(?:password|passwd|pwd|passphrase|secret|client[_-]?secret"
    r"|api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|private[_-]?key|token"
    r"|(?:auth|access|refresh|api|bearer|session)[_-]?token)"
)
_QUERY_NAME = (
    r"(?:key|api[_-]?key|apikey|token|access[_-]?token|auth|sig|signature|secret"
    r"|client[_-]?secret|password|passwd|code)"
)
_URL_TAIL = r"[^ \t\n\"'<>)\]]+"
_PASSPORT = r"(?:passport|reisepass|passeport|pasaporte|passaporto|paspoort|паспорт)"
_BIRTH = (
    r"(?:date[ \t]+of[ \t]+birth|birth[ \t]*date|d\.?o\.?b|born[ \t]+on|geburtsdatum"
    r"|geboren[ \t]+am|date[ \t]+de[ \t]+naissance|n[ée]e?[ \t]+le|fecha[ \t]+de[ \t]+nacimiento"
    r"|data[ \t]+di[ \t]+nascita|data[ \t]+de[ \t]+nascimento|geboortedatum|дата[ \t]+рождения)"
)
_MONTH = r"[A-Za-zÀ-ÿ]{3,10}\.?"
_DATE = (
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+{_MONTH},?[ \t]+\d{{4}}"
    rf"|{_MONTH}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}"
)
_NOT_IN_WORD = _not_after("-")

RULES: tuple[Rule, ...] = (
    Rule("credential", r"\beyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]*"),
    Rule("credential", r"sk-[\w-]{20,}", _both(_NOT_IN_WORD, _has_digit(0))),
    Rule("credential", r"(?:AKIA|ASIA)[0-9A-Z]{16}", _both(_NOT_IN_WORD, _ends_token("-"))),
    Rule("credential", r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})", _NOT_IN_WORD),
    Rule("credential", r"glpat-[\w-]{20,}", _NOT_IN_WORD),
    Rule("credential", r"xox[abpors]-[A-Za-z0-9-]{10,}", _NOT_IN_WORD),
    Rule("credential", r"AIza[0-9A-Za-z_-]{35}", _NOT_IN_WORD, widen=True),
    Rule("credential", r"[rs]k_(?:live|test)_[0-9A-Za-z]{16,}", _NOT_IN_WORD),
    Rule("credential", r"dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}", _NOT_IN_WORD),
    # A .netrc entry: `machine HOST login USER password SECRET`, on one line or several.
    Rule(
        "credential",
        r"(?im)(?:\blogin[ \t]+\S+[ \t]+|^[ \t]*)password[ \t]+(?P<secret>\S+)",
        _is_secret_value,
        secret="secret",
    ),
    Rule("credential", r"(?i)AccountKey=(?P<secret>[A-Za-z0-9+/=]{20,})", secret="secret"),
    Rule(
        "credential",
        r"https://(?:hooks\.slack\.com/(?:services|workflows|triggers)/"
        r"|(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/"
        r"|[\w-]+\.webhook\.office\.com/|hooks\.zapier\.com/hooks/catch/"
        r"|chat\.googleapis\.com/v1/spaces/)" + _URL_TAIL,
    ),
    Rule(
        "credential",
        rf"(?i)[?&]{_QUERY_NAME}=(?P<secret>[^&#\s\"'<>)\]]+)",
        _is_query_secret,
        secret="secret",
    ),
    Rule(
        "credential",
        r"(?i:bearer)[ \t]+(?P<secret>[\w.~+/=-]{16,})",
        _has_digit("secret"),
        secret="secret",
    ),
    Rule(
        "credential",
        r"(?i:basic)[ \t]+(?P<secret>[A-Za-z0-9+/]{8,}={0,2})",
        _is_basic_auth,
        secret="secret",
    ),
    Rule("credential", r"://[^/\s:@]+:(?P<secret>[^/\s@]+)@", secret="secret"),
    Rule(
        "credential",
        rf"(?i)\b{_SECRET_NAME}\b[\"']?[ \t]*(?:=>|:=|=|:)[ \t]*"
        r"(?P<secret>\"[^\"\n]*\"|'[^'\n]*'|[^\s\"',;)}\]]+)",
        _is_secret_value,
        secret="secret",
    ),
    Rule(
        "credential",
        r"[\"'](?P<secret>[A-Za-z0-9+/=_-]{20,})[\"']",
        _is_random,
        secret="secret",
    ),
    Rule(
        "national_id",
        r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b",
        _both(_not_after(".,+-"), _no_digit_run_after(" -"), _is_nhs),
    ),
    Rule(
        "national_id",
        r"\b\d{3}[ -]?\d{2}[ -]?\d{4}\b",
        _both(_not_after(".,+-"), _no_digit_run_after(" -"), _is_ssn),
    ),
    Rule("national_id", r"(?i)\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", _is_ni),
    Rule(
        "national_id",
        rf"(?i)\b{_PASSPORT}(?:[ \t]+(?:no|number|num|nr|n°|#))?\.?[ \t]*[:#=]?[ \t]*"
        r"(?P<secret>[A-Z0-9]{6,10})\b",
        _has_digit("secret"),
        secret="secret",
    ),
    Rule(
        "birth_date",
        rf"(?i)\b{_BIRTH}\b[ \t:=,(-]{{0,4}}(?P<secret>{_DATE})",
        secret="secret",
    ),
    Rule(
        "email",
        r"[A-Za-z0-9][\w.%+-]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}",
        _both(_not_after(".%+-"), _ends_token("-")),
    ),
    Rule(
        "iban",
        r"(?i)\b[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)",
        _both(_ends_token(), _is_iban),
    ),
    Rule(
        "card",
        r"\d(?:[ -]?\d){12,18}",
        _both(_not_after(".,-"), _no_digit_run_after(" -.,"), _is_card),
    ),
    Rule(
        "ip",
        rf"(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}(?:{_OCTET}(?:\.{_OCTET}){{3}}|[0-9A-Fa-f]{{1,4}})?",
        _both(_not_after(":."), _is_ipv6),
    ),
    Rule(
        "ip",
        rf"{_OCTET}(?:\.{_OCTET}){{3}}",
        _both(_not_after("."), _no_digit_run_after("."), _is_ipv4),
    ),
    Rule(
        "phone",
        r"\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}",
        _both(_not_after("+"), _no_digit_run_after(".-"), _is_phone),
    ),
    Rule(
        "phone",
        r"\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}",
        _both(_not_after("("), _no_digit_run_after(".-"), _is_phone),
    ),
    Rule(
        "phone",
        r"\d{3}\.\d{3}\.\d{4}|\d{3}-\d{3}-\d{4}",
        _both(_not_after(".+-"), _no_digit_run_after(".-"), _is_phone),
    ),
    Rule(
        "phone",
        r"0[1-9]\d{1,3}[ -]?\d{3,4}[ -]?\d{3,4}",
        _both(_not_after(".+-"), _not_after_number, _no_digit_run_after(".,-"), _is_phone),
    ),
)
