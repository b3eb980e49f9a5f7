"""Per-address budgets for work anonymous callers can cause (QR codes, spoken announcements).

Kept in each process's memory, as a token bucket per client address: such work is cheap to
count and a database write per request would cost more than the work itself. Only work done
(a cache miss) spends from the budget, so many screens behind one address, asking for the same
announcement, spend it once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import _lru_cache_wrapper
from typing import Any, TypeVar

from flask import abort, request

T = TypeVar("T")
ADDRESSES_KEPT = 10_000


class AddressBudget:
    """At most `per_minute` units of work per address, refilled evenly over the minute."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._left: dict[str, tuple[float, float]] = {}  # address -> (units left, when)

    def _refilled(self, address: str, now: float) -> float:
        left, when = self._left.get(address, (float(self.per_minute), now))
        return min(float(self.per_minute), left + (now - when) * self.per_minute / 60)

    def exhausted(self, address: str) -> bool:
        """Whether this address has no unit of work left now."""
        return self._refilled(address, self.clock()) < 1

    def spend(self, address: str) -> None:
        """Take one unit of work from this address's budget."""
        now = self.clock()
        if len(self._left) >= ADDRESSES_KEPT:
            self._left.clear()  # forget everyone rather than grow without bound
        self._left[address] = (self._refilled(address, now) - 1, now)


def limited_render(budget: AddressBudget, render: _lru_cache_wrapper[T], *args: Any) -> T:
    """`render(*args)` (a cached function) for this request's client, within its budget: 429
    once the address has made the server render too much this minute."""
    address = request.remote_addr or "unknown"
    if budget.exhausted(address):
        abort(429, description="Too many requests from this address; try again in a minute.")
    misses = render.cache_info().misses
    result: T = render(*args)
    if render.cache_info().misses > misses:
        budget.spend(address)
    return result
