"""Redaction: secrets and personal data are masked in place, counted, and never kept."""

from __future__ import annotations

import pytest

from guard.redact import KINDS, placeholder, redact, redact_lines

PRIVATE_KEY = """key material:
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAx7dGq1example0000000000000000000000000000000000
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAA
-----END RSA PRIVATE KEY-----
after the key"""


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        pytest.param(
            "Owner: jane.doe@example.co.uk.", "jane.doe@example.co.uk", "email", id="email"
        ),
        pytest.param("Call +44 20 7946 0958 today", "+44 20 7946 0958", "phone", id="phone-intl"),
        pytest.param("Call (555) 123-4567 today", "(555) 123-4567", "phone", id="phone-us-paren"),
        pytest.param("Call 555-123-4567 today", "555-123-4567", "phone", id="phone-us-dashes"),
        pytest.param("Mobile 07700 900123 only", "07700 900123", "phone", id="phone-uk-mobile"),
        pytest.param(
            "Card 4111 1111 1111 1111 on file", "4111 1111 1111 1111", "card", id="card-spaces"
        ),
        pytest.param("Card 4111-1111-1111-1111.", "4111-1111-1111-1111", "card", id="card-dashes"),
        pytest.param("Amex 378282246310005 seen", "378282246310005", "card", id="card-amex-plain"),
        pytest.param(
            "Pay GB82 WEST 1234 5698 7654 32 now",
            "GB82 WEST 1234 5698 7654 32",
            "iban",
            id="iban-spaced",
        ),
        pytest.param(
            "Pay DE89370400440532013000 now", "DE89370400440532013000", "iban", id="iban-compact"
        ),
        pytest.param("Host 10.20.30.40 serves it", "10.20.30.40", "ip", id="ipv4"),
        pytest.param("Bind to 192.168.1.254.", "192.168.1.254", "ip", id="ipv4-sentence-end"),
        pytest.param(
            "Host 2001:db8::8a2e:370:7334 is v6",
            "2001:db8::8a2e:370:7334",
            "ip",
            id="ipv6-compressed",
        ),
        pytest.param("Loopback ::1 only", "::1", "ip", id="ipv6-loopback"),
        pytest.param(
            "Full 2001:0db8:85a3:0000:0000:8a2e:0370:7334 here",
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            "ip",
            id="ipv6-full",
        ),
        pytest.param(
            "key sk-abc123DEF456ghi789JKL012mno",
            "sk-abc123DEF456ghi789JKL012mno",
            "credential",
            id="openai-key",
        ),
        pytest.param(
            "key sk-proj-Ab12Cd34Ef56Gh78Ij90Kl",
            "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl",
            "credential",
            id="openai-project-key",
        ),
        pytest.param(
            "aws AKIAIOSFODNN7EXAMPLE set",
            "AKIAIOSFODNN7EXAMPLE",
            "credential",
            id="aws-access-key",
        ),
        pytest.param(
            "gh ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "credential",
            id="github-token",
        ),
        pytest.param(
            "slack xoxb-1234-5678-abcdEFGH",
            "xoxb-1234-5678-abcdEFGH",
            "credential",
            id="slack-token",
        ),
        pytest.param(
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0",
            "credential",
            id="jwt",
        ),
        pytest.param(
            "Authorization: Bearer abcdef1234567890abcdef",
            "abcdef1234567890abcdef",
            "credential",
            id="bearer",
        ),
        pytest.param("password = hunter2", "hunter2", "credential", id="password-assignment"),
        pytest.param('"api_key": "abc def ghi"', '"abc def ghi"', "credential", id="api-key-json"),
        pytest.param("DB_PASSWORD=Tr0ub4dor&3", "Tr0ub4dor&3", "credential", id="env-var-password"),
        pytest.param(
            "dsn postgres://app:S3cret@db:5432/x", "S3cret", "credential", id="password-in-url"
        ),
        pytest.param(
            "alerts https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/q8R9s0T1u2V3w4X5y6Z7",
            "q8R9s0T1u2V3w4X5y6Z7",
            "credential",
            id="slack-webhook",
        ),
        pytest.param(
            "hook https://discord.com/api/webhooks/123456789012345678/AbCdEf-GhIjKl_MnOp",
            "AbCdEf-GhIjKl_MnOp",
            "credential",
            id="discord-webhook",
        ),
        pytest.param(
            "maps AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY here",
            "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
            "credential",
            id="google-api-key",
        ),
        pytest.param(
            "pay sk_live_51Hx9KqLmNoPqRsTuVwXyZ0123456789abcdEF",
            "sk_live_51Hx9KqLmNoPqRsTuVwXyZ0123456789abcdEF",
            "credential",
            id="stripe-live-key",
        ),
        pytest.param(
            "AccountName=a;AccountKey=Q2xhaW1zQXJjaGl2ZUtleU9uZVR3b1RocmVl==;EndpointSuffix=x",
            "Q2xhaW1zQXJjaGl2ZUtleU9uZVR3b1RocmVl",
            "credential",
            id="azure-account-key",
        ),
        pytest.param(
            "Authorization: Basic Y2xhaW1zOlMzY3IzdC1CYXNpYy03Nw==",
            "Y2xhaW1zOlMzY3IzdC1CYXNpYy03Nw",
            "credential",
            id="basic-auth-header",
        ),
        pytest.param(
            "GET https://geo.example.com/v2?key=9f8e7d6c5b4a3f2e1d0c&lang=en",
            "9f8e7d6c5b4a3f2e1d0c",
            "credential",
            id="key-query-parameter",
        ),
        pytest.param(
            "SAS https://a.blob.core.windows.net/c?sv=2024&sig=Zm9vYmFyYmF6MTIz%3D",
            "Zm9vYmFyYmF6MTIz",
            "credential",
            id="sig-query-parameter",
        ),
        pytest.param(
            "ci glpat-Xy7Zq2Wp9Lm4Kn8Rt3Vb push",
            "glpat-Xy7Zq2Wp9Lm4Kn8Rt3Vb",
            "credential",
            id="gitlab-token",
        ),
        pytest.param(
            "npm //registry.npmjs.org/:_authToken=npm_4f8a9b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e",
            "npm_4f8a9b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e",
            "credential",
            id="detect-secrets-npm",
        ),
        pytest.param(
            "sendgrid 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",
            "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr",
            "credential",
            id="detect-secrets-sendgrid",
        ),
        pytest.param(
            'seed "a8Kq3Zp0Xv7Lm2Nw9Rt5Yb1Hc6Jd4Fg"',
            "a8Kq3Zp0Xv7Lm2Nw9Rt5Yb1Hc6Jd4Fg",
            "credential",
            id="quoted-high-entropy",
        ),
        pytest.param("NHS number 943 476 5919.", "943 476 5919", "national_id", id="nhs-spaced"),
        pytest.param("NHS no. 9434765919 held", "9434765919", "national_id", id="nhs-after-word"),
        pytest.param("SSN 536-90-4399 on file", "536-90-4399", "national_id", id="us-ssn"),
        pytest.param("NI AB 12 34 56 C applies", "AB 12 34 56 C", "national_id", id="uk-nino"),
        pytest.param("NI JG103759A applies", "JG103759A", "national_id", id="uk-nino-compact"),
        pytest.param(
            "AWS AKIA\u200bQ3EGUV7ZK2M4XW5N split",
            "Q3EGUV7ZK2M4XW5N",
            "credential",
            id="zero-width",
        ),
        pytest.param(
            "key \uff53\uff4b-abc123DEF456ghi789JKL012mno",
            "abc123DEF456",
            "credential",
            id="full-width",
        ),
        pytest.param(
            "mail ana\u00ad.ruiz@example.com", "ruiz@example.com", "email", id="soft-hyphen"
        ),
    ],
)
def test_each_kind_is_masked_and_counted(text: str, secret: str, kind: str) -> None:
    result = redact(text)
    assert secret not in result.text
    assert f"[REDACTED:{kind}]" in result.text
    assert result.counts == {kind: 1}


