"""The call order: which waiting ticket a counter calls next."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .model import Priority


@dataclass(frozen=True)
class RankPolicy:
    """A centre's bonuses: how much earlier a priority or appointment ticket ranks."""

    priority_bonus_s: int = 900
    appointment_bonus_s: int = 600


def rank_time(
    issued_at: datetime,
    priority: str,
    policy: RankPolicy,
    appointment_at: datetime | None = None,
) -> datetime:
    """When the ticket ranks as if issued: earlier for a priority ticket or an appointment.

    An appointment ranks from its slot (so arriving early gains nothing); a priority
    ticket from its issue. A ticket that is both takes whichever ranks earlier.
    """
    if appointment_at is not None:
        base = appointment_at - timedelta(seconds=policy.appointment_bonus_s)
    else:
        base = issued_at
    if priority != Priority.NONE:
        return min(base, issued_at - timedelta(seconds=policy.priority_bonus_s))
    return base


def call_order_key(
    rank_at: datetime, issued_at: datetime, tiebreak: int
) -> tuple[datetime, datetime, int]:
    """Sort key of the call order: rank time, then the earlier issue, then `tiebreak`."""
    return (rank_at, issued_at, tiebreak)


def related_map(counter_services: Iterable[frozenset[int]]) -> dict[int, set[int]]:
    """For every service some counter serves, the services whose tickets compete with its
    own for the same counters (itself included), in one pass over the counters.

    A ticket's `ahead` counts the waiting tickets of all these that rank before it.
    """
    related: dict[int, set[int]] = {}
    for served in counter_services:
        for service_id in served:
            related.setdefault(service_id, {service_id}).update(served)
    return related
