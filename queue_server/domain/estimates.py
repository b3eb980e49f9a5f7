"""Estimated waiting time, from recent service times and the counters at work."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from statistics import median

RECENT_SERVICES = 20
"""How many recent visits of a service its typical service time is taken from."""


def typical_service_s(recent_durations_s: Sequence[float], default_s: int) -> float:
    """A service's typical time at the counter: the median of recent visits, else the default.

    The median resists the odd visit that ran very long (a lost form, a system outage).
    """
    if not recent_durations_s:
        return float(default_s)
    return float(median(recent_durations_s[:RECENT_SERVICES]))


def estimated_wait_s(ahead: int, service_s: float, counters_at_work: int) -> int:
    """Seconds until a ticket with `ahead` tickets before it is likely to be called."""
    return round(ahead * service_s / max(counters_at_work, 1))


def counters_at_work(service_id: int, counters: Iterable[tuple[str, frozenset[int]]]) -> int:
    """Counters that will call this service's tickets: the open ones, else all that serve it.

    When every counter for a service is paused or not yet open, the estimate assumes they
    will open, rather than promising an endless wait.
    """
    serving = [state for state, services in counters if service_id in services]
    return sum(1 for state in serving if state == "open") or len(serving) or 1
