"""Tickets and counters: their states and the one table of allowed transitions each."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from .errors import InvalidState, InvalidValue


class TicketStatus(StrEnum):
    """Where a ticket is in its visit (the contract's `status`)."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class TicketAction(StrEnum):
    """What a counter (or the end of the day) does to a ticket."""

    CALL = "call"
    RECALL = "recall"
    START = "start"
    COMPLETE = "complete"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    CANCEL = "cancel"
    EXPIRE = "expire"


class Priority(StrEnum):
    """Who may be called ahead of the line (by the centre's priority bonus)."""

    NONE = "none"
    ELDERLY = "elderly"
    DISABILITY = "disability"
    EXPECTANT = "expectant"


class CounterState(StrEnum):
    """Whether a counter takes tickets."""

    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class CounterAction(StrEnum):
    """What a clerk does to a counter."""

    OPEN = "open"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"


S, A = TicketStatus, TicketAction

TICKET_TRANSITIONS: dict[tuple[TicketStatus, TicketAction], TicketStatus] = {
    (S.WAITING, A.CALL): S.CALLED,
    (S.WAITING, A.CANCEL): S.CANCELLED,
    (S.WAITING, A.EXPIRE): S.EXPIRED,
    (S.CALLED, A.RECALL): S.CALLED,
    (S.CALLED, A.START): S.SERVING,
    (S.CALLED, A.COMPLETE): S.DONE,
    (S.CALLED, A.NO_SHOW): S.NO_SHOW,
    (S.CALLED, A.TRANSFER): S.WAITING,
    (S.CALLED, A.CANCEL): S.CANCELLED,
    (S.CALLED, A.EXPIRE): S.EXPIRED,
    (S.SERVING, A.COMPLETE): S.DONE,
    (S.SERVING, A.TRANSFER): S.WAITING,
    (S.SERVING, A.EXPIRE): S.EXPIRED,
}
"""Every allowed (status, action) and the status it leads to; anything else is invalid."""

OPEN_STATUSES = frozenset({S.WAITING, S.CALLED, S.SERVING})
"""Statuses of a ticket whose visit is not over (these expire at the end of the local day)."""

AT_COUNTER_STATUSES = frozenset({S.CALLED, S.SERVING})
"""Statuses of the ticket a counter holds."""

C, CA = CounterState, CounterAction

COUNTER_TRANSITIONS: dict[tuple[CounterState, CounterAction], CounterState] = {
    (C.CLOSED, CA.OPEN): C.OPEN,
    (C.OPEN, CA.OPEN): C.OPEN,
    (C.PAUSED, CA.OPEN): C.PAUSED,
    (C.OPEN, CA.PAUSE): C.PAUSED,
    (C.PAUSED, CA.RESUME): C.OPEN,
    (C.OPEN, CA.CLOSE): C.CLOSED,
    (C.PAUSED, CA.CLOSE): C.CLOSED,
}
"""Opening an open or paused counter keeps its state: a clerk who reloads the page resumes."""


class TicketLike(Protocol):
    """The parts of a ticket that its rules read."""

    number: str
    status: str
    called_at: datetime | None
    counter_called_at: datetime | None


def ticket_next_status(status: str, action: TicketAction) -> TicketStatus:
    """The status `action` leads to from `status`, or InvalidState."""
    try:
        return TICKET_TRANSITIONS[(TicketStatus(status), action)]
    except (KeyError, ValueError):
        raise InvalidState(f"A ticket that is {status} cannot be given '{action}'.") from None


def ticket_changes(ticket: TicketLike, action: TicketAction, now: datetime) -> dict[str, object]:
    """What `action` at `now` sets on `ticket`: its new status and the times it stamps.

    `called_at` is the first call: a transferred ticket called again keeps it, and the time
    at its present counter counts from `counter_called_at`. A transfer sends the ticket back
    to waiting, off the counter, keeping its number and rank.
    """
    status = ticket_next_status(ticket.status, action)
    changes: dict[str, object] = {"status": status.value}
    if action is A.CALL:
        changes["called_at"] = ticket.called_at or now
        changes["counter_called_at"] = now
    elif action is A.START:
        changes["started_at"] = now
    elif action is A.TRANSFER:
        changes |= {"counter_id": None, "counter_called_at": None, "started_at": None}
    if status not in OPEN_STATUSES:
        changes["finished_at"] = now
    return changes


def time_at_counter(ticket: TicketLike, now: datetime) -> float | None:
    """Seconds the ticket has held its present counter (what service-time estimates learn)."""
    since = ticket.counter_called_at or ticket.called_at
    return None if since is None else (now - since).total_seconds()


def require_seen(current: TicketLike | None, seen: str | None, *, calling: bool = False) -> None:
    """InvalidState unless `seen`, the number the clerk's screen shows, is the counter's ticket.

    No `seen`: the screen did not say, so the action applies to the present ticket. A call
    from a counter holding nothing calls the next whatever the screen showed.
    """
    if seen is None or (calling and current is None):
        return
    if current is None or current.number != seen:
        holds = f"holds {current.number}" if current else "holds no ticket"
        raise InvalidState(f"This counter {holds} now, not {seen}; the screen was behind.")


def require_transfer(from_service: str, to_service: str) -> None:
    """A transfer goes to another service (InvalidValue for its own); it keeps number and rank."""
    if from_service == to_service:
        raise InvalidValue(f"The ticket is already for {to_service}.")


def require_calling(state: str, number: int) -> None:
    """Only an open counter calls (a paused or closed one must resume or open first)."""
    if state != CounterState.OPEN:
        raise InvalidState(f"Counter {number} is {state}; resume it first.")


def counter_next_state(state: str, action: CounterAction, *, holds_ticket: bool) -> CounterState:
    """The state `action` leads a counter to, or InvalidState."""
    try:
        new_state = COUNTER_TRANSITIONS[(CounterState(state), action)]
    except (KeyError, ValueError):
        raise InvalidState(f"A counter that is {state} cannot be given '{action}'.") from None
    if new_state is C.CLOSED and holds_ticket:
        raise InvalidState("Finish, transfer or mark the current ticket before closing.")
    return new_state


def parse_priority(value: str) -> Priority:
    """A priority from its contract name, or InvalidValue."""
    try:
        return Priority(value)
    except ValueError:
        names = ", ".join(p.value for p in Priority)
        raise InvalidValue(f"priority must be one of: {names}.") from None
