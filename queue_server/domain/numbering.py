"""Ticket numbers: per service, per centre, per local day, from 001."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MIN_DIGITS = 3


def local_day(now: datetime, timezone: str) -> date:
    """The centre's calendar day at `now` (an aware datetime)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def day_start(day: date, timezone: str) -> datetime:
    """The instant the centre's local `day` begins, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(timezone))


def day_end(day: date, timezone: str) -> datetime:
    """The instant the centre's local `day` ends (the start of the next)."""
    return day_start(day + timedelta(days=1), timezone)


def format_number(prefix: str, sequence: int) -> str:
    """The printed number: prefix then at least three digits (A001, A999, A1000)."""
    if sequence < 1:
        raise ValueError("ticket sequences start at 1")
    return f"{prefix}{sequence:0{MIN_DIGITS}d}"
