"""Use cases of Service by Appointment: slots, booking, cancelling, check-in, no-shows."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from printer.layout import format_local_time

from ..adapters.orm import Appointment, Centre, Service, Ticket
from ..adapters.repository import Repository
from ..adapters.unit_of_work import CONFLICT_ERRORS, UnitOfWorkFactory
from ..domain.appointments import (
    AppointmentStatus,
    Arrival,
    Slot,
    SlotTemplate,
    arrival,
    bookable_days,
    format_ref,
    new_ref,
    no_show_cutoff,
    parse_ref,
    require_cancellable,
    require_slot,
    slots_of_day,
)
from ..domain.errors import Forbidden, InvalidState, InvalidValue, NotFound
from ..domain.events import Event
from ..domain.phone import normalize_phone
from ..domain.routing import rank_time
from .common import Clock, Notifier, Principal, require_access, require_centre, require_service
from .common import today as local_today
from .lookups import note_failed_lookup, require_lookups_left
from .messages import queue_sms
from .tickets import LANGUAGES, add_ticket, rank_policy, read_ticket, require_issuer
from .views import iso

REMINDERS = {"day": timedelta(days=1), "2h": timedelta(hours=2)}
"""The reminders of a booking with a phone: how long before its slot each is sent."""
SUPERVISORS = ("supervisor", "admin")


# -- slots ----------------------------------------------------------------------------------


def parse_day(text: str) -> date:
    """A local date written YYYY-MM-DD, or InvalidValue."""
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidValue("date must be written YYYY-MM-DD.", code="invalid_date") from None


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date and time with its offset, or InvalidValue."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidValue("after must be an ISO 8601 time with its offset.")
    return moment


def list_slots(
    centre_code: str, service_code: str, day_text: str, *, uow: UnitOfWorkFactory, clock: Clock
) -> list[dict[str, Any]]:
    """The service's slots on a local date with their free places; past slots are left out."""
    day = parse_day(day_text)
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        service = require_service(centre, service_code)
        now = clock()
        return [
            _slot_view(slot, free, centre)
            for slot, free in _open_slots(unit.repo, service, day, now)
            if slot.start > now
        ]


def _open_slots(
    repo: Repository, service: Service, day: date, now: datetime
) -> list[tuple[Slot, int]]:
    """(slot, free places) of a bookable day: none outside the booking window or when closed."""
    centre = service.centre
    first, last = bookable_days(local_today(centre, now), centre.booking_days)
    if not first <= day <= last or repo.closed_days(service, day, day):
        return []
    slots = _day_slots(service, day)
    if not slots:
        return []
    taken = repo.places_taken(service, slots[0].start, slots[-1].end)
    return [(slot, max(0, slot.capacity - taken.get(slot.start, 0))) for slot in slots]


def _day_slots(service: Service, day: date) -> list[Slot]:
    """The slots the service's templates make on a local day."""
    templates = [SlotTemplate.from_config(t) for t in service.slot_templates]
    return slots_of_day(templates, day, service.centre.timezone)


def _slot_view(slot: Slot, free: int, centre: Centre) -> dict[str, Any]:
    """The contract's slot entry."""
    return {
        "start": iso(slot.start, centre.timezone),
        "end": iso(slot.end, centre.timezone),
        "capacity": slot.capacity,
        "free": free,
    }


def nearest_free_slots(
    centre_code: str,
    service_code: str,
    after: datetime,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
    limit: int = 3,
) -> list[dict[str, Any]]:
    """The first free slots of a service from `after` on, over the booking window."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        service = require_service(centre, service_code)
        now = clock()
        found: list[dict[str, Any]] = []
        day = max(local_today(centre, after), local_today(centre, now))
        _, last = bookable_days(local_today(centre, now), centre.booking_days)
        while day <= last and len(found) < limit:
            found += [
                _slot_view(slot, free, centre)
                for slot, free in _open_slots(unit.repo, service, day, now)
                if free and slot.start > max(now, after)
            ][: limit - len(found)]
            day += timedelta(days=1)
        return found


def booking_info(centre_code: str, *, uow: UnitOfWorkFactory) -> dict[str, Any]:
    """What the booking page needs of a centre: its name and the services one can book."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        return {
            "centre": centre.code,
            "name": centre.name,
            "timezone": centre.timezone,
            "booking_days": centre.booking_days,
            "checkin_early_s": centre.checkin_early_s,
            "checkin_late_s": centre.checkin_late_s,
            "services": [
                {
                    "code": s.code,
                    "name": {"en": s.name_en, "sw": s.name_sw},
                    "category": {"en": s.category_en, "sw": s.category_sw},
                }
                for s in centre.services
                if s.slot_templates and s.open
            ],
        }


