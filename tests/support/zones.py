"""Time zones that put the test centre at a chosen hour of its day, whatever the hour here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.support.centres import TEST_CONFIG


def zone_where(wanted: Callable[[datetime], bool], now: datetime | None = None) -> str:
    """An Etc/GMT zone whose local time now satisfies `wanted` (given the local time)."""
    now = now or datetime.now(UTC)
    for hours in range(-12, 15):
        if wanted(now + timedelta(hours=hours)):
            # Etc/GMT's sign is the POSIX one: Etc/GMT-3 is three hours ahead of UTC.
            return f"Etc/GMT{-hours:+d}" if hours else "Etc/GMT"
    raise AssertionError("no zone has that hour now")


def in_zone(zone: str, config: str = TEST_CONFIG) -> str:
    """The test configuration with the test centre in `zone` instead of Nairobi."""
    return config.replace('timezone = "Africa/Nairobi"', f'timezone = "{zone}"')


def daytime_zone() -> str:
    """A zone where it is now between 10:00 and 11:00, so today has many slots still to come."""
    return zone_where(lambda local: local.hour == 10)
