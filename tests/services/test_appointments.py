"""Service by Appointment against SQLite and PostgreSQL: slots, booking, check-in, no-shows."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.domain.errors import (
    DomainError,
    Forbidden,
    InvalidState,
    InvalidValue,
    NotFound,
    TooManyAttempts,
)
from queue_server.services import appointments, counters, tickets
from queue_server.services.counters import CounterRef
from tests.services.conftest import clerk_principal

NAIROBI = ZoneInfo("Africa/Nairobi")
TODAY = "2026-11-23"  # a Monday; the clock starts at 09:00 there
C1 = CounterRef("TST", 1)


def at(hhmm: str, day: str = TODAY) -> datetime:
    """A local time in Nairobi."""
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=NAIROBI)


def book(deps, start: datetime, **kw) -> dict:
    return appointments.book("TST", kw.pop("service", "ID"), start, **kw, **_rw(deps))


def _rw(deps) -> dict:
    return {"uow": deps["uow"], "clock": deps["clock"]}


def slots(deps, day: str = TODAY, service: str = "ID") -> list[dict]:
    return appointments.list_slots("TST", service, day, **_rw(deps))


def check_in(kiosk, deps, ref: str, centre: str = "TST") -> tuple[dict, bool]:
    return appointments.check_in(kiosk, centre, ref, **deps)


def code_of(call) -> str:
    with pytest.raises(DomainError) as info:
        call()
    return info.value.code


def test_slots_of_a_day_come_from_the_templates_without_the_past(deps):
    listed = slots(deps)
    starts = [s["start"][11:16] for s in listed]
    # 08:00-12:00 in 15 minutes (those after 09:00), then the weekday afternoon in 30.
    assert starts[:3] == ["09:15", "09:30", "09:45"] and starts[-4:] == [
        "14:00",
        "14:30",
        "15:00",
        "15:30",
    ]
    assert listed[0] == {
        "start": "2026-11-23T09:15:00+03:00",
        "end": "2026-11-23T09:30:00+03:00",
        "capacity": 2,
        "free": 2,
    }
    saturday = slots(deps, "2026-11-28")
    assert len(saturday) == 16 and saturday[-1]["end"].endswith("12:00:00+03:00")
    assert slots(deps, "2026-12-23") != [] and slots(deps, "2026-12-24") == []  # 30 days on
    assert slots(deps, "2026-11-22") == []
    assert slots(deps, TODAY, "BC") == []  # a service without templates
    assert code_of(lambda: slots(deps, "23/11/2026")) == "invalid_date"


def test_a_booking_takes_a_place_and_has_a_readable_ref(deps):
    booked = book(deps, at("10:00"), language="sw")
    assert booked["status"] == "booked" and booked["ticket"] is None
    assert (booked["start"], booked["end"]) == (
        "2026-11-23T10:00:00+03:00",
        "2026-11-23T10:15:00+03:00",
    )
    ref = booked["ref"]
    assert len(ref) == 9 and ref[4] == "-"
    assert set(ref.replace("-", "")) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert next(s for s in slots(deps) if s["start"] == booked["start"])["free"] == 1
    looked_up = appointments.get_appointment(ref.lower().replace("-", ""), "a", **_rw(deps))
    assert looked_up == booked and "phone" not in looked_up


def test_no_slot_takes_more_than_its_capacity(deps):
    book(deps, at("10:00"))
    book(deps, at("10:00"))
    assert code_of(lambda: book(deps, at("10:00"))) == "slot_full"
    assert next(s for s in slots(deps) if s["start"].startswith(f"{TODAY}T10:00"))["free"] == 0


def test_fifty_at_once_on_a_slot_of_two_get_two_places(deps):
    outcomes: list[str] = []
    barrier = threading.Barrier(50)

    def one() -> None:
        barrier.wait()
        try:
            book(deps, at("11:00"))
            outcomes.append("booked")
        except DomainError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked"] * 2 + ["slot_full"] * 48
    assert next(s for s in slots(deps) if s["start"].startswith(f"{TODAY}T11:00"))["free"] == 0


def test_the_rules_of_booking_answer_with_their_codes(deps):
    assert code_of(lambda: book(deps, at("10:05"))) == "no_such_slot"
    assert code_of(lambda: book(deps, at("10:00"), service="BC")) == "no_such_slot"
    assert code_of(lambda: book(deps, at("08:30"))) == "slot_past"
    assert code_of(lambda: book(deps, at("09:00", "2026-12-24"))) == "no_such_slot"
    assert code_of(lambda: book(deps, at("10:00"), phone="0712345678")) == "consent_required"
    assert code_of(lambda: book(deps, at("10:00"), phone="12", consent=True)) == "invalid_value"
    assert code_of(lambda: book(deps, at("10:00"), language="fr")) == "invalid_value"
    with pytest.raises(NotFound):
        book(deps, at("10:00"), service="NOPE")
    book(deps, at("10:00"), phone="0712 345 678", consent=True)
    again = lambda: book(deps, at("11:00"), phone="+254712345678", consent=True)  # noqa: E731
    assert code_of(again) == "already_booked"
    book(deps, at("11:00", "2026-11-24"), phone="0712345678", consent=True)  # another day
    assert slots(deps)[0]["free"] == 2  # nothing above took a place it should not


def test_the_same_idempotency_key_gives_the_same_booking(deps):
    first = book(deps, at("10:00"), idempotency_key="tap-1")
    assert book(deps, at("10:00"), idempotency_key="tap-1") == first
    assert next(s for s in slots(deps) if s["start"] == first["start"])["free"] == 1
    assert code_of(lambda: book(deps, at("10:15"), idempotency_key="tap-1")) == (
        "idempotency_key_reused"
    )


def test_cancelling_frees_the_place_until_the_slot_begins(deps, clock):
    booked = book(deps, at("10:00"))
    cancelled = appointments.cancel(booked["ref"], "a", **_rw(deps))
    assert cancelled["status"] == "cancelled"
    assert next(s for s in slots(deps) if s["start"] == booked["start"])["free"] == 2
    with pytest.raises(InvalidState):
        appointments.cancel(booked["ref"], "a", **_rw(deps))
    later = book(deps, at("09:15"))
    clock.advance(20 * 60)
    with pytest.raises(InvalidState):
        appointments.cancel(later["ref"], "a", **_rw(deps))


def test_unknown_refs_answer_alike_and_are_limited_per_address(deps):
    for ref in ["0000-0000", "not a ref", "ILOU-ILOU"] * 6 + ["0000-0000", "0000-0001"]:
        with pytest.raises(NotFound):
            appointments.get_appointment(ref, "10.0.0.9", **_rw(deps))
    with pytest.raises(TooManyAttempts):
        appointments.get_appointment("0000-0000", "10.0.0.9", **_rw(deps))
    booked = book(deps, at("10:00"))
    with pytest.raises(TooManyAttempts):
        appointments.get_appointment(booked["ref"], "10.0.0.9", **_rw(deps))
    assert appointments.get_appointment(booked["ref"], "10.0.0.10", **_rw(deps))["ref"]


def test_check_in_inside_the_window_ranks_from_the_slot(kiosk, deps, clock):
    booked = book(deps, at("10:00"))
    clock.now = at("09:30")
    ticket, new = check_in(kiosk, deps, booked["ref"])
    assert new and ticket["appointment"] == booked["ref"] and ticket["late"] is False
    assert ticket["status"] == "waiting" and ticket["number"] == "A001"
    again, new_again = check_in(kiosk, deps, booked["ref"].replace("-", "").lower())
    assert not new_again and again["id"] == ticket["id"]
    shown = appointments.get_appointment(booked["ref"], "a", **_rw(deps))
    assert (shown["status"], shown["ticket"]) == ("checked_in", ticket["id"])
    with pytest.raises(InvalidState):
        appointments.cancel(booked["ref"], "a", **_rw(deps))


def test_check_in_too_early_changes_nothing(kiosk, deps, clock):
    booked = book(deps, at("14:00"))
    assert code_of(lambda: check_in(kiosk, deps, booked["ref"])) == "too_early"
    tomorrow = book(deps, at("09:00", "2026-11-24"))
    assert code_of(lambda: check_in(kiosk, deps, tomorrow["ref"])) == "too_early"
    assert appointments.get_appointment(booked["ref"], "a", **_rw(deps))["status"] == "booked"
    clock.now = at("13:00")
    assert check_in(kiosk, deps, booked["ref"])[0]["late"] is False


def test_a_late_check_in_gets_a_walk_in_ticket(kiosk, deps, clock):
    booked = book(deps, at("09:15"))
    clock.now = at("09:31")  # 16 minutes after the start, past checkin_late_s (15)
    ticket, new = check_in(kiosk, deps, booked["ref"])
    assert new and ticket["late"] is True and ticket["appointment"] == booked["ref"]


def test_check_in_is_for_the_centre_and_its_kiosks_or_staff(kiosk, auth, deps):
    booked = book(deps, at("09:30"))
    other = auth.principal("other-kiosk-token-0123456789")
    with pytest.raises(NotFound):
        check_in(other, deps, booked["ref"], centre="OTH")
    with pytest.raises(Forbidden):
        check_in(other, deps, booked["ref"])
    with pytest.raises(Forbidden):
        check_in(auth.principal("display-token-0123456789"), deps, booked["ref"])
    with pytest.raises(NotFound):
        check_in(kiosk, deps, "0000-0000")
    appointments.cancel(booked["ref"], "a", **_rw(deps))
    assert code_of(lambda: check_in(kiosk, deps, booked["ref"])) == "invalid_state"


def test_the_call_order_mixes_appointments_and_walk_ins_fairly(kiosk, clerk, deps, clock):
    first_walk_in = tickets.issue_ticket(kiosk, "TST", "ID", **deps)  # 09:00
    early = book(deps, at("09:15"))
    later = book(deps, at("10:00"))
    clock.now = at("09:02")
    early_ticket, _ = check_in(kiosk, deps, early["ref"])  # ranks 09:05
    clock.now = at("09:06")
    second_walk_in = tickets.issue_ticket(kiosk, "TST", "ID", **deps)
    clock.now = at("09:10")
    later_ticket, _ = check_in(kiosk, deps, later["ref"])  # ranks 09:50: behind the walk-ins
    assert later_ticket["ahead"] == 3
    counters.open_counter(clerk, C1, **deps)
    called = [counters.call_next(clerk, C1, **deps)["ticket"]["id"] for _ in range(4)]
    assert called == [
        first_walk_in["id"],
        early_ticket["id"],
        second_walk_in["id"],
        later_ticket["id"],
    ]


def test_bookings_not_checked_in_become_no_shows(kiosk, deps, clock):
    missed = book(deps, at("09:15"))
    kept = book(deps, at("09:15"))
    check_in(kiosk, deps, kept["ref"])
    coming = book(deps, at("10:00"))
    clock.now = at("09:30")
    assert appointments.mark_no_shows(**_rw(deps)) == 0  # 15 minutes' grace
    clock.now = at("09:30") + timedelta(seconds=1)
    assert appointments.mark_no_shows(**_rw(deps)) == 1
    assert appointments.mark_no_shows(**_rw(deps)) == 0
    status = {
        a["ref"]: a["status"]
        for a in appointments.appointments_of_day(
            clerk_principal_of(deps), "TST", TODAY, **_rw(deps)
        )
    }
    assert status == {missed["ref"]: "no_show", kept["ref"]: "checked_in", coming["ref"]: "booked"}
    # A no-show who comes after all is served as a walk-in.
    assert check_in(kiosk, deps, missed["ref"])[0]["late"] is True


def clerk_principal_of(deps):
    from queue_server.services.auth import Authenticator

    return clerk_principal(Authenticator(deps["uow"], deps["clock"], max_age_s=3600), "clerk1")


def test_staff_list_the_day_and_others_may_not(kiosk, clerk, auth, deps):
    booked = book(deps, at("10:00"), phone="0712345678", consent=True)
    listed = appointments.appointments_of_day(clerk, "TST", None, **_rw(deps))
    assert [a["ref"] for a in listed] == [booked["ref"]] and "phone" not in listed[0]
    assert appointments.appointments_of_day(clerk, "TST", "2026-11-24", **_rw(deps)) == []
    with pytest.raises(Forbidden):
        appointments.appointments_of_day(kiosk, "TST", None, **_rw(deps))
    with pytest.raises(Forbidden):
        appointments.appointments_of_day(
            clerk_principal(auth, "outsider"), "TST", None, **_rw(deps)
        )


def test_a_closed_day_cancels_its_bookings_with_the_reason(clerk, auth, deps):
    boss = clerk_principal(auth, "boss")
    day = "2026-11-24"
    booked = book(deps, at("10:00", day), phone="0712345678", consent=True)
    other_day = book(deps, at("10:00", "2026-11-25"))
    with pytest.raises(Forbidden):
        appointments.close_day(clerk, "TST", "ID", day, "Staff training", **_rw(deps))
    closed = appointments.close_day(boss, "TST", "ID", day, "Staff training", **_rw(deps))
    assert closed == {
        "service": "ID",
        "date": day,
        "reason": "Staff training",
        "closed": True,
        "cancelled": 1,
    }
    shown = appointments.get_appointment(booked["ref"], "a", **_rw(deps))
    assert (shown["status"], shown["reason"]) == ("cancelled", "Staff training")
    assert appointments.get_appointment(other_day["ref"], "a", **_rw(deps))["status"] == "booked"
    assert slots(deps, day) == []
    assert code_of(lambda: book(deps, at("10:00", day))) == "no_such_slot"
    again = appointments.close_day(boss, "TST", "ID", day, "Staff training", **_rw(deps))
    assert (again["closed"], again["cancelled"]) == (False, 0)
    with pytest.raises(InvalidValue):
        appointments.close_day(boss, "TST", "ID", "2026-11-22", "Too late", **_rw(deps))


def sms_of(deps) -> list[tuple[str, str, str, str]]:
    """(purpose, subject's last part, status, due local time) of every SMS stored, oldest first."""
    with deps["uow"](write=False) as unit:
        stored = reversed(unit.repo.centre_sms(unit.repo.centre("TST"), limit=100))
        return [
            (
                m.purpose,
                m.subject.rsplit(":", 1)[1],
                m.status,
                m.next_try_at.astimezone(NAIROBI).strftime("%d %H:%M"),
            )
            for m in stored
        ]


def test_a_booking_with_a_phone_is_confirmed_and_reminded_a_day_and_two_hours_before(deps):
    booked = book(deps, at("10:00", "2026-11-25"), phone="0712345678", consent=True, language="sw")
    assert sms_of(deps) == [
        ("appointment_booked", "booked", "queued", "23 09:00"),
        ("appointment_reminder", "day", "queued", "24 10:00"),
        ("appointment_reminder", "2h", "queued", "25 08:00"),
    ]
    with deps["uow"](write=False) as unit:
        text = unit.repo.centre_sms(unit.repo.centre("TST"), limit=1)[0].body
    assert booked["ref"] in text and "25 Nov 2026 10:00" in text and "+254" not in text
    book(deps, at("10:30"))  # no phone: nothing to send
    book(deps, at("10:45"), phone="0722000000", consent=True)  # under two hours: no reminder
    book(deps, at("14:00"), phone="0733000000", consent=True)  # under a day: one
    assert [s[:2] for s in sms_of(deps)[3:]] == [
        ("appointment_booked", "booked"),
        ("appointment_booked", "booked"),
        ("appointment_reminder", "2h"),
    ]


def test_cancelling_stops_the_reminders(deps):
    booked = book(deps, at("10:00", "2026-11-25"), phone="0712345678", consent=True)
    appointments.cancel(booked["ref"], "a", **_rw(deps))
    assert [s[2] for s in sms_of(deps)] == ["queued", "expired", "expired"]


def test_a_closed_day_tells_booked_citizens_with_a_phone(auth, deps):
    booked = book(deps, at("10:00", "2026-11-25"), phone="0712345678", consent=True)
    book(deps, at("10:00", "2026-11-25"))  # no phone: nothing to send
    appointments.close_day(
        clerk_principal(auth, "boss"), "TST", "ID", "2026-11-25", "Public holiday", **_rw(deps)
    )
    assert [(s[0], s[2]) for s in sms_of(deps)] == [
        ("appointment_booked", "queued"),
        ("appointment_reminder", "expired"),
        ("appointment_reminder", "expired"),
        ("appointment_cancelled", "queued"),
    ]
    with deps["uow"](write=False) as unit:
        text = unit.repo.centre_sms(unit.repo.centre("TST"), limit=1)[0].body
    assert (
        text == f"Huduma TST: appointment {booked['ref']} on 25 Nov 2026 10:00 is cancelled: "
        "Public holiday. Please book another day."
    )
