"""The ticket and counter transition tables, exhaustively."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from queue_server.domain.errors import InvalidState, InvalidValue
from queue_server.domain.model import (
    COUNTER_TRANSITIONS,
    OPEN_STATUSES,
    TICKET_TRANSITIONS,
    CounterAction,
    CounterState,
    Priority,
    TicketAction,
    TicketStatus,
    counter_next_state,
    parse_priority,
    require_calling,
    require_seen,
    require_transfer,
    ticket_changes,
    ticket_next_status,
    time_at_counter,
)

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
EXPECTED = {
    ("waiting", "call"): "called",
    ("waiting", "cancel"): "cancelled",
    ("waiting", "expire"): "expired",
    ("called", "recall"): "called",
    ("called", "start"): "serving",
    ("called", "complete"): "done",
    ("called", "no_show"): "no_show",
    ("called", "transfer"): "waiting",
    ("called", "cancel"): "cancelled",
    ("called", "expire"): "expired",
    ("serving", "complete"): "done",
    ("serving", "transfer"): "waiting",
    ("serving", "expire"): "expired",
}


def make_ticket(status: str = "waiting", number: str = "A001") -> SimpleNamespace:
    return SimpleNamespace(
        number=number,
        status=status,
        called_at=None,
        counter_called_at=None,
        started_at=None,
        finished_at=None,
        counter_id=None,
    )


@pytest.mark.parametrize("status", list(TicketStatus))
@pytest.mark.parametrize("action", list(TicketAction))
def test_every_status_and_action_is_allowed_only_as_the_table_says(status, action):
    expected = EXPECTED.get((status.value, action.value))
    if expected is None:
        with pytest.raises(InvalidState) as info:
            ticket_next_status(status, action)
        assert info.value.code == "invalid_state"
    else:
        assert ticket_next_status(status, action) == expected


def test_the_table_is_the_one_described():
    assert {(s.value, a.value): t.value for (s, a), t in TICKET_TRANSITIONS.items()} == EXPECTED


def test_finished_tickets_accept_nothing():
    for status in set(TicketStatus) - OPEN_STATUSES:
        assert not [a for (s, a) in TICKET_TRANSITIONS if s == status]


def moved(ticket: SimpleNamespace, action: TicketAction, now: datetime) -> SimpleNamespace:
    """The ticket after `action`, as a guarded update would leave it."""
    return SimpleNamespace(**{**vars(ticket), **ticket_changes(ticket, action, now)})


def test_call_start_and_complete_stamp_their_times():
    ticket = moved(make_ticket(), TicketAction.CALL, NOW)
    assert (ticket.status, ticket.called_at, ticket.counter_called_at) == ("called", NOW, NOW)
    later = NOW.replace(minute=5)
    ticket = moved(ticket, TicketAction.START, later)
    assert (ticket.status, ticket.started_at) == ("serving", later)
    done = moved(ticket, TicketAction.COMPLETE, later.replace(minute=9))
    assert (done.status, done.finished_at) == ("done", later.replace(minute=9))
    assert time_at_counter(ticket, later.replace(minute=9)) == 540


def test_transfer_keeps_the_first_call_and_leaves_the_counter():
    ticket = make_ticket("serving")
    ticket.called_at = ticket.counter_called_at = ticket.started_at = NOW
    ticket.counter_id = 3
    later = NOW.replace(minute=20)
    sent = moved(ticket, TicketAction.TRANSFER, later)
    assert (sent.status, sent.called_at, sent.started_at, sent.finished_at) == (
        "waiting",
        NOW,
        None,
        None,
    )
    assert (sent.counter_id, sent.counter_called_at) == (None, None)
    again = moved(sent, TicketAction.CALL, later.replace(minute=30))
    assert (again.called_at, again.counter_called_at) == (NOW, later.replace(minute=30))
    assert time_at_counter(again, later.replace(minute=34)) == 240  # not since the first call


def test_an_invalid_action_changes_nothing():
    with pytest.raises(InvalidState):
        ticket_changes(make_ticket("done"), TicketAction.CALL, NOW)


@pytest.mark.parametrize(
    ("holds", "seen", "calling", "allowed"),
    [
        ("A004", None, False, True),  # the screen did not say: the present ticket
        ("A004", "A004", False, True),
        ("A004", "A003", False, False),  # the screen was behind: another screen moved on
        (None, "A004", False, False),
        (None, "A004", True, True),  # a counter holding nothing calls the next
        ("A005", "A004", True, False),  # never finish a ticket the clerk did not see
    ],
)
def test_an_action_applies_only_to_the_ticket_the_clerk_sees(holds, seen, calling, allowed):
    current = None if holds is None else make_ticket("called", number=holds)
    if allowed:
        require_seen(current, seen, calling=calling)
    else:
        with pytest.raises(InvalidState):
            require_seen(current, seen, calling=calling)


def test_a_transfer_goes_to_another_service():
    require_transfer("ID", "KRA")
    with pytest.raises(InvalidValue):
        require_transfer("ID", "ID")


def test_only_an_open_counter_calls():
    require_calling("open", 1)
    for state in ("paused", "closed"):
        with pytest.raises(InvalidState):
            require_calling(state, 1)


def test_unknown_status_is_invalid_state():
    with pytest.raises(InvalidState):
        ticket_next_status("lost", TicketAction.CALL)


COUNTER_EXPECTED = {
    ("closed", "open"): "open",
    ("open", "open"): "open",
    ("paused", "open"): "paused",
    ("open", "pause"): "paused",
    ("paused", "resume"): "open",
    ("open", "close"): "closed",
    ("paused", "close"): "closed",
}


@pytest.mark.parametrize("state", list(CounterState))
@pytest.mark.parametrize("action", list(CounterAction))
def test_counter_transitions(state, action):
    expected = COUNTER_EXPECTED.get((state.value, action.value))
    if expected is None:
        with pytest.raises(InvalidState):
            counter_next_state(state, action, holds_ticket=False)
    else:
        assert counter_next_state(state, action, holds_ticket=False) == expected
    assert len(COUNTER_TRANSITIONS) == len(COUNTER_EXPECTED)


def test_a_counter_holding_a_ticket_cannot_close_but_can_pause():
    with pytest.raises(InvalidState):
        counter_next_state("open", CounterAction.CLOSE, holds_ticket=True)
    assert counter_next_state("open", CounterAction.PAUSE, holds_ticket=True) == "paused"


def test_priorities_parse_by_their_contract_names():
    assert [parse_priority(p.value) for p in Priority] == list(Priority)
    with pytest.raises(InvalidValue):
        parse_priority("vip")
