"""Local midnight: counters close and screens start afresh, once, whoever sees it first."""

from __future__ import annotations

from datetime import timedelta

from queue_server.domain.events import CounterChanged, DayStarted, TicketChanged
from queue_server.services import counters, tickets
from queue_server.services.counters import CounterRef
from queue_server.services.days import seconds_to_next_day, start_new_days
from tests.services.conftest import clerk_principal

C1, C3 = CounterRef("TST", 1), CounterRef("TST", 3)
HOURS_TO_MIDNIGHT = 15  # the clock starts at 09:00 in Nairobi


def states(clerk, deps) -> dict[int, str]:
    return {c["number"]: c["state"] for c in counters.list_counters(clerk, "TST", uow=deps["uow"])}


def test_the_first_sweep_records_the_day_and_changes_nothing(kiosk, clerk, deps, notifier):
    counters.open_counter(clerk, C1, **deps)
    notifier.events.clear()
    assert start_new_days(**deps) == []
    assert start_new_days(**deps) == []
    assert notifier.events == []
    assert states(clerk, deps)[1] == "open"


def test_at_midnight_counters_close_and_every_screen_hears_of_the_new_day(
    kiosk, auth, clerk, deps, clock, notifier
):
    start_new_days(**deps)
    tickets.issue_ticket(kiosk, "TST", "BC", **deps)
    waiting = tickets.issue_ticket(kiosk, "TST", "BC", **deps)
    counters.open_counter(clerk, C1, **deps)
    called = counters.call_next(clerk, C1, **deps)["ticket"]
    other = clerk_principal(auth, "clerk3")
    counters.open_counter(other, C3, **deps)
    counters.pause(other, C3, **deps)
    clock.advance(timedelta(hours=HOURS_TO_MIDNIGHT, seconds=1).total_seconds())
    notifier.events.clear()

    assert set(start_new_days(**deps)) == {"TST", "OTH"}
    assert set(states(clerk, deps).values()) == {"closed"}
    told = {
        (e.counter, e.state, e.ticket_number)
        for e in notifier.of(CounterChanged)
        if e.centre == "TST"
    }
    assert told == {(n, "closed", None) for n in (1, 2, 3, 4, 5)}
    expired = {(e.ticket_id, e.status) for e in notifier.of(TicketChanged)}
    assert expired == {(called["id"], "expired"), (waiting["id"], "expired")}
    [day] = [e for e in notifier.of(DayStarted) if e.centre == "TST"]
    assert day.snapshot == tickets.hall_snapshot("TST", uow=deps["uow"], clock=clock)
    assert day.snapshot["recent"] == [] and day.snapshot["now_serving"] == []
    assert set(day.snapshot["waiting"].values()) == {0}

    notifier.events.clear()
    assert start_new_days(**deps) == []  # started once: another process finds nothing to do
    assert notifier.events == []


def test_a_counter_already_serving_the_new_day_stays_open(kiosk, clerk, deps, clock, notifier):
    start_new_days(**deps)
    counters.open_counter(clerk, C1, **deps)
    clock.advance(timedelta(hours=HOURS_TO_MIDNIGHT, seconds=1).total_seconds())
    early = tickets.issue_ticket(kiosk, "TST", "BC", **deps)  # before the sweep came by
    counters.call_next(clerk, C1, **deps)
    notifier.events.clear()

    assert "TST" in start_new_days(**deps)
    assert states(clerk, deps)[1] == "open"
    told = {
        e.counter: (e.state, e.ticket_number)
        for e in notifier.of(CounterChanged)
        if e.centre == "TST"
    }
    assert told[1] == ("open", early["number"])
    [day] = [e for e in notifier.of(DayStarted) if e.centre == "TST"]
    assert day.snapshot["recent"][0]["number"] == early["number"]


def test_closing_for_the_night_loses_to_a_clerk_who_acted_since_it_read(clerk, deps):
    counters.open_counter(clerk, C1, **deps)
    with deps["uow"](write=False) as unit:
        read = unit.repo.counter(unit.repo.centre("TST"), 1)
    counters.pause(clerk, C1, **deps)  # the clerk moves the counter on meanwhile
    with deps["uow"]() as unit:
        assert unit.repo.close_for_the_night(read) is False
        unit.commit()
    assert states(clerk, deps)[1] == "paused"
    with deps["uow"]() as unit:
        assert unit.repo.close_for_the_night(unit.repo.counter(unit.repo.centre("TST"), 1))
        unit.commit()
    assert states(clerk, deps)[1] == "closed"


def test_the_sweep_knows_how_long_until_the_next_local_midnight(deps, clock):
    assert seconds_to_next_day(uow=deps["uow"], clock=clock) == HOURS_TO_MIDNIGHT * 3600
    clock.advance(HOURS_TO_MIDNIGHT * 3600 - 1)
    assert seconds_to_next_day(uow=deps["uow"], clock=clock) == 1