def days_with_free_slots(
    centre_code: str, service_code: str, *, uow: UnitOfWorkFactory, clock: Clock
) -> list[dict[str, Any]]:
    """The local days of the booking window with free places: [{date, free}]."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        service = require_service(centre, service_code)
        now = clock()
        day, last = bookable_days(local_today(centre, now), centre.booking_days)
        found = []
        while day <= last:
            free = sum(
                f for slot, f in _open_slots(unit.repo, service, day, now) if slot.start > now
            )
            if free:
                found.append({"date": day.isoformat(), "free": free})
            day += timedelta(days=1)
        return found


# -- booking --------------------------------------------------------------------------------


def book(
    centre_code: str,
    service_code: str,
    start: datetime,
    *,
    language: str = "en",
    phone: str | None = None,
    consent: bool = False,
    idempotency_key: str | None = None,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> dict[str, Any]:
    """Book one place of a slot; the same Idempotency-Key gives the same booking."""
    if language not in LANGUAGES:
        raise InvalidValue("language must be 'en' or 'sw'.")
    if phone and not consent:
        raise InvalidValue("A phone number is kept only with consent.", code="consent_required")
    phone_e164 = normalize_phone(phone) if phone else None
    attempt = partial(
        _book_once,
        centre_code,
        service_code,
        start,
        language,
        phone_e164,
        idempotency_key,
        uow=uow,
        clock=clock,
    )
    try:
        return attempt()
    except CONFLICT_ERRORS:
        # Another booking under the same key or phone committed meanwhile: a second attempt
        # finds it and answers as the rules say (the same booking, or already_booked).
        return attempt()


def _book_once(
    centre_code: str,
    service_code: str,
    start: datetime,
    language: str,
    phone: str | None,
    idempotency_key: str | None,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> dict[str, Any]:
    """One attempt at booking, in one transaction."""
    with uow() as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        service = require_service(centre, service_code)
        if idempotency_key:
            earlier = repo.appointment_by_idempotency_key(centre, idempotency_key)
            if earlier is not None:
                if earlier.service_id != service.id or earlier.start != start:
                    raise InvalidState(
                        "This Idempotency-Key was used for another booking.",
                        code="idempotency_key_reused",
                    )
                return appointment_view(earlier)
        now = clock()
        day = local_today(centre, start)
        slot = require_slot([s for s, _ in _open_slots(repo, service, day, now)], start, now)
        if phone and repo.phone_has_booking(service, day, phone):
            raise InvalidState(
                "This phone already has a booking for this service that day.",
                code="already_booked",
            )
        appointment = Appointment(
            public_id=secrets.token_urlsafe(16),
            ref=new_ref(),
            centre=centre,
            service=service,
            day=day,
            start=slot.start,
            end=slot.end,
            status=AppointmentStatus.BOOKED.value,
            language=language,
            phone=phone,
            phone_consent_at=now if phone else None,
            booked_at=now,
            idempotency_key=idempotency_key,
        )
        repo.add(appointment)
        repo.flush()
        _queue_booking_sms(repo, appointment, now)
        view = appointment_view(appointment)
        # The place is claimed last: the slot's usage row stays locked (PostgreSQL) from this
        # update to the commit, so everyone rushing for the slot waits only that long.
        if not repo.claim_place(service, slot.start, slot.capacity):
            raise InvalidState("That slot has just been filled.", code="slot_full")
        unit.commit()
    return view


def _queue_booking_sms(repo: Repository, appointment: Appointment, now: datetime) -> None:
    """A booking with a phone: its confirmation now, its reminders a day and two hours before."""
    send = _sms_to(repo, appointment, now)
    send("appointment_booked", "booked")
    for name, before in REMINDERS.items():
        due = appointment.start - before
        if due > now:
            send("appointment_reminder", name, send_at=due)


def _sms_to(repo: Repository, appointment: Appointment, now: datetime) -> Callable[..., bool]:
    """Store an SMS about `appointment` to its phone (if it has one): (purpose, what, ...)."""
    centre, service = appointment.centre, appointment.service
    params: dict[str, str | int] = {
        "centre": centre.code,
        "ref": format_ref(appointment.ref),
        "service": service.name_sw if appointment.language == "sw" else service.name_en,
        "when": format_local_time(appointment.start.astimezone(ZoneInfo(centre.timezone))),
        "reason": appointment.reason or "",
    }

    def send(purpose: str, what: str, **when: datetime) -> bool:
        if not appointment.phone:
            return False
        return queue_sms(
            repo,
            centre=centre,
            purpose=purpose,
            subject=f"appointment:{appointment.ref}:{what}",
            phone=appointment.phone,
            language=appointment.language,
            params=params,
            now=now,
            **when,
        )

    return send


def appointment_view(appointment: Appointment) -> dict[str, Any]:
    """The contract's `appointment` object (never the phone)."""
    zone = appointment.centre.timezone
    return {
        "id": appointment.public_id,
        "ref": format_ref(appointment.ref),
        "centre": appointment.centre.code,
        "service": appointment.service.code,
        "service_name": {"en": appointment.service.name_en, "sw": appointment.service.name_sw},
        "start": iso(appointment.start, zone),
        "end": iso(appointment.end, zone),
        "status": appointment.status,
        "reason": appointment.reason,
        "ticket": appointment.ticket.public_id if appointment.ticket else None,
    }


