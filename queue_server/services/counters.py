"""Use cases of a clerk at a counter: open, call next, recall, start, complete, no-show,
transfer, pause, resume and close.

Each is one short transaction of guarded writes: the counter's version moves on only from
the version read, and a ticket moves only from the status and counter read, so a second
screen acting at the same moment gets `invalid_state` and changes nothing. `seen` is the
ticket number the clerk's screen shows; when it is not the counter's ticket, nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Unpack
from zoneinfo import ZoneInfo

from ..adapters.orm import Centre, Counter, Ticket
from ..adapters.repository import Repository
from ..adapters.unit_of_work import CONFLICT_ERRORS, SqlUnitOfWork, UnitOfWorkFactory
from ..domain.errors import Forbidden, InvalidState, QueueEmpty
from ..domain.events import CounterChanged, Event, TicketCalled, TicketChanged
from ..domain.model import (
    CounterAction,
    TicketAction,
    counter_next_state,
    require_calling,
    require_seen,
    require_transfer,
    ticket_changes,
    time_at_counter,
)
from . import messages
from .common import (
    Clock,
    Deps,
    Notifier,
    Principal,
    require_access,
    require_centre,
    require_centre_counter,
    require_counter,
    require_open,
    require_service,
    today,
)
from .tickets import read_ticket
from .views import QueueFigures, counter_view, ticket_view

CLAIM_ROUNDS = 10

Result = dict[str, Any]


@dataclass(frozen=True)
class CounterRef:
    """Which counter a clerk works at."""

    centre: str
    number: int


def _lost_race(counter: Counter) -> InvalidState:
    return InvalidState(
        f"Counter {counter.number} changed at the same moment elsewhere; nothing was done."
    )


@dataclass
class _AtCounter:
    """What one counter action works on, inside its transaction."""

    unit: SqlUnitOfWork
    principal: Principal
    centre: Centre
    counter: Counter
    now: datetime
    events: list[Event] = field(default_factory=list)
    history: list[dict[str, object]] = field(default_factory=list)

    @property
    def repo(self) -> Repository:
        return self.unit.repo

    def current(self, seen: str | None, *, calling: bool = False) -> Ticket | None:
        """The counter's ticket, checked against the one the clerk's screen shows."""
        ticket = self.repo.current_ticket(self.counter)
        require_seen(ticket, seen, calling=calling)
        return ticket

    def held(self, seen: str | None) -> Ticket:
        """The counter's ticket, or InvalidState when it holds none."""
        ticket = self.current(seen)
        if ticket is None:
            raise InvalidState(f"Counter {self.counter.number} has no current ticket.")
        return ticket

    def move(self, ticket: Ticket, action: TicketAction, **extra: object) -> None:
        """Apply `action` by a guarded update, or InvalidState if the ticket moved meanwhile."""
        if not self.repo.move_ticket(ticket, ticket_changes(ticket, action, self.now) | extra):
            raise _lost_race(self.counter)

    def record(self, ticket: Ticket, kind: str, duration_s: float | None = None) -> None:
        """Add to the ticket's history (what reports and estimates are made from); written
        in one statement with the action's other entries, before the commit."""
        self.history.append(
            {
                "ticket_id": ticket.id,
                "kind": kind,
                "at": self.now,
                "service_id": ticket.service_id,
                "counter_id": self.counter.id,
                "user_id": self.principal.id if self.principal.is_user else None,
                "duration_s": None if duration_s is None else round(duration_s),
            }
        )

    def ticket_changed(self, ticket: Ticket) -> None:
        """Queue the event that tells the ticket's own page it changed."""
        self.events.append(TicketChanged(self.centre.code, ticket.public_id, ticket.status))

    def counter_changed(self, ticket: Ticket | None) -> None:
        """Queue the event that keeps every screen of this counter in step."""
        self.events.append(
            CounterChanged(
                self.centre.code,
                self.counter.number,
                self.counter.state,
                ticket.number if ticket else None,
            )
        )

    def finish(self, ticket: Ticket, action: TicketAction, **extra: object) -> None:
        """End the ticket's time at this counter by `action` (complete, no-show, transfer)."""
        if action in (TicketAction.COMPLETE, TicketAction.TRANSFER):
            self.record(ticket, "served", time_at_counter(ticket, self.now))
        self.record(ticket, action.value)
        self.move(ticket, action, **extra)
        self.ticket_changed(ticket)


