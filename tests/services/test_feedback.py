"""Feedback, pausing a service, the live hall and the reports, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from queue_server.centre_config import parse_centre_config
from queue_server.domain.errors import Forbidden, InvalidState, InvalidValue, Unauthorized
from queue_server.domain.events import MoneyAskedReported, ServiceChanged
from queue_server.services import counters, reports, supervision, tickets
from queue_server.services.counters import CounterRef
from queue_server.services.feedback import Answer, give_feedback, tablet_question
from queue_server.services.setup import apply_centre_config
from tests.services.conftest import clerk_principal
from tests.support.feedback import FEEDBACK_CONFIG, FEEDBACK_TOKEN, SUPERVISOR

C1, C3 = CounterRef("TST", 1), CounterRef("TST", 3)
REASON = ("The registration system is offline.", "Mfumo wa usajili haupatikani.")


@pytest.fixture(autouse=True)
def _feedback_centre(uow):
    apply_centre_config(parse_centre_config(FEEDBACK_CONFIG, "test"), uow=uow)


@pytest.fixture
def supervisor(auth):
    return clerk_principal(auth, SUPERVISOR)


@pytest.fixture
def tablet(auth):
    return auth.principal(FEEDBACK_TOKEN)


def issue(kiosk, deps, service="ID", **kw):
    return tickets.issue_ticket(kiosk, "TST", service, **kw, **deps)


def served(kiosk, clerk, deps, ref=C1, service="ID"):
    """Issue a ticket, call it at `ref` and complete it; its public id."""
    ticket = issue(kiosk, deps, service)
    counters.open_counter(clerk, ref, **deps)
    counters.call_next(clerk, ref, **deps)
    counters.complete(clerk, ref, **deps)
    return ticket["id"]


# Feedback -------------------------------------------------------------------------------


def test_a_served_ticket_takes_one_answer(kiosk, clerk, deps):
    ticket = served(kiosk, clerk, deps)
    given = give_feedback(ticket, Answer(rating=5, fee="official"), **deps)
    assert given["ticket"] == ticket
    with pytest.raises(InvalidState) as second:
        give_feedback(ticket, Answer(rating=1), **deps)
    assert second.value.code == "feedback_given"


def test_a_ticket_not_served_takes_no_answer(kiosk, clerk, deps):
    waiting = issue(kiosk, deps)["id"]
    with pytest.raises(InvalidState) as raised:
        give_feedback(waiting, Answer(rating=4), **deps)
    assert raised.value.code == "not_served"
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    counters.no_show(clerk, C1, **deps)
    with pytest.raises(InvalidState) as absent:
        give_feedback(waiting, Answer(rating=4), **deps)
    assert absent.value.code == "not_served"


def test_feedback_is_taken_for_seven_days_after_the_visit(kiosk, clerk, deps, clock):
    ticket = served(kiosk, clerk, deps)
    clock.advance(timedelta(days=7).total_seconds() + 1)
    with pytest.raises(InvalidState) as raised:
        give_feedback(ticket, Answer(rating=3), **deps)
    assert raised.value.code == "not_served"


def test_asked_for_money_reaches_supervisors_only(kiosk, clerk, deps, notifier, supervisor):
    ticket = served(kiosk, clerk, deps)
    give_feedback(ticket, Answer(rating=1, asked_for_money="yes"), **deps)
    [alert] = notifier.of(MoneyAskedReported)
    assert (alert.centre, alert.number, alert.counter) == ("TST", "A001", 1)
    hall = supervision.live_hall(supervisor, "TST", uow=deps["uow"], clock=deps["clock"])
    assert [m["number"] for m in hall["money_asked"]] == ["A001"]


def test_the_tablet_asks_about_the_last_visit_its_counter_finished(kiosk, clerk, deps, tablet):
    def asked():
        result = tablet_question(tablet, "TST", 1, uow=deps["uow"], clock=deps["clock"])
        return result["ticket"] and result["ticket"]["number"]

    assert asked() is None
    first = served(kiosk, clerk, deps)
    assert asked() == "A001"
    give_feedback(first, Answer(rating=4), **deps)
    assert asked() is None  # one answer per ticket: it waits for the next
    served(kiosk, clerk, deps)
    assert asked() == "A002"


def test_the_tablet_forgets_a_visit_after_ten_minutes(kiosk, clerk, deps, tablet, clock):
    served(kiosk, clerk, deps)
    clock.advance(601)
    assert tablet_question(tablet, "TST", 1, uow=deps["uow"], clock=clock)["ticket"] is None


def test_only_a_feedback_tablet_reads_what_the_tablet_asks(kiosk, clerk, deps, auth):
    for principal in (kiosk, clerk):
        with pytest.raises(Forbidden):
            tablet_question(principal, "TST", 1, uow=deps["uow"], clock=deps["clock"])
    with pytest.raises(Unauthorized):
        auth.principal("not-a-token-at-all-000000")


# Pausing a service ----------------------------------------------------------------------


def test_a_paused_service_refuses_tickets_until_resumed(kiosk, deps, supervisor, notifier):
    result = supervision.pause_service(supervisor, "TST", "ID", REASON, **deps)
    assert result == {
        "service": "ID",
        "open": False,
        "paused_reason": {"en": REASON[0], "sw": REASON[1]},
    }
    with pytest.raises(InvalidState) as raised:
        issue(kiosk, deps)
    assert raised.value.code == "service_paused"
    listed = {
        s["code"]: s for s in tickets.list_services("TST", uow=deps["uow"], clock=deps["clock"])
    }
    assert listed["ID"]["open"] is False and listed["ID"]["paused_reason"]["sw"] == REASON[1]
    supervision.resume_service(supervisor, "TST", "ID", **deps)
    assert issue(kiosk, deps)["number"] == "A001"
    assert [(e.service, e.open, e.reason_en) for e in notifier.of(ServiceChanged)] == [
        ("ID", False, REASON[0]),
        ("ID", True, None),
    ]


def test_a_ticket_cannot_be_transferred_to_a_paused_service(kiosk, clerk, deps, supervisor):
    issue(kiosk, deps, "BC")
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    supervision.pause_service(supervisor, "TST", "ID", REASON, **deps)
    with pytest.raises(InvalidState) as raised:
        counters.transfer(clerk, C1, "ID", **deps)
    assert raised.value.code == "service_paused"


def test_pausing_twice_or_resuming_an_open_service_is_refused(deps, supervisor):
    supervision.pause_service(supervisor, "TST", "ID", REASON, **deps)
    with pytest.raises(InvalidState):
        supervision.pause_service(supervisor, "TST", "ID", REASON, **deps)
    with pytest.raises(InvalidState):
        supervision.resume_service(supervisor, "TST", "BC", **deps)
    with pytest.raises(InvalidState):  # closed by its configuration, not paused
        supervision.resume_service(supervisor, "TST", "OLD", **deps)


def test_only_supervisors_of_the_centre_pause(deps, clerk, auth):
    with pytest.raises(Forbidden):
        supervision.pause_service(clerk, "TST", "ID", REASON, **deps)
    with pytest.raises(Forbidden):
        supervision.pause_service(clerk_principal(auth, "othersuper"), "TST", "ID", REASON, **deps)
    supervision.pause_service(clerk_principal(auth, "boss"), "TST", "ID", REASON, **deps)


def test_a_pause_outlives_reloading_the_configuration(deps, supervisor, uow):
    supervision.pause_service(supervisor, "TST", "ID", REASON, **deps)
    apply_centre_config(parse_centre_config(FEEDBACK_CONFIG, "test"), uow=uow)
    listed = {s["code"]: s for s in tickets.list_services("TST", uow=uow, clock=deps["clock"])}
    assert listed["ID"]["open"] is False


# The live hall --------------------------------------------------------------------------


def test_the_live_hall_shows_queues_counters_and_alerts(kiosk, clerk, deps, clock, supervisor):
    issue(kiosk, deps, "ID")
    clock.advance(3601)  # past the default target of an hour
    issue(kiosk, deps, "BC")
    counters.open_counter(clerk, C3, **deps)
    counters.call_next(clerk, C3, **deps)
    clock.advance(30)
    hall = supervision.live_hall(supervisor, "TST", uow=deps["uow"], clock=clock)
    lines = {s["code"]: s for s in hall["services"]}
    assert (lines["ID"]["waiting"], lines["ID"]["longest_wait_s"], lines["ID"]["alert"]) == (
        1,
        3631,
        True,
    )
    assert (lines["BC"]["waiting"], lines["BC"]["alert"]) == (0, False)
    counter3 = next(c for c in hall["counters"] if c["number"] == 3)
    assert counter3 == {
        "number": 3,
        "state": "open",
        "clerk": "clerk1",
        "ticket": "B001",
        "service": "BC",
        "since_s": 30,
    }
    assert [(h["hour"], h["arrivals"]) for h in hall["hours"]] == [(9, 1), (10, 1)]
    assert hall["hours"][1]["wait_p50_s"] == 0


def test_clerks_do_not_see_the_live_hall(deps, clerk):
    with pytest.raises(Forbidden):
        supervision.live_hall(clerk, "TST", uow=deps["uow"], clock=deps["clock"])


# Reports --------------------------------------------------------------------------------


def test_report_dates_are_checked():
    assert reports.parse_days("2026-11-01", "2026-11-30")[1].day == 30
    for first, last in (("2026-11-31", "2026-12-01"), ("2026-12-02", "2026-12-01"), (None, "x")):
        with pytest.raises(InvalidValue):
            reports.parse_days(first, last)
    with pytest.raises(InvalidValue):
        reports.parse_days("2025-01-01", "2026-12-01")


def test_the_services_report_counts_the_day_it_was_given(kiosk, clerk, deps, clock, supervisor):
    a = issue(kiosk, deps, "ID")  # waits 60 s, served for 120 s
    b = issue(kiosk, deps, "ID")  # waits 180 s, then absent
    c = issue(kiosk, deps, "BC")  # never called
    counters.open_counter(clerk, C1, **deps)
    clock.advance(60)
    counters.call_next(clerk, C1, **deps)
    clock.advance(120)
    counters.complete(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    counters.no_show(clerk, C1, **deps)
    give_feedback(a["id"], Answer(rating=4, fee="more", asked_for_money="no"), **deps)
    del b, c
    days = reports.parse_days("2026-11-23", "2026-11-23")
    rows = reports.services_report(supervisor, "TST", days, uow=deps["uow"], clock=clock)
    assert rows == [
        {
            "date": "2026-11-23",
            "service": "ID",
            "issued": 2,
            "served": 1,
            "no_show": 1,
            "wait_p50_s": 60,
            "wait_p90_s": 180,
            "service_p50_s": 120,
            "feedback": 1,
            "rating_mean": 4.0,
            "fee_more_pct": 100.0,
            "asked_money_pct": 0.0,
            "fees_kes": 0,
            "fees_sponsored_kes": 0,
        },
        {
            "date": "2026-11-23",
            "service": "BC",
            "issued": 1,
            "served": 0,
            "no_show": 0,
            "wait_p50_s": None,
            "wait_p90_s": None,
            "service_p50_s": None,
            "feedback": 0,
            "rating_mean": None,
            "fee_more_pct": None,
            "asked_money_pct": None,
            "fees_kes": 0,
            "fees_sponsored_kes": 0,
        },
    ]


def test_a_closed_day_is_stored_once_and_reads_the_same(kiosk, clerk, deps, clock, supervisor):
    ticket = served(kiosk, clerk, deps, service="BC")
    issue(kiosk, deps, "ID")
    days = reports.parse_days("2026-11-23", "2026-11-23")
    today_rows = reports.services_report(supervisor, "TST", days, uow=deps["uow"], clock=clock)
    clock.advance(86400)  # the day is over: its open ticket expired, its figures are kept
    assert reports.store_yesterdays(uow=deps["uow"], clock=clock) == 14  # a week, two centres
    assert reports.store_yesterdays(uow=deps["uow"], clock=clock) == 0  # stored once
    later = reports.services_report(supervisor, "TST", days, uow=deps["uow"], clock=clock)
    assert later == today_rows
    give_feedback(ticket, Answer(rating=2), **deps)  # feedback still comes in for 7 days
    [bc] = [
        r
        for r in reports.services_report(supervisor, "TST", days, uow=deps["uow"], clock=clock)
        if r["service"] == "BC"
    ]
    assert (bc["served"], bc["feedback"], bc["rating_mean"]) == (1, 1, 2.0)
    with deps["uow"](write=False) as unit:
        stored = {(r.day.isoformat(), r.service) for r in unit.repo.report_days(1, days)}
    assert stored == {("2026-11-23", ""), ("2026-11-23", "ID"), ("2026-11-23", "BC")}


def test_clerk_feedback_is_hidden_below_twenty_answers(kiosk, clerk, deps, supervisor):
    for _ in range(19):
        give_feedback(served(kiosk, clerk, deps), Answer(rating=5), **deps)
    days = reports.parse_days("2026-11-23", "2026-11-23")
    [row] = reports.counters_report(supervisor, "TST", days, uow=deps["uow"])
    assert (row["counter"], row["clerk"], row["served"], row["feedback"]) == (1, "clerk1", 19, None)
    assert row["rating_mean"] is None
    give_feedback(served(kiosk, clerk, deps), Answer(rating=3), **deps)
    [row] = reports.counters_report(supervisor, "TST", days, uow=deps["uow"])
    assert (row["served"], row["feedback"], row["rating_mean"]) == (20, 20, 4.9)


def test_the_national_report_is_for_administrators(kiosk, clerk, deps, supervisor, auth):
    served(kiosk, clerk, deps, service="BC")
    days = reports.parse_days("2026-11-22", "2026-11-23")
    with pytest.raises(Forbidden):
        reports.centres_report(supervisor, days, uow=deps["uow"], clock=deps["clock"])
    rows = reports.centres_report(
        clerk_principal(auth, "boss"), days, uow=deps["uow"], clock=deps["clock"]
    )
    assert [(r["date"], r["centre"], r["issued"], r["served"], r["fees_kes"]) for r in rows] == [
        ("2026-11-23", "TST", 1, 1, 50)
    ]


def test_a_report_crosses_local_midnight_by_the_centres_zone(kiosk, clerk, deps, clock, supervisor):
    clock.now = clock.now.replace(hour=20, minute=30)  # 23:30 in Nairobi, Monday
    issue(kiosk, deps, "ID")
    clock.advance(3600)  # 00:30 on Tuesday: a new local day
    issue(kiosk, deps, "ID")
    rows = reports.services_report(
        supervisor,
        "TST",
        reports.parse_days("2026-11-23", "2026-11-24"),
        uow=deps["uow"],
        clock=clock,
    )
    assert [(r["date"], r["issued"]) for r in rows] == [("2026-11-23", 1), ("2026-11-24", 1)]


def test_csv_has_the_same_rows_as_json():
    rows = [{"date": "2026-11-23", "service": "ID", **dict.fromkeys(reports.TOTALS, None)}]
    rows[0]["issued"] = 3
    text = reports.as_csv(rows, reports.SERVICE_COLUMNS)
    header, line = text.splitlines()
    assert header.split(",") == list(reports.SERVICE_COLUMNS)
    assert line.split(",")[:3] == ["2026-11-23", "ID", "3"]


# SMS: the pause and the feedback invitation ----------------------------------------------

PHONE = "0712 345 678"


def outbox(deps, purpose):
    """The stored SMS of `purpose`: (phone, status, due, text)."""
    from sqlalchemy import select

    from queue_server.adapters.orm import SmsMessage

    with deps["uow"](write=False) as unit:
        rows = unit.session.scalars(
            select(SmsMessage).where(SmsMessage.purpose == purpose).order_by(SmsMessage.id)
        ).all()
        return [(m.phone, m.next_try_at, m.body) for m in rows]


def test_waiting_holders_with_a_phone_get_one_pause_sms(kiosk, deps, supervisor):
    issue(kiosk, deps, phone=PHONE, language="sw")
    issue(kiosk, deps)  # no phone: no message
    issue(kiosk, deps, "BC", phone="0798 765 432")  # another service: no message
    supervision.pause_service(supervisor, "TST", "ID", REASON, **deps)
    supervision.resume_service(supervisor, "TST", "ID", **deps)
    supervision.pause_service(supervisor, "TST", "ID", REASON, **deps)  # still one each
    [(phone, _, text)] = outbox(deps, "service_paused")
    assert phone == "+254712345678"
    assert "A001" in text and "Mfumo wa usajili" in text


def test_a_served_holder_is_invited_within_opening_hours(kiosk, clerk, deps, clock):
    from queue_server.services.feedback import invite_feedback

    issue(kiosk, deps, phone=PHONE)
    counters.open_counter(clerk, C1, **deps)
    clock.now = clock.now.replace(hour=15, minute=30)  # 18:30 in Nairobi: after hours
    counters.call_next(clerk, C1, **deps)
    counters.complete(clerk, C1, **deps)
    assert invite_feedback("http://q.example", uow=deps["uow"], clock=clock) == 1
    assert invite_feedback("http://q.example", uow=deps["uow"], clock=clock) == 0
    [(phone, due, text)] = outbox(deps, "feedback_invite")
    assert phone == "+254712345678"
    assert due.isoformat() == "2026-11-24T05:00:00+00:00"  # 08:00 the next morning
    assert "http://q.example/track/" in text and "A001" in text


def test_a_sponsored_sites_fees_are_reported_as_sponsored_and_stay_live(deps, clock, auth, uow):
    from tests.support.outreach import OUTREACH_CONFIG

    apply_centre_config(parse_centre_config(OUTREACH_CONFIG, "test"), uow=uow)
    boss = clerk_principal(auth, "mashinani-boss")
    ticket = tickets.issue_ticket(boss, "KBR", "ID", **deps)
    counters.open_counter(boss, CounterRef("KBR", 1), **deps)
    counters.call_next(boss, CounterRef("KBR", 1), **deps)
    counters.complete(boss, CounterRef("KBR", 1), **deps)
    days = reports.parse_days("2026-11-23", "2026-11-23")
    clock.advance(86400)  # the day is over, but a site's tickets may still arrive by sync
    reports.store_yesterdays(uow=uow, clock=clock)
    [row] = reports.services_report(boss, "KBR", days, uow=uow, clock=clock)
    assert (row["served"], row["fees_kes"], row["fees_sponsored_kes"]) == (1, 100, 100)
    with uow(write=False) as unit:
        kbr = unit.repo.centre("KBR")
        assert kbr is not None and unit.repo.report_days(kbr.id, days) == []
    assert ticket["number"] == "A001"
