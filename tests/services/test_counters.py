"""A clerk at a counter: the call order, each action, its events, and races between counters."""

from __future__ import annotations

import threading

import pytest

from queue_server.domain.errors import Forbidden, InvalidState, InvalidValue, NotFound, QueueEmpty
from queue_server.domain.events import CounterChanged, QueueChanged, TicketCalled
from queue_server.services import counters, tickets
from queue_server.services.counters import CounterRef
from tests.services.conftest import clerk_principal, shown, told

C1, C3, C5 = CounterRef("TST", 1), CounterRef("TST", 3), CounterRef("TST", 5)


def issue(kiosk, deps, service="ID", **kw):
    return tickets.issue_ticket(kiosk, "TST", service, **kw, **deps)


def opened(clerk, deps, ref=C1):
    counters.open_counter(clerk, ref, **deps)
    return ref


def test_opening_a_counter_shows_its_services_and_state(clerk, deps):
    result = counters.open_counter(clerk, C1, **deps)
    assert result["counter"] == {
        "number": 1,
        "services": ["ID", "BC"],
        "state": "open",
        "ticket": None,
    }


def test_call_next_takes_the_earliest_rank_across_the_counters_services(kiosk, clerk, deps, clock):
    first = issue(kiosk, deps, "BC")
    clock.advance(60)
    issue(kiosk, deps, "ID")
    clock.advance(60)
    elderly = issue(kiosk, deps, "ID", priority="elderly")
    ref = opened(clerk, deps)
    called = [counters.call_next(clerk, ref, **deps)["ticket"]["number"] for _ in range(3)]
    assert called == [elderly["number"], first["number"], "A001"]


def test_a_priority_ticket_passes_only_tickets_within_the_bonus(kiosk, clerk, deps, clock):
    old = issue(kiosk, deps)
    clock.advance(901)  # just beyond the 900 s bonus
    issue(kiosk, deps, priority="disability")
    ref = opened(clerk, deps)
    assert counters.call_next(clerk, ref, **deps)["ticket"]["id"] == old["id"]


def test_call_next_finishes_the_current_ticket_as_done(kiosk, clerk, deps, notifier):
    a, b = issue(kiosk, deps), issue(kiosk, deps)
    ref = opened(clerk, deps)
    counters.call_next(clerk, ref, **deps)
    second = counters.call_next(clerk, ref, **deps)["ticket"]
    assert second["id"] == b["id"] and second["status"] == "called" and second["counter"] == 1
    assert tickets.get_ticket(a["id"], uow=deps["uow"], clock=deps["clock"])["status"] == "done"
    calls = notifier.of(TicketCalled)
    assert [(c.number, c.counter, c.recall) for c in calls] == [
        ("A001", 1, False),
        ("A002", 1, False),
    ]
    assert calls[0].called_at.isoformat().endswith("+03:00")


def test_an_empty_queue_is_an_error_that_changes_nothing(kiosk, clerk, deps):
    issue(kiosk, deps)
    ref = opened(clerk, deps)
    current = counters.call_next(clerk, ref, **deps)["ticket"]
    with pytest.raises(QueueEmpty) as info:
        counters.call_next(clerk, ref, **deps)
    assert info.value.code == "queue_empty"
    assert (
        tickets.get_ticket(current["id"], uow=deps["uow"], clock=deps["clock"])["status"]
        == "called"
    )


def test_recall_announces_again_and_start_complete_follow(kiosk, clerk, deps, notifier, clock):
    issue(kiosk, deps)
    ref = opened(clerk, deps)
    counters.call_next(clerk, ref, **deps)
    clock.advance(30)
    counters.recall(clerk, ref, **deps)
    assert [c.recall for c in notifier.of(TicketCalled)] == [False, True]
    assert counters.start(clerk, ref, **deps)["ticket"]["status"] == "serving"
    with pytest.raises(InvalidState):
        counters.recall(clerk, ref, **deps)  # the citizen is already at the counter
    with pytest.raises(InvalidState):
        counters.no_show(clerk, ref, **deps)
    assert counters.complete(clerk, ref, **deps)["ticket"]["status"] == "done"
    with pytest.raises(InvalidState):
        counters.complete(clerk, ref, **deps)


