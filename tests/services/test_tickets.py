"""Issuing tickets: numbering, idempotency, rights, estimates, day rollover."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect

from queue_server.adapters.orm import Ticket
from queue_server.domain.errors import Forbidden, InvalidState, InvalidValue, NotFound
from queue_server.domain.events import TicketChanged
from queue_server.services import counters, tickets
from queue_server.services.counters import CounterRef
from tests.services.conftest import MORNING, shown, told


def issue(kiosk, deps, service="ID", **kw):
    return tickets.issue_ticket(kiosk, "TST", service, **kw, **deps)


def test_numbers_count_per_service_from_001(kiosk, deps):
    numbers = [issue(kiosk, deps, s)["number"] for s in ["ID", "ID", "BC", "ID", "BC"]]
    assert numbers == ["A001", "A002", "B001", "A003", "B002"]


def test_a_new_ticket_is_waiting_with_its_place_and_estimate(kiosk, deps):
    first = issue(kiosk, deps)
    second = issue(kiosk, deps, "BC")
    assert (first["status"], first["position"], first["ahead"]) == ("waiting", 1, 0)
    # BC shares counters 1, 2 and 4 with ID, so the ID ticket is ahead of it.
    assert (second["position"], second["ahead"]) == (2, 1)
    # No counter is open yet; the four that serve BC are assumed to open and call both at once.
    assert second["estimated_wait_s"] == 0
    assert first["issued_at"].endswith("+03:00") and first["called_at"] is None
    public = {key: value for key, value in second.items() if key != "priority"}
    assert (
        tickets.get_ticket(second["id"], uow=deps["uow"], clock=deps["clock"]) == public
    )  # no priority: public


def test_the_same_idempotency_key_gives_the_same_ticket(kiosk, deps):
    first = issue(kiosk, deps, idempotency_key="tap-1")
    again = issue(kiosk, deps, idempotency_key="tap-1")
    other = issue(kiosk, deps, idempotency_key="tap-2")
    assert again["id"] == first["id"] and again["number"] == "A001"
    assert other["number"] == "A002"
    with pytest.raises(InvalidState) as info:
        issue(kiosk, deps, "BC", idempotency_key="tap-1")
    assert info.value.code == "idempotency_key_reused"


def test_bad_requests_change_nothing(kiosk, deps):
    for bad in [
        {"service": "NOPE"},
        {"service": "ID", "priority": "vip"},
        {"service": "ID", "language": "fr"},
        {"service": "ID", "phone": "12"},
        {"service": "OLD"},
    ]:
        with pytest.raises((NotFound, InvalidValue, InvalidState)):
            issue(
                kiosk,
                deps,
                **{k: v for k, v in bad.items() if k != "service"},
                service=bad["service"],
            )
    assert issue(kiosk, deps)["number"] == "A001"


def test_a_closed_service_says_so(kiosk, deps):
    with pytest.raises(InvalidState) as info:
        issue(kiosk, deps, "OLD")
    assert info.value.code == "service_closed"


def test_kiosks_issue_only_for_their_own_centre(auth, deps):
    other_kiosk = auth.principal("other-kiosk-token-0123456789")
    with pytest.raises(Forbidden):
        tickets.issue_ticket(other_kiosk, "TST", "ID", **deps)
    display = auth.principal("display-token-0123456789")
    with pytest.raises(Forbidden):
        tickets.issue_ticket(display, "TST", "ID", **deps)
    assert tickets.issue_ticket(other_kiosk, "OTH", "ID", **deps)["number"] == "A001"


def test_staff_may_issue_in_their_centres(clerk, deps):
    assert tickets.issue_ticket(clerk, "TST", "KRA", **deps)["number"] == "K001"
    with pytest.raises(Forbidden):
        tickets.issue_ticket(clerk, "OTH", "ID", **deps)


def test_phone_numbers_are_kept_in_e164_with_the_consent_time(kiosk, deps):
    view = issue(kiosk, deps, phone="0712 345 678")
    with deps["uow"](write=False) as unit:
        ticket = unit.repo.ticket(view["id"])
        assert ticket.phone == "+254712345678"
        assert ticket.phone_consent_at == deps["clock"]()
    assert "phone" not in view


def test_issuing_tells_screens_of_exactly_the_queues_it_moved(kiosk, deps, notifier):
    before = shown(deps)
    issue(kiosk, deps, "KRA")
    after = shown(deps)
    assert after["KRA"][0] == 1
    assert told(notifier) == {code: after[code] for code in after if after[code] != before[code]}


def test_services_list_their_waiting_counts_and_estimates(kiosk, deps):
    for _ in range(3):
        issue(kiosk, deps, "KRA")
    listed = {
        s["code"]: s for s in tickets.list_services("TST", uow=deps["uow"], clock=deps["clock"])
    }
    assert listed["KRA"]["waiting"] == 3
    assert listed["KRA"]["category"] == {"en": "Kenya Revenue Authority", "sw": "Mamlaka ya Ushuru"}
    assert listed["BC"]["category"] == {"en": "Civil Registration", "sw": "Civil Registration"}
    assert listed["OLD"]["open"] is False
    # 3 KRA tickets ahead, 120 s each, 2 counters (4 and 5) not yet open, assumed to open:
    # two are called at once and the third with a new ticket 120 s later.
    assert listed["KRA"]["estimated_wait_s"] == 120


def test_unknown_centre_and_ticket_are_not_found(kiosk, deps):
    with pytest.raises(NotFound):
        tickets.list_services("NOPE", uow=deps["uow"], clock=deps["clock"])
    with pytest.raises(NotFound):
        tickets.get_ticket("no-such-ticket", uow=deps["uow"], clock=deps["clock"])


def test_at_the_end_of_the_local_day_open_tickets_expire_and_numbering_restarts(
    kiosk, clerk, deps, clock, notifier
):
    clock.now = clock.now.replace(hour=20, minute=50)  # 23:50 in Nairobi
    issue(kiosk, deps)
    waiting = issue(kiosk, deps)
    counters.open_counter(clerk, CounterRef("TST", 1), **deps)
    called = counters.call_next(clerk, CounterRef("TST", 1), **deps)["ticket"]
    clock.advance(15 * 60)  # 00:05 the next day
    assert issue(kiosk, deps)["number"] == "A001"
    tickets.close_past_days(**deps)  # the sweep expires them, not the issue
    assert (
        tickets.get_ticket(waiting["id"], uow=deps["uow"], clock=deps["clock"])["status"]
        == "expired"
    )
    assert (
        tickets.get_ticket(called["id"], uow=deps["uow"], clock=deps["clock"])["status"]
        == "expired"
    )
    assert {e.ticket_id for e in notifier.of(TicketChanged) if e.status == "expired"} >= {
        waiting["id"]
    }
    # Yesterday's numbers are kept in the history, not reused.
    assert (
        tickets.get_ticket(waiting["id"], uow=deps["uow"], clock=deps["clock"])["number"] == "A002"
    )


def test_the_sweep_expires_past_days_and_forgets_old_phone_numbers(kiosk, clerk, deps, clock):
    view = issue(kiosk, deps, phone="0712345678")
    counters.open_counter(clerk, CounterRef("TST", 1), **deps)
    counters.call_next(clerk, CounterRef("TST", 1), **deps)
    counters.complete(clerk, CounterRef("TST", 1), **deps)
    left_open = issue(kiosk, deps)
    clock.advance(timedelta(days=31).total_seconds())
    assert tickets.close_past_days(**deps) == 1
    assert (
        tickets.get_ticket(left_open["id"], uow=deps["uow"], clock=deps["clock"])["status"]
        == "expired"
    )
    with deps["uow"](write=False) as unit:
        assert unit.repo.ticket(view["id"]).phone is None


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(["ID", "BC", "KRA"]), min_size=1, max_size=25))
def test_numbers_have_no_duplicate_and_no_gap(kiosk, deps, clock, services):
    clock.advance(24 * 3600)  # every example on a fresh local day
    issued = [issue(kiosk, deps, s) for s in services]
    for service in set(services):
        sequences = [int(t["number"][1:]) for t in issued if t["service"] == service]
        assert sequences == list(range(1, len(sequences) + 1))


def test_a_ticket_stored_with_one_insert_holds_every_column_as_stored(deps):
    """The issuing path stores a ticket without the ORM's flush and never reads it back: the
    object must hold every column, its defaults included, exactly as the row has them."""
    columns = [c.key for c in inspect(Ticket).columns]
    with deps["uow"]() as unit:
        service = unit.repo.service_at("TST", "ID")
        ticket = Ticket(
            public_id="whole-ticket",
            centre_id=service.centre_id,
            service_id=service.id,
            issued_service_id=service.id,
            day=MORNING.date(),
            sequence=1,
            number="A001",
            status="waiting",
            issued_at=MORNING,
            rank_at=MORNING,
        )  # priority, language, fees and the sync mark left to their defaults
        unit.repo.insert_ticket(ticket)
        assert not set(columns) & inspect(ticket).unloaded
        held = {key: getattr(ticket, key) for key in columns}
        unit.commit()
    assert (held["priority"], held["language"], held["paid_by"]) == ("none", "en", "citizen")
    with deps["uow"](write=False) as unit:
        stored = unit.repo.ticket("whole-ticket")
        assert {key: getattr(stored, key) for key in columns} == held
