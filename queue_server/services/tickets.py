"""Use cases of the waiting hall: issue a ticket, follow it, list services, show the hall."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from ..adapters.orm import Centre, Service, Ticket
from ..adapters.repository import Repository
from ..adapters.unit_of_work import CONFLICT_ERRORS, UnitOfWorkFactory
from ..domain.errors import Forbidden, InvalidState, InvalidValue
from ..domain.events import Event, PrintJobQueued, TicketChanged, TicketIssued
from ..domain.model import Priority, TicketAction, TicketStatus, parse_priority, ticket_next_status
from ..domain.numbering import format_number
from ..domain.outreach import fee_payer
from ..domain.phone import normalize_phone
from ..domain.routing import RankPolicy, rank_time
from ..domain.sms import consent_record
from .common import (
    Clock,
    Notifier,
    Principal,
    require_access,
    require_centre,
    require_centre_service,
    require_open,
    require_ticket,
    today,
)
from .printing.jobs import kiosk_printer, print_issued_ticket, with_print
from .views import QueueFigures, iso, public_ticket_view, service_view, ticket_view

PHONE_KEPT_FOR = timedelta(days=30)
RECENT_CALLS = 8  # calls a hall screen lists (the contract's snapshot `recent`)
LANGUAGES = ("en", "sw")


def issue_ticket(
    principal: Principal,
    centre_code: str,
    service_code: str,
    *,
    priority: str = "none",
    language: str = "en",
    phone: str | None = None,
    idempotency_key: str | None = None,
    base_url: str | None = None,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> dict[str, Any]:
    """Issue a ticket and commit it before anyone is told; the same key gives the same ticket.

    A kiosk with a printer gets the ticket's print job stored with it; `base_url` (the server's
    public address) makes the printed QR code's link absolute.
    """
    rank = parse_priority(priority)
    if language not in LANGUAGES:
        raise InvalidValue("language must be 'en' or 'sw'.")
    phone_e164 = normalize_phone(phone) if phone else None
    attempt = partial(
        _issue_once,
        principal,
        centre_code,
        service_code,
        rank,
        language,
        phone_e164,
        idempotency_key,
        base_url,
        uow=uow,
        notifier=notifier,
        clock=clock,
    )
    try:
        return attempt()
    except CONFLICT_ERRORS:
        if idempotency_key is None:
            raise
        # Another process issued under the same key at the same moment: its ticket is
        # committed now, so a second attempt returns it.
        return attempt()


def _issue_once(
    principal: Principal,
    centre_code: str,
    service_code: str,
    priority: Priority,
    language: str,
    phone: str | None,
    idempotency_key: str | None,
    base_url: str | None,
    *,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> dict[str, Any]:
    """One attempt at issuing, in one transaction; the view is read after the commit."""
    events: list[Event] = []
    issued: Ticket | None = None
    with uow() as unit:
        repo = unit.repo
        service = require_centre_service(repo, centre_code, service_code)
        centre = service.centre
        require_issuer(principal, centre)
        now = clock()
        key = idempotency_key
        earlier = repo.ticket_by_idempotency_key(centre, key) if key else None
        if earlier is not None:
            if earlier.issued_service_id != service.id:
                raise InvalidState(
                    "This Idempotency-Key was used for another service.",
                    code="idempotency_key_reused",
                )
            public_id = earlier.public_id
        else:
            require_open(service)
            ticket = Ticket(
                priority=priority.value,
                language=language,
                phone=phone,
                phone_consent_at=now if phone else None,
                phone_consent_text=consent_record(language) if phone else None,
                rank_at=rank_time(now, priority, rank_policy(centre)),
                idempotency_key=idempotency_key,
            )
            events = add_ticket(repo, principal, service, ticket, base_url=base_url, now=now)
            public_id, issued = ticket.public_id, ticket
            unit.commit()
    notifier.publish(events)
    if issued is None:  # the same key again: the ticket as it is now
        return read_ticket(uow, public_id, now=clock())
    printed = any(isinstance(event, PrintJobQueued) for event in events)
    return read_issued(uow, issued, printed=printed, now=clock())


def add_ticket(
    repo: Repository,
    principal: Principal,
    service: Service,
    ticket: Ticket,
    *,
    base_url: str | None,
    now: datetime,
) -> list[Event]:
    """Number and store a new waiting `ticket` (its rank and citizen's fields already set).

    Returns the events to publish after commit: its issue (the projections read the queues
    then) and its print job at a kiosk with a printer. Its view is read after the commit
    (`read_ticket`). Yesterday's tickets are expired by the day sweep, not here.
    """
    centre = service.centre
    day = today(centre, now)
    sequence = repo.claim_sequence(centre, service, day)
    ticket.public_id = secrets.token_urlsafe(16)
    ticket.centre, ticket.centre_id = centre, centre.id
    ticket.service, ticket.service_id = service, service.id
    ticket.issued_service_id = service.id
    ticket.day = day
    ticket.sequence = sequence
    ticket.number = format_number(service.prefix, sequence)
    ticket.status = TicketStatus.WAITING.value
    ticket.issued_at = now
    ticket.device_id = principal.id if principal.kind == "device" else None
    ticket.fee_kes, ticket.paid_by = service.fee_kes, fee_payer(centre.sponsor).value
    repo.insert_ticket(ticket)
    events: list[Event] = [TicketIssued(centre.code, ticket.public_id, service.code)]
    if kiosk_printer(repo, principal) is not None:
        # The paper shows the place at issue, so a printing kiosk's ticket reads it here.
        view = ticket_view(ticket, QueueFigures(repo, centre, day, now=now))
        events += print_issued_ticket(repo, principal, ticket, view, base_url=base_url, now=now)
    return events


def require_issuer(principal: Principal, centre: Centre) -> None:
    """Kiosks issue for their own centre; staff for the centres they work in."""
    if principal.kind == "device" and principal.role != "kiosk":
        raise Forbidden("Only a kiosk or a member of staff can issue tickets.")
    require_access(principal, centre)


def rank_policy(centre: Centre) -> RankPolicy:
    """The centre's call-order bonuses."""
    return RankPolicy(centre.priority_bonus_s, centre.appointment_bonus_s)


def get_ticket(public_id: str, *, uow: UnitOfWorkFactory, clock: Clock) -> dict[str, Any]:
    """A ticket as its holder (anyone with its id) sees it, with its place while it waits."""
    with uow(write=False) as unit:
        ticket = require_ticket(unit.repo, public_id, in_centre=True)
        figures = QueueFigures(unit.repo, ticket.centre, ticket.day, now=clock())
        return public_ticket_view(ticket_view(ticket, figures))


def read_ticket(uow: UnitOfWorkFactory, public_id: str, *, now: datetime) -> dict[str, Any]:
    """A ticket's view read after the commit that changed it (at `now`), with its print job
    if any."""
    with uow(write=False) as unit:
        ticket = require_ticket(unit.repo, public_id, in_centre=True)
        figures = QueueFigures(unit.repo, ticket.centre, ticket.day, now=now)
        view = ticket_view(ticket, figures)
        return with_print(unit.repo, ticket, view)


def read_issued(
    uow: UnitOfWorkFactory, ticket: Ticket, *, printed: bool, now: datetime
) -> dict[str, Any]:
    """The view of a ticket just issued, its place read after the commit (at `now`).

    The ticket is as its committed transaction left it, centre and service loaded, so only
    the figures are read again, and the print job only when one was stored.
    """
    with uow(write=False) as unit:
        unit.repo.attach(ticket)
        view = ticket_view(ticket, QueueFigures(unit.repo, ticket.centre, ticket.day, now=now))
        return with_print(unit.repo, ticket, view) if printed else view


def list_centres(*, uow: UnitOfWorkFactory) -> list[dict[str, Any]]:
    """Every centre's code, name and time zone; its kind, and the sponsor paying its fees."""
    with uow(write=False) as unit:
        return [
            {
                "code": c.code,
                "name": c.name,
                "timezone": c.timezone,
                "kind": c.kind,
                "sponsor": c.sponsor,
            }
            for c in unit.repo.centres()
        ]


def list_services(
    centre_code: str, *, uow: UnitOfWorkFactory, clock: Clock
) -> list[dict[str, Any]]:
    """A centre's services with their waiting counts and estimated waits now."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        now = clock()
        figures = QueueFigures(
            unit.repo, centre, today(centre, now), services=centre.services, now=now
        )
        return [service_view(s, figures) for s in centre.services]


def hall_snapshot(centre_code: str, *, uow: UnitOfWorkFactory, clock: Clock) -> dict[str, Any]:
    """What the hall screen shows: who is at which counter, and how many wait per service."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        now = clock()
        day = today(centre, now)
        figures = QueueFigures(unit.repo, centre, day, services=centre.services, now=now)
        return {
            "centre": centre.code,
            "name": centre.name,
            "timezone": centre.timezone,
            "now_serving": [
                {
                    "number": t.number,
                    "counter": t.counter.number if t.counter else None,
                    "service": t.service.code,
                    "called_at": iso(t.called_at, centre.timezone),
                }
                for t in unit.repo.now_serving(centre)
            ],
            "waiting": {s.code: figures.service_waiting(s) for s in centre.services},
            "recent": [
                {
                    "number": number,
                    "counter": counter,
                    "service": service,
                    "called_at": iso(at, centre.timezone),
                }
                for number, counter, service, at in unit.repo.latest_calls(
                    centre, day, RECENT_CALLS
                )
            ],
        }


def close_past_days(*, uow: UnitOfWorkFactory, notifier: Notifier, clock: Clock) -> int:
    """Expire tickets left open from earlier local days, and forget old phone numbers.

    Run by the server every minute (and at each centre's local midnight, `days`); the call
    order and the counts read only today's tickets, so one left open is never called today
    even before the sweep has expired it.
    """
    now = clock()
    events: list[Event] = []
    with uow() as unit:
        for centre in unit.repo.centres():
            events += expire_past_days(unit.repo, centre, now)
        unit.repo.forget_phone_numbers(now - PHONE_KEPT_FOR)
        unit.commit()
    notifier.publish(events)
    return sum(isinstance(e, TicketChanged) for e in events)


def expire_past_days(repo: Repository, centre: Centre, now: datetime) -> list[Event]:
    """Expire the centre's tickets still open from before its local today; their events."""
    status = ticket_next_status(TicketStatus.WAITING, TicketAction.EXPIRE)
    ids = repo.expire_open_before(
        centre, today(centre, now), {"status": status.value, "finished_at": now}
    )
    if not ids:
        return []
    return [TicketChanged(centre.code, t, status.value) for t in repo.public_ids(ids)]