def test_a_masked_value_leaves_nothing_of_itself_around_the_placeholder() -> None:
    text = "Keys: AKIA\u200bQ3EGUV7ZK2M4XW5N, then sk-abc123DEF456ghi789JKL012mno."
    assert redact(text).text == "Keys: [REDACTED:credential], then [REDACTED:credential]."


def test_unterminated_key_headers_mask_line_by_line() -> None:
    text = "-----BEGIN RSA PRIVATE KEY-----\n" * 3 + "prose after"
    lines = redact(text).text.split("\n")
    assert lines == ["[REDACTED:credential]"] * 3 + ["prose after"]


def test_the_detector_file_matches_the_installed_detect_secrets() -> None:
    """guard/detectors.json is generated from detect-secrets: regenerate it on an upgrade
    (`python -m guard.detectors`)."""
    import json

    from guard.detectors import DETECTORS_FILE, generate

    assert json.loads(DETECTORS_FILE.read_text(encoding="utf-8")) == generate()


def test_placeholders_name_their_kind() -> None:
    assert [placeholder(kind) for kind in KINDS[:2]] == ["[REDACTED:email]", "[REDACTED:phone]"]


def test_only_the_value_of_an_assignment_is_masked() -> None:
    assert redact("password = hunter2").text == "password = [REDACTED:credential]"
    assert redact("Bearer abcdef1234567890abcdef").text == "Bearer [REDACTED:credential]"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Go-live is planned for 2026-11-25.", id="iso-date"),
        pytest.param("Reviewed 25/11/2026 and 11.25.2026.", id="other-dates"),
        pytest.param("The pilot ran through 2025 and 2026.", id="years"),
        pytest.param("Latency target: P95 < 3 seconds.", id="latency-target"),
        pytest.param("Budget: $0.05 per query, $1,200.50 a month.", id="money"),
        pytest.param("See lines 120-245 of 1032 in total.", id="line-ranges"),
        pytest.param("1,000,000 users; 12345678 rows; pi is 3.14159.", id="plain-numbers"),
        pytest.param("Upgrade from 1.2.3 to 2.10.0-rc1.", id="semver"),
        pytest.param("Pinned to version 1.2.3.4 and v10.0.19041.1.", id="four-part-version"),
        pytest.param("### 1.2.3.4 Data owners", id="heading-number"),
        pytest.param("Batch at 12:30:45, cut-off 10:00.", id="times"),
        pytest.param("Invoice 1234567890123456 is not a card.", id="non-luhn-16-digits"),
        pytest.param("Dummy card 0000 0000 0000 0000.", id="all-zero-card"),
        pytest.param("Mac 00:1A:2B:3C:4D:5E and C++ std::vector, cafe::face.", id="colon-words"),
        pytest.param("Not an address: 256.1.1.1 or 1.2.3.4.5.", id="not-ipv4"),
        pytest.param("max_tokens: 4096, token: usage-based pricing.", id="token-settings"),
        pytest.param(
            "The password: must be rotated. Secret: stored in Vault.", id="prose-keywords"
        ),
        pytest.param(
            "DB_PASSWORD=${DB_PASSWORD}; api_key: <your key here>", id="secret-references"
        ),
        pytest.param("We use scikit-learn and sk-learn style APIs.", id="sk-words"),
        pytest.param("Bearer tokens are validated by the gateway.", id="bearer-prose"),
        pytest.param("Contact the team at @data-owners on Slack.", id="handle-not-email"),
        pytest.param("NHS number 943 476 5918 fails mod 11.", id="nhs-bad-check-digit"),
        pytest.param("Order 9434765919 shipped.", id="ten-digits-without-nhs"),
        pytest.param("Basic knowledge of retrieval is expected.", id="basic-prose"),
        pytest.param("Call https://api.example.com/v1?key={API_KEY}&x=1.", id="query-reference"),
        pytest.param('Set "name": "claims-triage-assistant-v2".', id="quoted-identifier"),
    ],
)
def test_look_alikes_are_left_alone(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.counts == {}


def test_bare_dotted_quad_is_treated_as_an_ip() -> None:
    """1.2.3.4 is a valid IPv4 shape: without a version keyword before it, it is masked."""
    assert redact("Fallback resolver 1.2.3.4 is used.").counts == {"ip": 1}


@pytest.mark.parametrize(
    ("kind", "number", "valid"),
    [
        pytest.param("card", "4111 1111 1111 1111", True, id="card-visa-test-number"),
        pytest.param("card", "5500 0000 0000 0004", True, id="card-mastercard-test-number"),
        pytest.param("card", "4111 1111 1111 1112", False, id="card-luhn-off-by-one"),
        pytest.param("card", "1234 5678 9012 3456", False, id="card-sequence"),
        pytest.param("iban", "GB82WEST12345698765432", True, id="iban-gb-valid"),
        pytest.param("iban", "FR1420041010050500013M02606", True, id="iban-fr-valid"),
        pytest.param("iban", "GB82WEST12345698765433", False, id="iban-gb-wrong-check"),
        pytest.param("iban", "GB00WEST12345698765432", False, id="iban-gb-zero-check-digits"),
    ],
)
def test_cards_and_ibans_need_a_valid_checksum(kind: str, number: str, valid: bool) -> None:
    """Luhn for cards, mod-97 for IBANs: a failing checksum is left exactly as written."""
    text = f"{kind} {number}"
    result = redact(text)
    if valid:
        assert (result.text, result.counts) == (f"{kind} [REDACTED:{kind}]", {kind: 1})
    else:
        assert (result.text, result.counts) == (text, {})


def test_private_key_block_is_masked_line_by_line() -> None:
    result = redact(PRIVATE_KEY)
    lines = result.text.split("\n")
    assert len(lines) == len(PRIVATE_KEY.split("\n"))
    assert lines[0] == "key material:"
    assert lines[1:5] == ["[REDACTED:credential]"] * 4
    assert lines[5] == "after the key"
    assert result.counts == {"credential": 1}


def test_unterminated_private_key_is_still_masked() -> None:
    text = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nnext line"
    assert redact(text).text.split("\n") == ["[REDACTED:credential]"] * 2 + ["next line"]


def test_counts_are_by_kind_and_values_are_not_kept() -> None:
    text = (
        "Mail a@example.com and b@example.org from 10.0.0.1.\n"
        "Key sk-abc123DEF456ghi789JKL012mno; card 4111 1111 1111 1111."
    )
    result = redact(text)
    assert result.counts == {"email": 2, "card": 1, "ip": 1, "credential": 1}
    assert result.total == 5
    dumped = result.model_dump_json()
    for value in ("a@example.com", "10.0.0.1", "sk-abc123", "4111"):
        assert value not in dumped


def test_redaction_is_idempotent() -> None:
    once = redact("Mail a@example.com, password = hunter2, host 10.0.0.1")
    twice = redact(once.text)
    assert twice.text == once.text
    assert twice.counts == {}


def test_redact_lines_keeps_the_line_count() -> None:
    lines = [*PRIVATE_KEY.split("\n"), "mail jane@example.com", ""]
    redacted, counts = redact_lines(lines)
    assert len(redacted) == len(lines)
    assert redacted[-2] == "mail [REDACTED:email]"
    assert counts == {"email": 1, "credential": 1}


def test_redact_lines_rejects_embedded_line_breaks() -> None:
    with pytest.raises(ValueError, match="line breaks"):
        redact_lines(["one\ntwo"])