def _counter_action(
    principal: Principal,
    ref: CounterRef,
    act: Callable[[_AtCounter], Result],
    *,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> Result:
    """Run `act` at the counter in one transaction; publish its events after the commit."""
    if not principal.is_user:
        raise Forbidden("Only a signed-in member of staff can work at a counter.")
    with uow() as unit:
        # The counter's services come with the counter; the centre's others only if used.
        counter = require_centre_counter(unit.repo, principal, ref.centre, ref.number)
        centre = counter.centre
        now = clock()
        try:
            if not unit.repo.take_counter(counter):
                raise _lost_race(counter)
            at = _AtCounter(unit, principal, centre, counter, now)
            result = act(at)
            unit.repo.add_history(at.history)
            unit.commit()
        except CONFLICT_ERRORS:  # e.g. the one-ticket-per-counter index: rolled back
            raise _lost_race(counter) from None
    notifier.publish(at.events)
    return result


def _ok_ticket(ticket: Ticket) -> Result:
    return {"ticket": ticket_view(ticket, None)}


def _ok_counter(at: _AtCounter) -> Result:
    return {"counter": counter_view(at.counter, at.repo.current_ticket(at.counter))}


def open_counter(principal: Principal, ref: CounterRef, **deps: Unpack[Deps]) -> Result:
    """Sign in at a counter: a closed counter opens; an open or paused one keeps its state."""

    def act(at: _AtCounter) -> Result:
        _move_counter(at, CounterAction.OPEN)
        at.counter.clerk_id = at.principal.id
        return _ok_counter(at)

    return _counter_action(principal, ref, act, **deps)


def call_next(
    principal: Principal, ref: CounterRef, seen: str | None = None, **deps: Unpack[Deps]
) -> Result:
    """Finish the current ticket as done and call the next by the call order."""

    def act(at: _AtCounter) -> Result:
        require_calling(at.counter.state, at.counter.number)
        current = at.current(seen, calling=True)
        if current is not None:
            at.finish(current, TicketAction.COMPLETE)
        ticket = _claim_next(at)
        if ticket is None:
            raise QueueEmpty(f"No one is waiting for counter {at.counter.number}'s services.")
        at.record(ticket, "called")
        messages.sms_ticket_called(at.repo, ticket, at.counter.number, at.now)
        at.events.append(_called_event(at, ticket, recall=False))
        at.ticket_changed(ticket)
        at.counter_changed(ticket)
        return _ok_ticket(ticket)

    return _counter_action(principal, ref, act, **deps)


def _claim_next(at: _AtCounter) -> Ticket | None:
    """Claim the first waiting ticket no other counter took first (a guarded update)."""
    service_ids = [s.id for s in at.counter.services]
    day = today(at.centre, at.now)
    for _ in range(CLAIM_ROUNDS):
        ticket = at.repo.next_waiting(at.centre, service_ids, day)
        if ticket is None:
            return None
        changes = ticket_changes(ticket, TicketAction.CALL, at.now)
        if at.repo.move_ticket(ticket, changes | {"counter_id": at.counter.id}):
            return ticket
    raise InvalidState("Other counters are calling at this very moment; try again.")


def _called_event(at: _AtCounter, ticket: Ticket, *, recall: bool) -> TicketCalled:
    return TicketCalled(
        centre=at.centre.code,
        ticket_id=ticket.public_id,
        number=ticket.number,
        counter=at.counter.number,
        service=ticket.service.code,
        called_at=at.now.astimezone(ZoneInfo(at.centre.timezone)),
        recall=recall,
    )


def recall(
    principal: Principal, ref: CounterRef, seen: str | None = None, **deps: Unpack[Deps]
) -> Result:
    """Announce the current (called) ticket again."""

    def act(at: _AtCounter) -> Result:
        ticket = at.held(seen)
        at.move(ticket, TicketAction.RECALL)
        at.record(ticket, "recalled")
        at.events.append(_called_event(at, ticket, recall=True))
        return _ok_ticket(ticket)

    return _counter_action(principal, ref, act, **deps)


def start(
    principal: Principal, ref: CounterRef, seen: str | None = None, **deps: Unpack[Deps]
) -> Result:
    """The called citizen has arrived at the counter: serving."""

    def act(at: _AtCounter) -> Result:
        ticket = at.held(seen)
        at.move(ticket, TicketAction.START)
        at.record(ticket, "started")
        at.ticket_changed(ticket)
        at.counter_changed(ticket)
        return _ok_ticket(ticket)

    return _counter_action(principal, ref, act, **deps)


def _finishing(action: TicketAction) -> Callable[..., Result]:
    """A use case that ends the current ticket by `action` (complete or no-show)."""

    def use_case(
        principal: Principal, ref: CounterRef, seen: str | None = None, **deps: Unpack[Deps]
    ) -> Result:
        def act(at: _AtCounter) -> Result:
            ticket = at.held(seen)
            at.finish(ticket, action)
            at.counter_changed(None)
            return _ok_ticket(ticket)

        return _counter_action(principal, ref, act, **deps)

    use_case.__doc__ = f"End the counter's current ticket: {action.value}."
    return use_case


complete = _finishing(TicketAction.COMPLETE)
no_show = _finishing(TicketAction.NO_SHOW)


def transfer(
    principal: Principal,
    ref: CounterRef,
    service_code: str,
    seen: str | None = None,
    **deps: Unpack[Deps],
) -> Result:
    """Send the current ticket to another service's queue, keeping its number and rank."""

    def act(at: _AtCounter) -> Result:
        ticket = at.held(seen)
        target = require_service(at.centre, service_code)
        require_transfer(ticket.service.code, target.code)
        require_open(target)
        at.finish(ticket, TicketAction.TRANSFER, service_id=target.id)
        at.counter_changed(None)
        return {"ticket": ticket.public_id}

    moved = _counter_action(principal, ref, act, **deps)
    # Its new place, read after the commit.
    return {"ticket": read_ticket(deps["uow"], moved["ticket"], now=deps["clock"]())}


def _moving_counter(action: CounterAction) -> Callable[..., Result]:
    """A use case that moves the counter by `action` (pause, resume, close)."""

    def use_case(principal: Principal, ref: CounterRef, **deps: Unpack[Deps]) -> Result:
        def act(at: _AtCounter) -> Result:
            _move_counter(at, action)
            return _ok_counter(at)

        return _counter_action(principal, ref, act, **deps)

    use_case.__doc__ = f"Change the counter's state: {action.value}."
    return use_case


def _move_counter(at: _AtCounter, action: CounterAction) -> None:
    """Apply a counter action by the transition table, and tell the counter's screens."""
    current = at.repo.current_ticket(at.counter)
    at.counter.state = counter_next_state(
        at.counter.state, action, holds_ticket=current is not None
    ).value  # the counter's row is this transaction's since its version moved on
    at.counter_changed(current)


pause = _moving_counter(CounterAction.PAUSE)
resume = _moving_counter(CounterAction.RESUME)
close = _moving_counter(CounterAction.CLOSE)


def list_counters(
    principal: Principal, centre_code: str, *, uow: UnitOfWorkFactory
) -> list[dict[str, Any]]:
    """A centre's counters with their services, state and current ticket, for its staff."""
    if not principal.is_user:
        raise Forbidden("Only a signed-in member of staff can list the counters.")
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        require_access(principal, centre)
        return [
            counter_view(counter, unit.repo.current_ticket(counter))
            for counter in unit.repo.counters(centre)
        ]


def counter_queues(
    principal: Principal, ref: CounterRef, *, uow: UnitOfWorkFactory, clock: Clock
) -> list[dict[str, Any]]:
    """The queues a counter calls from: waiting count, estimated wait and longest wait."""
    if not principal.is_user:
        raise Forbidden("Only a signed-in member of staff can read a counter's queues.")
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, ref.centre)
        require_access(principal, centre)
        counter = require_counter(unit.repo, centre, ref.number)
        now = clock()
        figures = QueueFigures(
            unit.repo, centre, today(centre, now), services=centre.services, now=now
        )
        return [
            {
                "service": service.code,
                "waiting": figures.service_waiting(service),
                "estimated_wait_s": figures.service_wait(service),
                "longest_wait_s": _longest_wait_s(unit.repo, centre, service.id, now),
            }
            for service in counter.services
        ]


def _longest_wait_s(repo: Repository, centre: Centre, service_id: int, now: datetime) -> int:
    """Seconds the longest-waiting ticket of a service has waited so far (0 when none waits)."""
    earliest = repo.earliest_waiting_issue(centre, service_id, today(centre, now))
    return 0 if earliest is None else max(0, round((now - earliest).total_seconds()))