def test_no_show_marks_a_called_ticket_absent(kiosk, clerk, deps):
    issue(kiosk, deps)
    ref = opened(clerk, deps)
    counters.call_next(clerk, ref, **deps)
    assert counters.no_show(clerk, ref, **deps)["ticket"]["status"] == "no_show"
    assert counters.open_counter(clerk, ref, **deps)["counter"]["ticket"] is None


def test_transfer_keeps_the_number_and_the_rank(kiosk, clerk, deps, clock):
    moved = issue(kiosk, deps, "ID")
    clock.advance(120)
    later_kra = issue(kiosk, deps, "KRA")
    ref = opened(clerk, deps)
    counters.call_next(clerk, ref, **deps)
    counters.start(clerk, ref, **deps)
    result = counters.transfer(clerk, ref, "KRA", **deps)["ticket"]
    assert (result["number"], result["service"], result["status"]) == ("A001", "KRA", "waiting")
    assert (result["position"], result["counter"]) == (1, None)
    other = opened(clerk, deps, C5)
    assert counters.call_next(clerk, other, **deps)["ticket"]["id"] == moved["id"]
    assert counters.call_next(clerk, other, **deps)["ticket"]["id"] == later_kra["id"]


def test_transfer_needs_another_open_service(kiosk, clerk, deps):
    issue(kiosk, deps)
    ref = opened(clerk, deps)
    counters.call_next(clerk, ref, **deps)
    with pytest.raises(InvalidValue):
        counters.transfer(clerk, ref, "ID", **deps)
    with pytest.raises(NotFound):
        counters.transfer(clerk, ref, "NOPE", **deps)
    with pytest.raises(InvalidState):
        counters.transfer(clerk, ref, "OLD", **deps)
    assert counters.open_counter(clerk, ref, **deps)["counter"]["ticket"]["status"] == "called"


def test_paused_counters_call_no_one_and_closing_needs_an_empty_hand(kiosk, clerk, deps, notifier):
    issue(kiosk, deps)
    ref = opened(clerk, deps)
    assert counters.pause(clerk, ref, **deps)["counter"]["state"] == "paused"
    with pytest.raises(InvalidState):
        counters.call_next(clerk, ref, **deps)
    with pytest.raises(InvalidState):
        counters.pause(clerk, ref, **deps)
    assert counters.open_counter(clerk, ref, **deps)["counter"]["state"] == "paused"
    counters.resume(clerk, ref, **deps)
    counters.call_next(clerk, ref, **deps)
    with pytest.raises(InvalidState):
        counters.close(clerk, ref, **deps)
    counters.complete(clerk, ref, **deps)
    assert counters.close(clerk, ref, **deps)["counter"]["state"] == "closed"
    states = [e.state for e in notifier.of(CounterChanged)]
    assert states[:3] == ["open", "paused", "paused"] and states[-1] == "closed"
    assert notifier.of(QueueChanged)


@pytest.mark.parametrize("action", ["call_next", "transfer", "pause", "resume"])
def test_counter_actions_tell_screens_of_exactly_the_queues_they_moved(
    kiosk, clerk, deps, notifier, action
):
    for service in ("ID", "BC", "ID", "KRA", "BC", "ID"):
        issue(kiosk, deps, service)
    ref = opened(clerk, deps, CounterRef("TST", 4))  # ID, BC and KRA
    counters.call_next(clerk, ref, **deps)
    if action == "resume":
        counters.complete(clerk, ref, **deps)
        counters.pause(clerk, ref, **deps)
    before = shown(deps)
    notifier.events.clear()
    if action == "transfer":
        counters.transfer(clerk, ref, "KRA", **deps)
    else:
        getattr(counters, action)(clerk, ref, **deps)
    after = shown(deps)
    moved = {code: after[code] for code in after if after[code] != before[code]}
    assert moved and told(notifier) == moved


