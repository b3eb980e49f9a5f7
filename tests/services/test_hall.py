"""The hall snapshot's `recent`: the day's last calls, newest first, finished or not."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from queue_server.services import counters, tickets
from queue_server.services.counters import CounterRef
from tests.services.conftest import clerk_principal

C1, C3 = CounterRef("TST", 1), CounterRef("TST", 3)


def issue(kiosk, deps, service="BC"):
    return tickets.issue_ticket(kiosk, "TST", service, **deps)


def recent(deps) -> list[tuple[str, int]]:
    snapshot = tickets.hall_snapshot("TST", uow=deps["uow"], clock=deps["clock"])
    return [(call["number"], call["counter"]) for call in snapshot["recent"]]


def test_recent_lists_finished_calls_newest_first_with_their_time(kiosk, clerk, deps, clock):
    for _ in range(3):
        issue(kiosk, deps)
    counters.open_counter(clerk, C1, **deps)
    for _ in range(3):
        clock.advance(60)
        counters.call_next(clerk, C1, **deps)  # finishes the one before as done
    snapshot = tickets.hall_snapshot("TST", uow=deps["uow"], clock=clock)
    assert recent(deps) == [("B003", 1), ("B002", 1), ("B001", 1)]
    assert snapshot["recent"][0] == {
        "number": "B003",
        "counter": 1,
        "service": "BC",
        "called_at": clock().astimezone(ZoneInfo("Africa/Nairobi")).isoformat(timespec="seconds"),
    }
    assert [t["number"] for t in snapshot["now_serving"]] == ["B003"]


def test_recent_holds_the_last_eight_and_a_recall_comes_first(kiosk, auth, clerk, deps, clock):
    for _ in range(10):
        issue(kiosk, deps)
    other = clerk_principal(auth, "clerk3")
    counters.open_counter(clerk, C1, **deps)
    counters.open_counter(other, C3, **deps)
    clock.advance(10)
    counters.call_next(other, C3, **deps)  # B001 stays at counter 3
    for _ in range(9):
        clock.advance(10)
        counters.call_next(clerk, C1, **deps)
    assert recent(deps) == [(f"B{n:03}", 1) for n in range(10, 2, -1)]
    clock.advance(10)
    counters.recall(other, C3, **deps)
    assert recent(deps) == [("B001", 3)] + [(f"B{n:03}", 1) for n in range(10, 3, -1)]


def test_a_transferred_ticket_called_again_is_listed_once_at_its_new_counter(
    kiosk, auth, clerk, deps, clock
):
    issue(kiosk, deps, "ID")
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    clock.advance(30)
    counters.transfer(clerk, C1, "BC", **deps)
    other = clerk_principal(auth, "clerk3")
    counters.open_counter(other, C3, **deps)
    clock.advance(30)
    counters.call_next(other, C3, **deps)
    assert recent(deps) == [("A001", 3)]


def test_recent_is_of_the_local_day_only(kiosk, clerk, deps, clock):
    issue(kiosk, deps)
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    counters.complete(clerk, C1, **deps)
    assert recent(deps) == [("B001", 1)]
    clock.advance(timedelta(days=1).total_seconds())
    assert recent(deps) == []
    assert tickets.hall_snapshot("OTH", uow=deps["uow"], clock=clock)["recent"] == []
