"""Use cases of a clerk at a counter: open, call next, recall, start, complete, no-show,
transfer, pause, resume and close."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Unpack
from zoneinfo import ZoneInfo

from ..adapters.orm import Centre, Counter, Ticket, TicketEvent
from ..adapters.repository import Repository
from ..adapters.unit_of_work import CONFLICT_ERRORS, SqlUnitOfWork, UnitOfWorkFactory
from ..domain.errors import Forbidden, InvalidState, InvalidValue, QueueEmpty
from ..domain.events import CounterChanged, Event, TicketCalled, TicketChanged
from ..domain.model import (
    CounterAction,
    CounterState,
    TicketAction,
    TicketStatus,
    apply_ticket_action,
    counter_next_state,
    ticket_next_status,
)
from .common import (
    Clock,
    Deps,
    Notifier,
    Principal,
    require_access,
    require_centre,
    require_counter,
    require_open,
    require_service,
    today,
)
from .tickets import expire_past_days, read_ticket
from .views import QueueFigures, counter_view, ticket_view

CLAIM_ROUNDS = 5
CANDIDATES_PER_ROUND = 10


@dataclass(frozen=True)
class CounterRef:
    """Which counter a clerk works at."""

    centre: str
    number: int


@dataclass
class _AtCounter:
    """What one counter action works on, inside its transaction."""

    unit: SqlUnitOfWork
    principal: Principal
    centre: Centre
    counter: Counter
    now: datetime
    events: list[Event]

    @property
    def repo(self) -> Repository:
        return self.unit.repo

    def current(self) -> Ticket:
        """The counter's ticket, or InvalidState when it holds none."""
        ticket = self.repo.current_ticket(self.counter)
        if ticket is None:
            raise InvalidState(f"Counter {self.counter.number} has no current ticket.")
        return ticket

    def record(self, ticket: Ticket, kind: str, duration_s: float | None = None) -> None:
        """Add to the ticket's history (what reports and estimates are made from)."""
        self.repo.add(
            TicketEvent(
                ticket_id=ticket.id,
                kind=kind,
                at=self.now,
                service_id=ticket.service_id,
                counter_id=self.counter.id,
                user_id=self.principal.id if self.principal.is_user else None,
                duration_s=None if duration_s is None else round(duration_s),
            )
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

    def finish(self, ticket: Ticket, action: TicketAction) -> None:
        """End the ticket's time at this counter by `action` (complete, no-show, transfer)."""
        occupied_s = (self.now - ticket.called_at).total_seconds() if ticket.called_at else None
        apply_ticket_action(ticket, action, self.now)
        if action in (TicketAction.COMPLETE, TicketAction.TRANSFER):
            self.record(ticket, "served", occupied_s)
        self.record(ticket, action.value)
        self.ticket_changed(ticket)


def _counter_action(
    principal: Principal,
    ref: CounterRef,
    act: Callable[[_AtCounter], dict[str, Any]],
    *,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> dict[str, Any]:
    """Run `act` at the counter in one transaction; publish its events after the commit."""
    if not principal.is_user:
        raise Forbidden("Only a signed-in member of staff can work at a counter.")
    with uow() as unit:
        centre = require_centre(unit.repo, ref.centre)
        require_access(principal, centre)
        counter = require_counter(unit.repo, centre, ref.number)
        now = clock()
        at = _AtCounter(
            unit, principal, centre, counter, now, expire_past_days(unit.repo, centre, now)
        )
        result = act(at)
        try:
            unit.commit()
        except CONFLICT_ERRORS:
            raise InvalidState(
                f"Counter {counter.number} changed at the same moment elsewhere; try again."
            ) from None
    notifier.publish(at.events)
    return result


def _ok_ticket(at: _AtCounter, ticket: Ticket) -> dict[str, Any]:
    return {"ticket": ticket_view(ticket, None)}


def _ok_counter(at: _AtCounter) -> dict[str, Any]:
    return {"counter": counter_view(at.counter, at.repo.current_ticket(at.counter))}


def open_counter(principal: Principal, ref: CounterRef, **deps: Unpack[Deps]) -> dict[str, Any]:
    """Sign in at a counter: a closed counter opens; an open or paused one keeps its state."""

    def act(at: _AtCounter) -> dict[str, Any]:
        _move_counter(at, CounterAction.OPEN)
        at.counter.clerk_id = at.principal.id
        return _ok_counter(at)

    return _counter_action(principal, ref, act, **deps)


def call_next(principal: Principal, ref: CounterRef, **deps: Unpack[Deps]) -> dict[str, Any]:
    """Finish the current ticket as done and call the next by the call order."""

    def act(at: _AtCounter) -> dict[str, Any]:
        if at.counter.state != CounterState.OPEN:
            raise InvalidState(
                f"Counter {at.counter.number} is {at.counter.state}; resume it first."
            )
        current = at.repo.current_ticket(at.counter)
        if current is not None:
            at.finish(current, TicketAction.COMPLETE)
            at.repo.flush()
        ticket = _claim_next(at)
        if ticket is None:
            raise QueueEmpty(f"No one is waiting for counter {at.counter.number}'s services.")
        at.record(ticket, "called")
        at.events.append(_called_event(at, ticket, recall=False))
        at.ticket_changed(ticket)
        at.counter_changed(ticket)
        return _ok_ticket(at, ticket)

    return _counter_action(principal, ref, act, **deps)


def _claim_next(at: _AtCounter) -> Ticket | None:
    """Claim the first waiting ticket no other counter took first (atomic in the database)."""
    service_ids = [s.id for s in at.counter.services]
    called = ticket_next_status(TicketStatus.WAITING, TicketAction.CALL)
    values = {"status": called.value, "called_at": at.now, "counter_id": at.counter.id}
    day = today(at.centre, at.now)
    for _ in range(CLAIM_ROUNDS):
        candidates = at.repo.waiting_in_order(at.centre, service_ids, day, CANDIDATES_PER_ROUND)
        if not candidates:
            return None
        for ticket_id in candidates:
            ticket = at.repo.claim_ticket(ticket_id, values)
            if ticket is not None:
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


def recall(principal: Principal, ref: CounterRef, **deps: Unpack[Deps]) -> dict[str, Any]:
    """Announce the current (called) ticket again."""

    def act(at: _AtCounter) -> dict[str, Any]:
        ticket = at.current()
        apply_ticket_action(ticket, TicketAction.RECALL, at.now)
        at.record(ticket, "recalled")
        at.events.append(_called_event(at, ticket, recall=True))
        return _ok_ticket(at, ticket)

    return _counter_action(principal, ref, act, **deps)


def start(principal: Principal, ref: CounterRef, **deps: Unpack[Deps]) -> dict[str, Any]:
    """The called citizen has arrived at the counter: serving."""

    def act(at: _AtCounter) -> dict[str, Any]:
        ticket = at.current()
        apply_ticket_action(ticket, TicketAction.START, at.now)
        at.record(ticket, "started")
        at.ticket_changed(ticket)
        at.counter_changed(ticket)
        return _ok_ticket(at, ticket)

    return _counter_action(principal, ref, act, **deps)


def _finishing(action: TicketAction) -> Callable[..., dict[str, Any]]:
    """A use case that ends the current ticket by `action` (complete or no-show)."""

    def use_case(principal: Principal, ref: CounterRef, **deps: Unpack[Deps]) -> dict[str, Any]:
        def act(at: _AtCounter) -> dict[str, Any]:
            ticket = at.current()
            at.finish(ticket, action)
            at.counter_changed(None)
            return _ok_ticket(at, ticket)

        return _counter_action(principal, ref, act, **deps)

    use_case.__doc__ = f"End the counter's current ticket: {action.value}."
    return use_case


complete = _finishing(TicketAction.COMPLETE)
no_show = _finishing(TicketAction.NO_SHOW)


def transfer(
    principal: Principal, ref: CounterRef, service_code: str, **deps: Unpack[Deps]
) -> dict[str, Any]:
    """Send the current ticket to another service's queue, keeping its number and rank."""

    def act(at: _AtCounter) -> dict[str, Any]:
        ticket = at.current()
        target = require_service(at.centre, service_code)
        if target.id == ticket.service_id:
            raise InvalidValue(f"Ticket {ticket.number} is already for {target.code}.")
        require_open(target)
        at.finish(ticket, TicketAction.TRANSFER)
        ticket.service = target
        ticket.counter_id = None
        at.repo.flush()
        at.counter_changed(None)
        return {"ticket": ticket.public_id}

    moved = _counter_action(principal, ref, act, **deps)
    return {"ticket": read_ticket(deps["uow"], moved["ticket"])}  # its new place, after commit


def _moving_counter(action: CounterAction) -> Callable[..., dict[str, Any]]:
    """A use case that moves the counter by `action` (pause, resume, close)."""

    def use_case(principal: Principal, ref: CounterRef, **deps: Unpack[Deps]) -> dict[str, Any]:
        def act(at: _AtCounter) -> dict[str, Any]:
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
    ).value
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
        figures = QueueFigures(unit.repo, centre, today(centre, now))
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