# -- look-ups and cancelling ----------------------------------------------------------------


def _lookup(repo: Repository, ref_text: str, address: str, now: datetime) -> Appointment:
    """The appointment a citizen names; failures count against their address (429 past 20)."""
    require_lookups_left(repo, address, now)
    ref = parse_ref(ref_text)
    appointment = repo.appointment(ref) if ref else None
    if appointment is None:
        note_failed_lookup(repo, address, now)
        raise _unknown()
    return appointment


def _unknown() -> NotFound:
    """The one answer for a ref that is wrong or unknown."""
    return NotFound("There is no booking with this ref.", code="unknown_appointment")


def get_appointment(
    ref_text: str, address: str, *, uow: UnitOfWorkFactory, clock: Clock
) -> dict[str, Any]:
    """A booking as its holder sees it."""
    with uow() as unit:
        try:
            return appointment_view(_lookup(unit.repo, ref_text, address, clock()))
        finally:
            unit.commit()  # a failed look-up is counted even though it answers 404


def cancel(ref_text: str, address: str, *, uow: UnitOfWorkFactory, clock: Clock) -> dict[str, Any]:
    """Cancel a booking before its slot; its place is free again."""
    with uow() as unit:
        repo = unit.repo
        now = clock()
        try:
            appointment = _lookup(repo, ref_text, address, now)
        except NotFound:
            unit.commit()
            raise
        require_cancellable(appointment.status, appointment.start, now)
        _cancel(repo, appointment, now, reason=None)
        view = appointment_view(appointment)
        unit.commit()
    return view


def _cancel(repo: Repository, appointment: Appointment, now: datetime, reason: str | None) -> None:
    """Move a booking to cancelled (guarded) and give its place back."""
    cancelled = AppointmentStatus.CANCELLED.value
    if not repo.move_appointment(
        appointment.id,
        AppointmentStatus.BOOKED.value,
        {"status": cancelled, "closed_at": now, "reason": reason},
    ):
        raise InvalidState("This booking can no longer be cancelled.")
    repo.release_place(appointment.service_id, appointment.start)
    for name in REMINDERS:
        repo.expire_sms("appointment_reminder", f"appointment:{appointment.ref}:{name}")
    appointment.status, appointment.closed_at, appointment.reason = cancelled, now, reason


# -- check-in -------------------------------------------------------------------------------


class _CheckedInMeanwhile(Exception):
    """Another check-in of the same booking committed first; the retry returns its ticket."""


