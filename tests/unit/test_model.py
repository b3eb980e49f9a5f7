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
    apply_ticket_action,
    counter_next_state,
    parse_priority,
    ticket_next_status,
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


def make_ticket(status: str = "waiting") -> SimpleNamespace:
    return SimpleNamespace(status=status, called_at=None, started_at=None, finished_at=None)


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


def test_call_start_and_complete_stamp_their_times():
    ticket = make_ticket()
    apply_ticket_action(ticket, TicketAction.CALL, NOW)
    assert (ticket.status, ticket.called_at, ticket.finished_at) == ("called", NOW, None)
    later = NOW.replace(minute=5)
    apply_ticket_action(ticket, TicketAction.START, later)
    assert (ticket.status, ticket.started_at) == ("serving", later)
    apply_ticket_action(ticket, TicketAction.COMPLETE, later.replace(minute=9))
    assert (ticket.status, ticket.finished_at) == ("done", later.replace(minute=9))


def test_transfer_returns_the_ticket_to_waiting_with_no_counter_times():
    ticket = make_ticket("serving")
    ticket.called_at = ticket.started_at = NOW
    apply_ticket_action(ticket, TicketAction.TRANSFER, NOW)
    assert (ticket.status, ticket.called_at, ticket.started_at, ticket.finished_at) == (
        "waiting",
        None,
        None,
        None,
    )


def test_an_invalid_action_changes_nothing():
    ticket = make_ticket("done")
    with pytest.raises(InvalidState):
        apply_ticket_action(ticket, TicketAction.CALL, NOW)
    assert ticket.status == "done" and ticket.called_at is None


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
