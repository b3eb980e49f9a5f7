"""Guarded counter actions: the ticket the clerk sees, lost races, and two screens racing."""

from __future__ import annotations

import pytest

from queue_server.domain.errors import DomainError, InvalidState
from queue_server.services import counters, tickets
from queue_server.services.counters import CounterRef
from tests.services.conftest import Recorder
from tests.support.races import race_two_screens, twice

C1, C5 = CounterRef("TST", 1), CounterRef("TST", 5)


def status_of(deps, ticket: dict) -> str:
    return tickets.get_ticket(ticket["id"], uow=deps["uow"], clock=deps["clock"])["status"]


def test_an_action_on_a_ticket_the_screen_no_longer_shows_changes_nothing(kiosk, clerk, deps):
    a, b, c = (tickets.issue_ticket(kiosk, "TST", "ID", **deps) for _ in range(3))
    counters.open_counter(clerk, C1, **deps)
    assert counters.call_next(clerk, C1, seen=None, **deps)["ticket"]["number"] == "A001"
    assert counters.call_next(clerk, C1, seen="A001", **deps)["ticket"]["number"] == "A002"
    # A second screen still showing A001: every action on it is refused, nothing moves.
    for action in (counters.call_next, counters.complete, counters.recall, counters.no_show):
        with pytest.raises(InvalidState):
            action(clerk, C1, seen="A001", **deps)
    with pytest.raises(InvalidState):
        counters.transfer(clerk, C1, "KRA", seen="A001", **deps)
    assert [status_of(deps, t) for t in (a, b, c)] == ["done", "called", "waiting"]
    assert counters.start(clerk, C1, seen="A002", **deps)["ticket"]["status"] == "serving"
    assert counters.complete(clerk, C1, seen="A002", **deps)["ticket"]["status"] == "done"
    with pytest.raises(InvalidState):  # the screen shows A002, the counter holds nothing
        counters.complete(clerk, C1, seen="A002", **deps)
    assert counters.call_next(clerk, C1, seen="A002", **deps)["ticket"]["id"] == c["id"]


def test_a_transfer_keeps_the_first_call_and_times_only_the_new_counter(kiosk, clerk, deps, clock):
    issued = tickets.issue_ticket(kiosk, "TST", "ID", **deps)
    counters.open_counter(clerk, C1, **deps)
    first = counters.call_next(clerk, C1, **deps)["ticket"]["called_at"]
    clock.advance(300)
    moved = counters.transfer(clerk, C1, "KRA", seen="A001", **deps)["ticket"]
    assert (moved["status"], moved["called_at"], moved["counter"]) == ("waiting", first, None)
    counters.open_counter(clerk, C5, **deps)
    clock.advance(600)
    again = counters.call_next(clerk, C5, **deps)["ticket"]
    assert (again["id"], again["called_at"], again["counter"]) == (issued["id"], first, 5)
    clock.advance(120)
    counters.complete(clerk, C5, **deps)
    with deps["uow"](write=False) as unit:
        served = unit.repo.recent_durations([s.id for s in unit.repo.centre("TST").services], 5)
    assert sorted(d for ds in served.values() for d in ds) == [120.0, 300.0]


def _screen(clerk, ref, deps):
    """A clerk's screen at the use-case level: actions answer as the Socket.IO acks do."""

    def act(action: str, payload: dict) -> dict:
        try:
            use_case = getattr(counters, action)
            return {"ok": True, **use_case(clerk, ref, seen=payload.get("ticket"), **deps)}
        except DomainError as error:
            return {"ok": False, "error": {"code": error.code, "message": error.message}}

    def shown() -> str | None:
        listed = counters.list_counters(clerk, ref.centre, uow=deps["uow"])
        ticket = next(c for c in listed if c["number"] == ref.number)["ticket"]
        return ticket["number"] if ticket else None

    return act, shown


def test_two_screens_of_one_counter_never_call_or_finish_a_ticket_twice(kiosk, clerk, deps):
    deps = {**deps, "notifier": Recorder()}
    for _ in range(150):
        tickets.issue_ticket(kiosk, "TST", "ID", **deps)
    counters.open_counter(clerk, C1, **deps)
    screens = [_screen(clerk, C1, deps), _screen(clerk, C1, deps)]
    calls, unexpected = race_two_screens(screens, rounds=200)
    assert not unexpected
    assert calls >= 50 and twice(deps["uow"].engine) == []