def check_in(
    principal: Principal,
    centre_code: str,
    ref_text: str,
    *,
    base_url: str | None = None,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> tuple[dict[str, Any], bool]:
    """The booking's ticket, and whether it is new (a second check-in returns the same)."""
    attempt = partial(
        _check_in_once, principal, centre_code, ref_text, base_url, uow=uow, clock=clock
    )
    try:
        ticket, events, new = attempt()
    except (_CheckedInMeanwhile, *CONFLICT_ERRORS):
        ticket, events, new = attempt()
    notifier.publish(events)
    return ticket, new


def _check_in_once(
    principal: Principal,
    centre_code: str,
    ref_text: str,
    base_url: str | None,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> tuple[dict[str, Any], list[Event], bool]:
    """One attempt at checking in, in one transaction."""
    with uow() as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        require_issuer(principal, centre)
        ref = parse_ref(ref_text)
        appointment = repo.appointment(ref) if ref else None
        if appointment is None or appointment.centre_id != centre.id:
            raise _unknown()
        if appointment.ticket is not None:
            return read_ticket(uow, appointment.ticket.public_id, now=clock()), [], False
        if appointment.status not in (AppointmentStatus.BOOKED, AppointmentStatus.NO_SHOW):
            raise InvalidState(f"This booking is {appointment.status}.")
        now = clock()
        when = arrival(now, appointment.start, centre.checkin_early_s, centre.checkin_late_s)
        if when is Arrival.TOO_EARLY:
            raise InvalidState(
                f"Check-in opens {centre.checkin_early_s // 60} minutes before the slot.",
                code="too_early",
            )
        on_time = when is Arrival.ON_TIME
        ticket = Ticket(
            language=appointment.language,
            rank_at=rank_time(
                now, "none", rank_policy(centre), appointment.start if on_time else None
            ),
            appointment_at=appointment.start if on_time else None,
            appointment_ref=appointment.ref,
        )
        events = add_ticket(
            repo, principal, appointment.service, ticket, base_url=base_url, now=now
        )
        if not repo.move_appointment(
            appointment.id,
            appointment.status,
            {"status": AppointmentStatus.CHECKED_IN.value, "ticket_id": ticket.id},
        ):
            raise _CheckedInMeanwhile()
        unit.commit()
    return read_ticket(uow, ticket.public_id, now=now), events, True


# -- staff: the day's list, closed days, no-shows -------------------------------------------


def appointments_of_day(
    principal: Principal,
    centre_code: str,
    day_text: str | None,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> list[dict[str, Any]]:
    """The centre's appointments on a local date (default today), for its staff."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        _require_staff(principal, centre)
        day = parse_day(day_text) if day_text else local_today(centre, clock())
        return [appointment_view(a) for a in unit.repo.appointments_of_day(centre, day)]


def _require_staff(principal: Principal, centre: Centre) -> None:
    """Forbidden unless a signed-in member of the centre's staff acts."""
    if not principal.is_user:
        raise Forbidden("Only staff of the centre can do this.")
    require_access(principal, centre)


def close_day(
    principal: Principal,
    centre_code: str,
    service_code: str,
    day_text: str,
    reason: str,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> dict[str, Any]:
    """Close a service's bookings on one local day; its bookings are cancelled with the reason.

    Nobody's booking disappears: each keeps its ref and reads `cancelled` with the reason.
    """
    day = parse_day(day_text)
    with uow() as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        _require_staff(principal, centre)
        if principal.role not in SUPERVISORS:
            raise Forbidden("Only a supervisor can close a day.")
        service = require_service(centre, service_code)
        now = clock()
        if day < local_today(centre, now):
            raise InvalidValue("That day has passed.", code="day_past")
        newly = repo.close_day(service, day, reason, now, principal.id)
        cancelled = []
        for appointment in repo.booked_of_service_day(service, day):
            _cancel(repo, appointment, now, reason=reason)
            _sms_to(repo, appointment, now)("appointment_cancelled", "cancelled")
            cancelled.append(appointment)
        unit.commit()
    return {
        "service": service.code,
        "date": day.isoformat(),
        "reason": reason,
        "closed": newly,
        "cancelled": len(cancelled),
    }


def mark_no_shows(*, uow: UnitOfWorkFactory, clock: Clock) -> int:
    """Bookings not checked in by their start plus the centre's checkin_late_s: no_show."""
    now = clock()
    marked = 0
    with uow() as unit:
        repo = unit.repo
        for centre in repo.centres():
            for appointment_id in repo.booked_before(
                centre, no_show_cutoff(now, centre.checkin_late_s)
            ):
                marked += repo.move_appointment(
                    appointment_id,
                    AppointmentStatus.BOOKED.value,
                    {"status": AppointmentStatus.NO_SHOW.value, "closed_at": now},
                )
        unit.commit()
    return marked
