"""What every export says about a finding beyond its status: whether it counts, and why not."""

from __future__ import annotations

from agents.coordinator import counts_toward_verdict
from vocabulary.models import Finding


def unmet(finding: Finding) -> bool:
    """True when the finding leaves its criterion short of met under the coordinator's rule."""
    if finding.dismissed or finding.not_applicable:
        return False
    return finding.status != "met" or not counts_toward_verdict(finding)


def notes(finding: Finding) -> list[tuple[str, str]]:
    """What a person decided (not applicable, carried, check again), the re-review guard's
    hold, and the support check's and the dispute's notes, labelled, in reading order."""
    labelled = (
        ("Not applicable", finding.amend_reason if finding.not_applicable else None),
        ("Carried", finding.carried),
        ("Check again", finding.recheck),
        ("Held", finding.held),
        ("Unsupported", finding.unsupported),
        ("Disputed", finding.disputed),
        ("Note", finding.support_note),
    )
    return [(label, text) for label, text in labelled if text]
