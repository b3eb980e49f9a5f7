"""Read models: tickets, services and counters as the contract shows them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ..adapters.orm import Centre, Counter, Service, Ticket
from ..adapters.queries.centres import CounterState, ServiceRow
from ..domain.appointments import format_ref
from ..domain.estimates import (
    RECENT_SERVICES,
    VisitTimes,
    call_times,
    connected_services,
    estimated_wait_s,
    fit_visits,
)
from ..domain.model import TicketStatus
from ..domain.outreach import PaidBy
from ..domain.routing import related_map


def iso(moment: datetime | None, timezone: str) -> str | None:
    """ISO 8601 with the centre's offset (e.g. 2026-11-23T09:14:05+03:00), or None."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(timezone)).isoformat(timespec="seconds")


class ServiceTimes(Protocol):
    """What the figures need of a service: a loaded `Service`, or a plain row of these."""

    @property
    def id(self) -> int: ...

    @property
    def typical_service_s(self) -> int: ...


class FigureReads(Protocol):
    """What the figures read of the repository (bench/daysim.py gives them a simulated hall)."""

    def waiting_counts(self, centre: Centre, day: date) -> dict[int, int]: ...

    def counter_states(self, centre: Centre) -> list[CounterState]: ...

    def recent_durations(
        self, service_ids: Iterable[int], limit: int
    ) -> dict[int, list[float]]: ...

    def count_ahead(self, ticket: Ticket, service_ids: Iterable[int]) -> int: ...

    def service_rows(self, centre: Centre) -> list[ServiceRow]: ...


