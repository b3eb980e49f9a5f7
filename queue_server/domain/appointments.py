"""Service by Appointment: slots of a day, readable refs, and the check-in window."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from .errors import InvalidState, InvalidValue

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so nothing typed can be mistaken for another."""
REF_LENGTH = 8


class AppointmentStatus(StrEnum):
    """Where a booking is (the contract's appointment `status`)."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class Arrival(StrEnum):
    """How a check-in falls against its slot."""

    TOO_EARLY = "too_early"
    ON_TIME = "on_time"
    LATE = "late"


@dataclass(frozen=True)
class SlotTemplate:
    """When a service can be booked: weekdays, local start and end, slot length, places."""

    days: tuple[str, ...]
    start: time
    end: time
    minutes: int
    capacity: int

    @classmethod
    def from_config(cls, entry: Mapping[str, Any]) -> SlotTemplate:
        """A template from its configuration form ({days, start: "08:00", end, minutes, ...})."""
        return cls(
            days=tuple(entry.get("days") or WEEKDAYS),
            start=time.fromisoformat(entry["start"]),
            end=time.fromisoformat(entry["end"]),
            minutes=int(entry["minutes"]),
            capacity=int(entry["capacity"]),
        )


@dataclass(frozen=True)
class Slot:
    """One bookable slot: its start and end (aware) and how many it takes."""

    start: datetime
    end: datetime
    capacity: int


def slots_of_day(templates: Iterable[SlotTemplate], day: date, timezone: str) -> list[Slot]:
    """The service's slots on the local `day`, in order; a slot ends by its template's end."""
    zone = ZoneInfo(timezone)
    weekday = WEEKDAYS[day.weekday()]
    found: dict[datetime, Slot] = {}
    for template in templates:
        if weekday not in template.days:
            continue
        length = timedelta(minutes=template.minutes)
        start = datetime.combine(day, template.start, zone)
        close = datetime.combine(day, template.end, zone)
        while start + length <= close:
            found.setdefault(start, Slot(start, start + length, template.capacity))
            start += length
    return [found[s] for s in sorted(found)]


def bookable_days(today: date, booking_days: int) -> tuple[date, date]:
    """The first and last local day a citizen may book on."""
    return today, today + timedelta(days=booking_days)


def new_ref(length: int = REF_LENGTH) -> str:
    """A random ref, as stored: `length` characters of the ref alphabet (appointments: 8)."""
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(length))


def format_ref(ref: str) -> str:
    """A stored ref as citizens see it, in two halves: XXXX-XXXX (a document's XXXXX-XXXXX)."""
    half = len(ref) // 2
    return f"{ref[:half]}-{ref[half:]}"


def parse_ref(text: str, length: int = REF_LENGTH) -> str | None:
    """A typed ref in its stored form (any case, with or without hyphens), or None."""
    ref = text.replace("-", "").replace(" ", "").upper()
    if len(ref) != length or any(c not in REF_ALPHABET for c in ref):
        return None
    return ref


def arrival(now: datetime, start: datetime, early_s: int, late_s: int) -> Arrival:
    """Whether a check-in at `now` is too early, in the window, or late for a slot at `start`."""
    if now < start - timedelta(seconds=early_s):
        return Arrival.TOO_EARLY
    if now > start + timedelta(seconds=late_s):
        return Arrival.LATE
    return Arrival.ON_TIME


def no_show_cutoff(now: datetime, late_s: int) -> datetime:
    """Bookings whose slot began before this, still not checked in at `now`, are no-shows."""
    return now - timedelta(seconds=late_s)


def require_cancellable(status: str, start: datetime, now: datetime) -> None:
    """InvalidState unless the booking still waits for its slot."""
    if status != AppointmentStatus.BOOKED or now >= start:
        raise InvalidState("This booking can no longer be cancelled.")


def require_slot(slots: Iterable[Slot], start: datetime, now: datetime) -> Slot:
    """The slot starting at `start`: no_such_slot if there is none, slot_past if it began."""
    slot = next((s for s in slots if s.start == start), None)
    if slot is None:
        raise InvalidValue("There is no slot of this service at that time.", code="no_such_slot")
    if slot.start <= now:
        raise InvalidValue("That slot has already begun.", code="slot_past")
    return slot
