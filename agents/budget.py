"""The per-review spending limit and the limit on simultaneous model calls."""

from __future__ import annotations

import asyncio

from vocabulary.models import Usage


class Budget:
    """A per-review USD limit shared by concurrent calls: reserve an estimate, settle the actual."""

    # Reservations stop concurrent calls overshooting together; once one call is refused all
    # later ones are (the rest of the review goes offline). Unpriced calls (self-hosted, no
    # price_in/price_out) are counted, not enforced. No method awaits: atomic within one loop.

    def __init__(self, limit_usd: float | None) -> None:
        self.limit_usd = limit_usd
        self.spent_usd = 0.0
        self.reserved_usd = 0.0
        self.unpriced_calls = 0
        self.closed = False

    def would_exceed(self, estimate_usd: float | None) -> bool:
        """True if a call of this estimated cost must not start."""
        if self.closed:
            return True
        if self.limit_usd is None or estimate_usd is None:
            return False
        return self.spent_usd + self.reserved_usd + estimate_usd > self.limit_usd

    def reserve(self, estimate_usd: float | None) -> bool:
        """Hold the estimate for a call about to start; False (and closed) if it would not fit."""
        if self.would_exceed(estimate_usd):
            self.closed = True
            return False
        self.reserved_usd += estimate_usd or 0.0
        return True

    def settle(self, estimate_usd: float | None, usage: Usage) -> None:
        """Release a reservation and charge what the call really cost."""
        self.reserved_usd = max(0.0, self.reserved_usd - (estimate_usd or 0.0))
        self.spend(usage)

    def spend(self, usage: Usage) -> None:
        """Charge a usage; an unknown cost is counted, not charged."""
        if usage.cost_usd is None:
            self.unpriced_calls += usage.calls
        else:
            self.spent_usd += usage.cost_usd


def make_limiter(max_concurrency: int) -> asyncio.Semaphore:
    """A per-review limit on simultaneous model requests."""
    return asyncio.Semaphore(max(1, max_concurrency))