class QueueFigures:
    """Waiting counts and estimates of one centre for one local day, read once.

    `services` are the centre's, when they are loaded already; otherwise they are read as
    plain rows when first needed (cheaper than loading the services themselves).
    """

    def __init__(
        self,
        repo: FigureReads,
        centre: Centre,
        day: date,
        *,
        waiting: dict[int, int] | None = None,
        services: Sequence[ServiceTimes] | None = None,
        now: datetime,
    ) -> None:
        self.repo = repo
        self.centre = centre
        self.day = day
        self.now = now
        self._services = services
        self.waiting = repo.waiting_counts(centre, day) if waiting is None else waiting
        self._states: list[CounterState] | None = None
        self._counters: list[tuple[str, frozenset[int]]] | None = None
        self._fits: dict[int, VisitTimes] = {}  # per service: its visits, fitted
        self._busy: list[float] | None = None
        self._call_times: dict[int, list[float]] = {}
        self._related: dict[int, set[int]] | None = None

    @property
    def services(self) -> Sequence[ServiceTimes]:
        """The centre's services (read once as plain rows unless given)."""
        if self._services is None:
            self._services = self.repo.service_rows(self.centre)
        return self._services

    @property
    def states(self) -> list[CounterState]:
        """Each counter's state, services and visit at hand (read once)."""
        if self._states is None:
            self._states = self.repo.counter_states(self.centre)
        return self._states

    @property
    def counters(self) -> list[tuple[str, frozenset[int]]]:
        """Each counter's state and the ids of the services it serves."""
        if self._counters is None:
            self._counters = [(c.state, c.services) for c in self.states]
        return self._counters

    def _elapsed_s(self, counter: CounterState) -> float | None:
        """How long the counter's visit at hand has lasted (None: it holds no ticket)."""
        if counter.called_at is None:
            return None
        return max((self.now - counter.called_at).total_seconds(), 0.0)

    def busy_s(self) -> list[float]:
        """Seconds until each counter is free: none for a free one; for a busy one the mean
        time left of its service's visits that lasted as long."""
        if self._busy is not None:
            return self._busy
        busy: list[float] = []
        for counter in self.states:
            if counter.serving is None:
                busy.append(0.0)
                continue
            fit = self._fits[counter.serving]
            busy.append(fit.remaining_s(self._elapsed_s(counter) or 0.0))
        self._busy = busy
        return busy

    def related(self, service_id: int) -> set[int]:
        """Services competing with `service_id` for the same counters."""
        if self._related is None:  # every service's at once: one pass over the counters
            self._related = related_map(ids for _, ids in self.counters)
        return self._related.get(service_id) or {service_id}

    def typical_s(self, service: ServiceTimes) -> float:
        """The service's expected time at the counter."""
        if service.id not in self._fits:
            self._fit_services([service])
        return self._fits[service.id].mean_s

    def read_service_times(self) -> None:
        """Read the service times of every service with tickets waiting, in one statement
        (where estimating them one group of services at a time reads once per group)."""
        self._fit_services([s for s in self.services if self.waiting.get(s.id)])

    def _fit_services(self, services: Sequence[ServiceTimes]) -> None:
        """Fit the visits of those of these services not fitted yet, and of the services of the
        visits at hand (`busy_s` needs them), reading their recent visits in one query."""
        serving = {c.serving for c in self.states if c.serving is not None}
        wanted = {s.id for s in services} | serving
        services = [s for s in self.services if s.id in wanted and s.id not in self._fits]
        if not services:
            return
        recent = self.repo.recent_durations((s.id for s in services), RECENT_SERVICES)
        running: dict[int, list[float]] = {}
        for counter in self.states:
            if counter.serving is not None and (elapsed := self._elapsed_s(counter)) is not None:
                running.setdefault(counter.serving, []).append(elapsed)
        for s in services:
            self._fits[s.id] = fit_visits(
                recent.get(s.id, []), s.typical_service_s, running.get(s.id, [])
            )

    def call_times(self, service: ServiceTimes) -> list[float]:
        """When each waiting ticket of `service` is likely called, in call order, then a new one.

        Replays the counters at work over the services that share counters with it, directly
        or through other services (read once per group).
        """
        if service.id not in self._call_times:
            group = connected_services(service.id, [served for _, served in self.counters])
            by_id = {s.id: s for s in self.services if s.id in group}
            waiting = {sid: self.waiting.get(sid, 0) for sid in by_id}
            self._fit_services([s for sid, s in by_id.items() if waiting[sid]])
            # In whole seconds, so that the replay kept for them serves within the second.
            typical = {sid: round(self._fits[sid].mean_s) for sid in by_id if waiting[sid]}
            busy = tuple(round(s) for s in self.busy_s())
            self._call_times.update(
                replayed_call_times(
                    tuple(waiting.items()), tuple(self.counters), tuple(typical.items()), busy
                )
            )
        return self._call_times.get(service.id, [])

    def wait_for(self, service: ServiceTimes, ahead: int) -> int:
        """Estimated seconds before a ticket of `service` with `ahead` before it is called.

        `ahead` counts the related services' tickets; the ticket's place among its own
        service's tickets is taken in proportion.
        """
        times = self.call_times(service)
        if not times:  # no counter serves it: the old rule of thumb, one counter
            return estimated_wait_s(ahead, self.typical_s(service), 1)
        related = sum(self.waiting.get(sid, 0) for sid in self.related(service.id))
        own = self.service_waiting(service)
        place = min(own, ahead * own // related) if related else 0
        return round(times[place])

    def service_waiting(self, service: ServiceTimes) -> int:
        """Tickets waiting for this service."""
        return self.waiting.get(service.id, 0)

    def service_wait(self, service: ServiceTimes) -> int:
        """The estimated wait of a ticket issued now for `service`."""
        ahead = sum(self.waiting.get(sid, 0) for sid in self.related(service.id))
        return self.wait_for(service, ahead)

    def ticket_ahead(self, ticket: Ticket) -> int:
        """How many tickets will be called before this waiting ticket."""
        return self.repo.count_ahead(ticket, self.related(ticket.service_id))


@lru_cache(maxsize=256)
def replayed_call_times(
    waiting: tuple[tuple[int, int], ...],
    counters: tuple[tuple[str, frozenset[int]], ...],
    typical: tuple[tuple[int, float], ...],
    busy: tuple[float, ...],
) -> dict[int, list[float]]:
    """`call_times` of a group of services, kept for the same inputs: a kiosk's answer, the
    projection after it and the phones' projection ask the same of an unchanged queue, and
    the replay (one step per waiting ticket) is the dearest part of a figure. The lists are
    shared: read them, never change them."""
    return call_times(dict(waiting), counters, dict(typical), list(busy))


def ticket_view(ticket: Ticket, figures: QueueFigures | None) -> dict[str, Any]:
    """The contract's `ticket` object; `figures` is needed only while the ticket waits."""
    centre, service = ticket.centre, ticket.service
    waiting = ticket.status == TicketStatus.WAITING and figures is not None
    ahead = figures.ticket_ahead(ticket) if waiting and figures else None
    view = {
        "id": ticket.public_id,
        "number": ticket.number,
        "centre": centre.code,
        "service": service.code,
        "service_name": {"en": service.name_en, "sw": service.name_sw},
        "status": ticket.status,
        "priority": ticket.priority,
        "language": ticket.language,
        "issued_at": iso(ticket.issued_at, centre.timezone),
        "called_at": iso(ticket.called_at, centre.timezone),
        "counter": ticket.counter.number if ticket.counter else None,
        **place_view(service, ahead, figures),
        "fee_kes": ticket.fee_kes,
        "paid_by": ticket.paid_by,
        "sponsor": centre.sponsor if ticket.paid_by == PaidBy.SPONSOR else None,
    }
    if ticket.document_ref:  # a collection ticket of Track my Service
        view["document"] = format_ref(ticket.document_ref)
    if ticket.appointment_ref:  # a checked-in appointment; late ones rank as walk-ins
        view["appointment"] = format_ref(ticket.appointment_ref)
        view["late"] = ticket.appointment_at is None
    return view


def place_view(service: Service, ahead: int | None, figures: QueueFigures | None) -> dict[str, Any]:
    """A ticket's place in the queue: position, ahead and estimated wait (None unless waiting)."""
    if ahead is None or figures is None:
        return {"position": None, "ahead": None, "estimated_wait_s": None}
    return {
        "position": ahead + 1,
        "ahead": ahead,
        "estimated_wait_s": figures.wait_for(service, ahead),
    }


def service_view(service: Service, figures: QueueFigures) -> dict[str, Any]:
    """The contract's service entry with its live waiting count and estimate."""
    return {
        "code": service.code,
        "prefix": service.prefix,
        "name": {"en": service.name_en, "sw": service.name_sw},
        "category": {"en": service.category_en, "sw": service.category_sw},
        "fee_kes": service.fee_kes,
        "open": service.open,
        "paused_reason": paused_reason(service),
        "waiting": figures.service_waiting(service),
        "estimated_wait_s": figures.service_wait(service),
    }


def paused_reason(service: Service) -> dict[str, Any] | None:
    """A paused service's reason in both languages; None when it is not paused."""
    if service.paused_reason_en is None:
        return None
    return {"en": service.paused_reason_en, "sw": service.paused_reason_sw}


def counter_view(counter: Counter, current: Ticket | None) -> dict[str, Any]:
    """The contract's counter object."""
    return {
        "number": counter.number,
        "services": [s.code for s in counter.services],
        "state": counter.state,
        "ticket": ticket_view(current, None) if current else None,
    }


def minutes_shown(seconds: int | None) -> int | None:
    """An estimate as screens show it, in whole minutes (rounded up, as the pages do): the
    estimate moves with the clock, and a change of seconds is not worth sending."""
    return None if seconds is None else max(1, -(-seconds // 60))


def as_shown(view: dict[str, Any]) -> dict[str, Any]:
    """A ticket's view as its page shows it (its estimate in `minutes_shown`)."""
    return {**view, "estimated_wait_s": minutes_shown(view.get("estimated_wait_s"))}


def public_ticket_view(view: dict[str, Any]) -> dict[str, Any]:
    """A ticket as anyone with its id sees it: no `priority` (it says why one is vulnerable)."""
    return {key: value for key, value in view.items() if key != "priority"}
