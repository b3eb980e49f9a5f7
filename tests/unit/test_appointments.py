"""Service by Appointment's rules: slots of a day, refs, the check-in window, fair call order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.appointments import (
    REF_ALPHABET,
    Arrival,
    SlotTemplate,
    arrival,
    format_ref,
    new_ref,
    no_show_cutoff,
    parse_ref,
    require_cancellable,
    require_slot,
    slots_of_day,
)
from queue_server.domain.errors import InvalidState, InvalidValue
from queue_server.domain.routing import RankPolicy, call_order_key, rank_time

NAIROBI = ZoneInfo("Africa/Nairobi")
MONDAY = date(2026, 11, 23)
POLICY = RankPolicy(priority_bonus_s=900, appointment_bonus_s=600)
T0 = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 08:00 in Nairobi


def template(days=("mon",), start="08:00", end="09:00", minutes=20, capacity=2) -> SlotTemplate:
    return SlotTemplate(days, time.fromisoformat(start), time.fromisoformat(end), minutes, capacity)


def test_a_template_makes_whole_slots_in_the_centres_zone():
    slots = slots_of_day([template(end="09:10")], MONDAY, "Africa/Nairobi")
    assert [s.start.astimezone(NAIROBI).strftime("%H:%M") for s in slots] == [
        "08:00",
        "08:20",
        "08:40",
    ]
    assert slots[0].start == T0 and slots[-1].end == T0 + timedelta(hours=1)
    assert slots_of_day([template()], MONDAY + timedelta(days=1), "Africa/Nairobi") == []


def test_overlapping_templates_give_each_start_once():
    slots = slots_of_day([template(), template(minutes=30, capacity=5)], MONDAY, "Africa/Nairobi")
    assert [(s.start - T0).seconds // 60 for s in slots] == [0, 20, 30, 40]
    assert slots[0].capacity == 2


def test_config_days_default_to_every_day():
    made = SlotTemplate.from_config(
        {"start": "08:00", "end": "09:00", "minutes": 15, "capacity": 1}
    )
    assert len(made.days) == 7


@given(st.text(alphabet=REF_ALPHABET, min_size=8, max_size=8))
def test_refs_are_read_in_any_case_with_or_without_the_hyphen(ref):
    written = format_ref(ref)
    assert len(written) == 9 and written[4] == "-"
    for typed in (written, written.lower(), ref, f" {ref.lower()[:4]} {ref[4:]} "):
        assert parse_ref(typed) == ref


def test_refs_are_random_and_refuse_look_alike_letters():
    refs = {new_ref() for _ in range(200)}
    assert len(refs) == 200 and all(parse_ref(r) == r for r in refs)
    assert parse_ref("ILOU-0000") is None and parse_ref("ABCD-123") is None


def test_the_check_in_window():
    start = T0 + timedelta(hours=2)
    assert arrival(start - timedelta(seconds=3601), start, 3600, 900) is Arrival.TOO_EARLY
    assert arrival(start - timedelta(seconds=3600), start, 3600, 900) is Arrival.ON_TIME
    assert arrival(start + timedelta(seconds=900), start, 3600, 900) is Arrival.ON_TIME
    assert arrival(start + timedelta(seconds=901), start, 3600, 900) is Arrival.LATE
    assert no_show_cutoff(start + timedelta(seconds=901), 900) > start


def test_only_a_booking_before_its_slot_can_be_cancelled():
    require_cancellable("booked", T0, T0 - timedelta(seconds=1))
    for status, now in [("booked", T0), ("checked_in", T0 - timedelta(hours=1))]:
        with pytest.raises(InvalidState):
            require_cancellable(status, T0, now)


def test_a_start_must_be_a_future_slot():
    slots = slots_of_day([template()], MONDAY, "Africa/Nairobi")
    assert require_slot(slots, T0, T0 - timedelta(seconds=1)) == slots[0]
    for start, now, code in [
        (T0 + timedelta(minutes=5), T0, "no_such_slot"),
        (T0, T0, "slot_past"),
    ]:
        with pytest.raises(InvalidValue) as info:
            require_slot(slots, start, now)
        assert info.value.code == code


# -- the call order with appointments ------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """A ticket in a simulated hall: a walk-in, or an appointment checked in at `issued`."""

    issued: datetime
    slot: datetime | None
    n: int

    @property
    def rank(self) -> datetime:
        return rank_time(self.issued, "none", POLICY, self.slot)

    def key(self) -> tuple:
        return call_order_key(self.rank, self.issued, self.n)


minutes = st.integers(min_value=0, max_value=240)
walk_ins = st.lists(minutes, max_size=30)
# An appointment: its slot's start, and its check-in up to an hour before to 15 minutes after.
bookings = st.lists(st.tuples(minutes, st.integers(min_value=-60, max_value=15)), max_size=30)


def hall(walk_in_minutes: list[int], booked: list[tuple[int, int]]) -> list[Visit]:
    visits = [Visit(T0 + timedelta(minutes=m), None, i) for i, m in enumerate(walk_in_minutes)]
    for j, (slot, offset) in enumerate(booked, start=len(visits)):
        start = T0 + timedelta(minutes=slot)
        visits.append(Visit(start + timedelta(minutes=offset), start, j))
    return visits


def calls(visits: list[Visit], every_min: int = 3) -> list[tuple[Visit, list[Visit]]]:
    """One counter calling every `every_min` minutes: each call and those left waiting."""
    pending = sorted(visits, key=lambda v: v.issued)
    waiting: list[Visit] = []
    made: list[tuple[Visit, list[Visit]]] = []
    now = T0
    while pending or waiting:
        while pending and pending[0].issued <= now:
            waiting.append(pending.pop(0))
        if waiting:
            first = min(waiting, key=Visit.key)
            waiting.remove(first)
            made.append((first, list(waiting)))
        now += timedelta(minutes=every_min)
    return made


@given(walk_ins, bookings)
def test_no_walk_in_is_passed_by_an_appointment_ranked_after_its_issue(walks, booked):
    for called, left in calls(hall(walks, booked)):
        if called.slot is not None:
            assert all(called.rank <= w.issued for w in left if w.slot is None)


@given(walk_ins.filter(bool), bookings)
def test_walk_ins_never_starve_behind_appointments(walks, booked):
    """Whoever arrives later passes a walk-in only by ranking before it, and only appointments
    whose slot is within the bonus of its issue can: so its wait is bounded when it arrives."""
    visits = hall(walks, booked)
    made = calls(visits)
    for walk_in in (v for v in visits if v.slot is None):
        arrived = next(i for i, (c, left) in enumerate(made) if c is walk_in or walk_in in left)
        called = next(i for i, (c, _) in enumerate(made) if c is walk_in)
        ranked_before = [v for v in visits if v.key() < walk_in.key()]
        assert called - arrived <= len(ranked_before)
        passing = [v for v in ranked_before if v.issued > walk_in.issued]
        assert all(v.slot and v.rank <= walk_in.issued for v in passing)
