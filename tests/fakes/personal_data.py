"""The personal data and secrets seeded in `tests/fixtures/docs/personal-data.md`."""

from __future__ import annotations

from pathlib import Path

PERSONAL_DOC = Path(__file__).resolve().parents[1] / "fixtures" / "docs" / "personal-data.md"
SEEDED = (
    "priya.shah@parcelco.co.uk",
    "dpo@parcelco.co.uk",
    "+44 20 7946 0958",
    "4111 1111 1111 1111",
    "GB82 WEST 1234 5698 7654 32",
    "10.42.7.19",
    "sk-proj-4fJx9Qm2Lr7Tz1Vb8Nc3Hd6Kp0Ws5Ya",
)