def test_actions_need_a_current_ticket(clerk, deps):
    ref = opened(clerk, deps)
    for action in (counters.recall, counters.start, counters.complete, counters.no_show):
        with pytest.raises(InvalidState):
            action(clerk, ref, **deps)


def test_clerks_act_only_in_their_centres_and_devices_not_at_all(auth, kiosk, clerk, deps):
    outsider = clerk_principal(auth, "outsider")
    with pytest.raises(Forbidden):
        counters.open_counter(outsider, C1, **deps)
    with pytest.raises(Forbidden):
        counters.open_counter(kiosk, C1, **deps)
    with pytest.raises(NotFound):
        counters.open_counter(clerk, CounterRef("TST", 99), **deps)
    admin = clerk_principal(auth, "boss")
    assert counters.open_counter(admin, CounterRef("OTH", 1), **deps)["counter"]["state"] == "open"


def test_estimates_learn_from_recent_service_times(kiosk, clerk, deps, clock):
    ref = opened(clerk, deps, C5)
    for _ in range(3):
        issue(kiosk, deps, "KRA")
    for _ in range(3):
        counters.call_next(clerk, ref, **deps)
        clock.advance(600)
    counters.complete(clerk, ref, **deps)
    waiting = issue(kiosk, deps, "KRA")
    issue(kiosk, deps, "KRA")
    latest = issue(kiosk, deps, "KRA")
    # Counter 5 is the only one open for KRA; visits took 600 s, not the configured 120 s.
    # It holds no ticket, so it calls at once, then every 600 s.
    assert (latest["ahead"], latest["estimated_wait_s"]) == (2, 1200)
    assert waiting["estimated_wait_s"] == 0  # alone in the queue of a free counter


def test_two_counters_racing_never_get_the_same_ticket(kiosk, auth, deps):
    for _ in range(40):
        issue(kiosk, deps, "BC")
    refs = [CounterRef("TST", n) for n in (1, 2, 3, 4)]
    clerks = [clerk_principal(auth, f"clerk{i}") for i in (1, 2, 3, 4)]
    for clerk, ref in zip(clerks, refs, strict=True):
        counters.open_counter(clerk, ref, **deps)
    called: list[str] = []
    errors: list[Exception] = []

    def work(clerk, ref):
        while True:
            try:
                called.append(counters.call_next(clerk, ref, **deps)["ticket"]["id"])
            except QueueEmpty:
                return
            except InvalidState as exc:  # a lost race is reported, and the clerk retries
                errors.append(exc)

    threads = [threading.Thread(target=work, args=pair) for pair in zip(clerks, refs, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(called) == 40 and len(set(called)) == 40


def test_a_counters_queues_show_counts_estimates_and_the_longest_wait(kiosk, clerk, deps, clock):
    issue(kiosk, deps, "BC")
    clock.advance(300)
    issue(kiosk, deps, "BC", priority="elderly")
    clock.advance(60)
    queues = counters.counter_queues(clerk, C3, uow=deps["uow"], clock=clock)
    assert queues == [
        {
            "service": "BC",
            "waiting": 2,
            "estimated_wait_s": queues[0]["estimated_wait_s"],
            "longest_wait_s": 360,
        }
    ]
    empty = counters.counter_queues(clerk, C5, uow=deps["uow"], clock=clock)
    assert empty[0]["waiting"] == 0 and empty[0]["longest_wait_s"] == 0
    listed = counters.list_counters(clerk, "TST", uow=deps["uow"])
    assert [c["number"] for c in listed] == [1, 2, 3, 4, 5]
    with pytest.raises(Forbidden):
        counters.list_counters(kiosk, "TST", uow=deps["uow"])
