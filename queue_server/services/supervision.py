"""Use cases of supervisors: pause and resume a service, and the live hall's figures."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..adapters.orm import Centre, Counter, Service
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.errors import InvalidState
from ..domain.events import ServiceChanged
from ..domain.numbering import day_end, day_start
from ..domain.reports import Figures, percentile, wait_s
from .common import (
    Clock,
    Notifier,
    Principal,
    require_centre,
    require_service,
    require_supervisor,
    today,
)
from .messages import queue_sms
from .views import QueueFigures, iso, paused_reason


def pause_service(
    principal: Principal,
    centre_code: str,
    service_code: str,
    reason: tuple[str, str],
    *,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> dict[str, Any]:
    """Pause an open service with a reason (English, Kiswahili): no new tickets until resumed."""
    return _set_paused(
        principal, centre_code, service_code, reason, uow=uow, notifier=notifier, clock=clock
    )


def resume_service(
    principal: Principal,
    centre_code: str,
    service_code: str,
    *,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> dict[str, Any]:
    """Resume a paused service: it takes tickets again."""
    return _set_paused(
        principal, centre_code, service_code, None, uow=uow, notifier=notifier, clock=clock
    )


def _set_paused(
    principal: Principal,
    centre_code: str,
    service_code: str,
    reason: tuple[str, str] | None,
    *,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> dict[str, Any]:
    """Pause (reason given) or resume, guarded on the service's present state."""
    with uow() as unit:
        centre = require_centre(unit.repo, centre_code)
        require_supervisor(principal, centre)
        service = require_service(centre, service_code)
        if not unit.repo.set_service_paused(service, reason):
            state = "paused" if service.paused_reason_en else "open" if service.open else "closed"
            raise InvalidState(
                f"{service.name_en} is {state}; it cannot be {'paused' if reason else 'resumed'}."
            )
        unit.repo.session.refresh(service)
        if reason is not None:
            _tell_waiting(unit.repo, centre, service, reason, clock())
        event = ServiceChanged(centre.code, service.code, service.open, *(reason or (None, None)))
        unit.commit()
    notifier.publish([event])
    return {"service": service.code, "open": service.open, "paused_reason": paused_reason(service)}


def _tell_waiting(
    repo: Repository, centre: Centre, service: Service, reason: tuple[str, str], now: datetime
) -> None:
    """One service_paused SMS to each waiting ticket holder who gave a phone (once per ticket)."""
    for ticket in repo.waiting_phones(service, today(centre, now)):
        if ticket.phone is None:
            continue
        queue_sms(
            repo,
            centre=centre,
            purpose="service_paused",
            subject=f"ticket:{ticket.public_id}",
            phone=ticket.phone,
            language=ticket.language,
            params={
                "centre": centre.code,
                "service": service.name_sw if ticket.language == "sw" else service.name_en,
                "reason": reason[1] if ticket.language == "sw" else reason[0],
                "number": ticket.number,
            },
            now=now,
        )


def live_hall(
    principal: Principal, centre_code: str, *, uow: UnitOfWorkFactory, clock: Clock
) -> dict[str, Any]:
    """The supervisor's live hall: queues, counters, alerts and today's hours, read now."""
    with uow(write=False) as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        require_supervisor(principal, centre)
        now = clock()
        day = today(centre, now)
        figures = QueueFigures(repo, centre, day, services=centre.services, now=now)
        return {
            "centre": centre.code,
            "name": centre.name,
            "timezone": centre.timezone,
            "now": iso(now, centre.timezone),
            "services": [_service_line(repo, centre, s, figures, now) for s in centre.services],
            "counters": [_counter_line(repo, centre, c, now) for c in repo.counters(centre)],
            "hours": _hours(repo, centre, day),
            "money_asked": [
                {
                    "number": ticket.number,
                    "service": ticket.service.code,
                    "counter": ticket.counter.number if ticket.counter else None,
                    "given_at": iso(answer.given_at, centre.timezone),
                }
                for answer, ticket in repo.money_asked(centre.id, day)
            ],
        }


def _service_line(
    repo: Repository, centre: Centre, service: Service, figures: QueueFigures, now: datetime
) -> dict[str, Any]:
    """A service's queue now: waiting, longest wait, estimate, open or paused, alert."""
    earliest = repo.earliest_waiting_issue(centre, service.id, figures.day)
    longest = 0 if earliest is None else max(0, round((now - earliest).total_seconds()))
    return {
        "code": service.code,
        "name": {"en": service.name_en, "sw": service.name_sw},
        "open": service.open,
        "paused_reason": paused_reason(service),
        "waiting": figures.service_waiting(service),
        "longest_wait_s": longest,
        "estimated_wait_s": figures.service_wait(service),
        "target_wait_s": service.target_wait_s,
        "alert": longest > service.target_wait_s,
    }


def _counter_line(
    repo: Repository, centre: Centre, counter: Counter, now: datetime
) -> dict[str, Any]:
    """A counter now: state, clerk, current ticket and how long it has held it."""
    ticket = repo.current_ticket(counter)
    clerk = (
        repo.user_by_id(counter.clerk_id)
        if counter.clerk_id and counter.state != "closed"
        else None
    )
    return {
        "number": counter.number,
        "state": counter.state,
        "clerk": clerk.username if clerk else None,
        "ticket": ticket.number if ticket else None,
        "service": ticket.service.code if ticket else None,
        "since_s": round((now - ticket.called_at).total_seconds())
        if ticket and ticket.called_at
        else None,
    }


def _hours(repo: Repository, centre: Centre, day: date) -> list[dict[str, Any]]:
    """Today's arrivals and median wait (of those called) per local hour of issue."""
    zone = ZoneInfo(centre.timezone)
    service_ids = [s.id for s in centre.services]
    between = (day_start(day, centre.timezone), day_end(day, centre.timezone))
    hours: dict[int, Figures] = defaultdict(Figures)
    for t in repo.report_tickets(centre.id, service_ids, (day, day), between):
        wait = wait_s(t.issued_at, t.appointment_at, t.first_call)
        hours[t.issued_at.astimezone(zone).hour].add_ticket(
            issued=True, status="", fee_kes=0, wait_s=wait
        )
    return [
        {
            "hour": hour,
            "arrivals": hours[hour].issued,
            "wait_p50_s": percentile(hours[hour].waits, 0.5),
        }
        for hour in sorted(hours)
    ]
