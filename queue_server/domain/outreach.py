"""Huduma Mashinani rules: who pays a fee, how far a site's log is acknowledged, clock skew."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

SKEW_FLAGGED_S = 300
"""A site's clock further off than this (either way) is flagged at the central server."""


class PaidBy(StrEnum):
    """Who pays a ticket's fee."""

    CITIZEN = "citizen"
    SPONSOR = "sponsor"


def fee_payer(sponsor: str | None) -> PaidBy:
    """At a sponsored site the sponsor pays every fee; elsewhere the citizen does."""
    return PaidBy.SPONSOR if sponsor else PaidBy.CITIZEN


def contiguous_through(acked: int, held: Iterable[int]) -> int:
    """The highest entry number reached from `acked` through `held` with none missing."""
    present = set(held)
    while acked + 1 in present:
        acked += 1
    return acked


def skew_s(site_now: datetime, central_now: datetime) -> int:
    """How far ahead of the central server's clock a site's clock runs (negative: behind)."""
    return round((site_now - central_now).total_seconds())


def skew_flagged(skew: int | None) -> bool:
    """Whether a measured skew is large enough to flag."""
    return skew is not None and abs(skew) > SKEW_FLAGGED_S
