"""Use cases of ticket printing: durable print jobs, their delivery and retries, printer states.

A kiosk's ticket is rendered to ESC/POS bytes and stored as a print job in the transaction that
issues it, so a printer fault never loses it. The server's print worker claims due jobs
atomically (several processes never take the same one) and sends them; a kiosk whose printer
is "agent" has its jobs sent to its print agent over Socket.IO instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from printer.jobs import MAX_ATTEMPTS, Delivery, retry_delay_s
from printer.layout import PaperWidth, TicketPrint, ticket_bytes

from ..adapters.orm import Centre, Device, PrintJob, Ticket
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.errors import Forbidden, InvalidState, NotFound
from ..domain.events import Event, PrintJobQueued
from ..domain.model import OPEN_STATUSES
from ..protocol import print_job_payload
from .common import (
    SUPERVISORS,
    Clock,
    Notifier,
    Principal,
    require_access,
    require_centre,
    require_supervisor,
    require_ticket,
)
from .views import QueueFigures, iso, ticket_view

PENDING, PRINTING, PRINTED, FAILED = "pending", "printing", "printed", "failed"
MAY_HAVE_PRINTED = (
    "the server stopped while sending this job, so it may have printed: reprint it if not"
)
EXPIRED = "expired"  # not printed within the device's print_expiry_s: a supervisor may reprint
PAPER_WIDTH_MM: PaperWidth = 80
LEASE = timedelta(seconds=60)  # far longer than a status query and a send, each 3 s at most

Deliver = Callable[..., Delivery]
"""Print already-rendered bytes on the printer a URL names, and say how it went (the options of
printer.jobs.deliver: status_required, before_write)."""


@dataclass(frozen=True)
class ClaimedJob:
    """A job a worker took for printing, with everything it needs outside the transaction."""

    id: int
    device_id: int
    printer: str
    data: bytes
    status_required: bool = True  # the device's printer_status is "required"


@dataclass(frozen=True)
class AgentKiosk:
    """The kiosk whose printer a connected print agent serves."""

    centre: str
    kiosk: str
    device_id: int


# -- storing jobs ---------------------------------------------------------------------------


def print_issued_ticket(
    repo: Repository,
    principal: Principal,
    ticket: Ticket,
    view: dict[str, Any],
    *,
    base_url: str | None,
    now: datetime,
) -> list[Event]:
    """Store the print job of a ticket issued at a kiosk with a printer, in the same transaction.

    Adds `print` to the ticket's `view`; returns the event that wakes whoever prints it.
    """
    device = kiosk_printer(repo, principal)
    if device is None:
        return []
    job = _store_job(repo, ticket, device, view, base_url=base_url, now=now, requested_by=None)
    view["print"] = print_summary(repo, job)
    return [_queued(job)]


def kiosk_printer(repo: Repository, principal: Principal) -> Device | None:
    """The kiosk device acting, when it has a printer (its tickets are printed)."""
    device = repo.device(principal.id) if principal.kind == "device" else None
    return None if device is None or device.printer == "none" else device


def with_print(repo: Repository, ticket: Ticket, view: dict[str, Any]) -> dict[str, Any]:
    """The ticket's view with the `print` of its first print job, if it has one."""
    job = repo.first_print_job(ticket)
    return view if job is None else {**view, "print": print_summary(repo, job)}


def _store_job(
    repo: Repository,
    ticket: Ticket,
    device: Device,
    view: dict[str, Any],
    *,
    base_url: str | None,
    now: datetime,
    requested_by: int | None,
) -> PrintJob:
    """Render the ticket and stage its print job for `device`."""
    if not base_url:
        raise ValueError("a printed ticket needs the server's base URL for its QR code")
    job = PrintJob(
        centre_id=ticket.centre_id,
        ticket=ticket,
        device=device,
        reprint=requested_by is not None,
        requested_by=requested_by,
        state=PENDING,
        data=ticket_bytes(ticket_print(ticket, view, base_url)),
        attempts=0,
        next_try_at=now,
        created_at=now,
    )
    repo.hurry_print_jobs(device.id, now)
    repo.add(job)
    repo.flush()
    return job


def ticket_print(ticket: Ticket, view: dict[str, Any], base_url: str) -> TicketPrint:
    """What is printed on the ticket, from the ticket and its view (place and wait) now."""
    centre, service = ticket.centre, ticket.service
    return TicketPrint(
        centre_name=centre.name,
        service_name={"en": service.name_en, "sw": service.name_sw},
        language="sw" if ticket.language == "sw" else "en",
        number=ticket.number,
        priority=view["priority"],
        issued_at_local=ticket.issued_at.astimezone(ZoneInfo(centre.timezone)),
        ahead=view["ahead"] or 0,
        estimated_wait_s=view["estimated_wait_s"],
        track_url=f"{base_url.rstrip('/')}/track/{ticket.public_id}",
        paper_width_mm=PAPER_WIDTH_MM,
        appointment=view.get("appointment"),
        sponsor=view.get("sponsor"),
        fee_kes=ticket.fee_kes,
    )


def _queued(job: PrintJob) -> PrintJobQueued:
    """The event of a job ready to print."""
    return PrintJobQueued(
        centre=job.ticket.centre.code,
        kiosk=job.device.name,
        job_id=job.id,
        ticket_id=job.ticket.public_id,
        number=job.ticket.number,
        reprint=job.reprint,
        by_agent=job.device.printer == "agent",
        data=job.data,
    )


# -- the server's print worker ---------------------------------------------------------------


def claim_due_jobs(*, uow: UnitOfWorkFactory, clock: Clock) -> list[ClaimedJob]:
    """Take the due job at the head of each printer's queue; jobs of dead workers come back.

    Each job is taken by a conditional UPDATE, so of several processes only one gets it.
    """
    now = clock()
    with uow(write=False) as unit:  # most passes find nothing: no need for SQLite's write lock
        stale = _stale_jobs(unit.repo, now)
        if not stale and not unit.repo.print_work_due(now):
            return []
    with uow() as unit:
        repo = unit.repo
        repo.expire_print_jobs(stale, f"not printed within {_EXPIRY_TEXT}")
        repo.release_expired_print_leases(now, MAY_HAVE_PRINTED)
        claimed = [
            ClaimedJob(
                job.id,
                job.device_id,
                job.device.printer,
                job.data,
                job.device.printer_status == "required",
            )
            for job_id in repo.print_queue_heads()
            if (job := repo.claim_print_job(job_id, now, now + LEASE)) is not None
        ]
        unit.commit()
    return claimed


def print_job(job: ClaimedJob, *, deliver: Deliver, uow: UnitOfWorkFactory, clock: Clock) -> str:
    """Print a claimed job and record how it went; its state afterwards."""

    def sending() -> None:  # a worker that dies from here on may have printed the job
        with uow() as unit:
            unit.repo.mark_print_job_sending(job.id, clock())
            unit.commit()

    delivery = deliver(
        job.printer, job.data, status_required=job.status_required, before_write=sending
    )
    now = clock()
    with uow() as unit:
        _save_printer_state(unit.repo, job.device_id, delivery, now)
        state = _record(unit.repo, job.id, PRINTING, delivery, now, counted=True)
        unit.commit()
    return state


_EXPIRY_TEXT = "the printer's print_expiry_s; reprint it if the citizen still needs it"


def _stale_jobs(repo: Repository, now: datetime) -> list[int]:
    """Pending jobs older than their device's print_expiry_s: printing them now would be late."""
    return [
        job_id
        for job_id, created_at, expiry_s in repo.pending_print_job_ages()
        if now - created_at > timedelta(seconds=expiry_s)
    ]


def print_due_jobs(*, deliver: Deliver, uow: UnitOfWorkFactory, clock: Clock) -> list[str]:
    """Claim and print every due job, one after another; their states afterwards."""
    return [
        print_job(job, deliver=deliver, uow=uow, clock=clock)
        for job in claim_due_jobs(uow=uow, clock=clock)
    ]


def _record(
    repo: Repository,
    job_id: int,
    from_state: str,
    delivery: Delivery,
    now: datetime,
    *,
    counted: bool,
) -> str:
    """Store the outcome of an attempt on a job still in `from_state`; the job's state now.

    `counted`: the attempt was already counted when the job was claimed.
    """
    job = repo.print_job(job_id)
    if job is None:
        raise NotFound("There is no such print job.", code="unknown_print_job")
    attempts = job.attempts if counted else job.attempts + 1
    values: dict[str, Any] = {"attempts": attempts, "lease_until": None, "sending_at": None}
    if delivery.printed:
        values |= {"state": PRINTED, "printed_at": now, "last_error": None}
    elif delivery.permanent or attempts >= MAX_ATTEMPTS:
        values |= {"state": FAILED, "last_error": _clip(delivery.error)}
    else:
        retry_at = now + timedelta(seconds=retry_delay_s(attempts))
        values |= {"state": PENDING, "next_try_at": retry_at, "last_error": _clip(delivery.error)}
    if repo.finish_print_job(job_id, from_state, values):
        return str(values["state"])
    return job.state  # finished meanwhile (a reprint is a job of its own, so nothing is lost)


def _save_printer_state(
    repo: Repository, device_id: int, delivery: Delivery, now: datetime
) -> None:
    """Record what the printer said during an attempt (unknown when it said nothing)."""
    status = delivery.status
    repo.save_printer_state(
        device_id,
        {
            "state": delivery.state,
            "online": status.online,
            "paper": status.paper,
            "cover_open": status.cover_open,
            "last_error": _clip(delivery.error),
            "checked_at": now,
        },
    )


def _clip(error: str | None) -> str | None:
    """An error message short enough to store."""
    return None if error is None else error[:500]


# -- print agents ----------------------------------------------------------------------------


def agent_kiosk(principal: Principal, kiosk: str | None, *, uow: UnitOfWorkFactory) -> AgentKiosk:
    """The kiosk a print agent prints for: its own (kiosk token) or a named one (agent token)."""
    with uow(write=False) as unit:
        device = unit.repo.device(principal.id) if principal.kind == "device" else None
        if device is None or device.kind not in ("kiosk", "printer-agent"):
            raise Forbidden("Print agents connect with a kiosk or printer-agent device token.")
        if device.kind == "printer-agent":
            if not kiosk:
                raise InvalidState(
                    "A printer-agent token must name the kiosk it prints for.", code="no_kiosk"
                )
            named = unit.repo.device_by_name(device.centre, kiosk)
            if named is None or named.kind != "kiosk":
                raise NotFound(
                    f"Centre {device.centre.code} has no kiosk '{kiosk}'.", code="unknown_kiosk"
                )
            device = named
        if device.printer != "agent":
            raise InvalidState(
                f"Kiosk {device.name}'s printer is '{device.printer}', not 'agent': "
                "the server prints its tickets.",
                code="not_an_agent_printer",
            )
        return AgentKiosk(device.centre.code, device.name, device.id)


def agent_jobs(kiosk: AgentKiosk, *, uow: UnitOfWorkFactory, clock: Clock) -> list[dict[str, Any]]:
    """Every job still to print for a print agent's kiosk, oldest first, as print_job events.

    Jobs past their device's print_expiry_s expire first, so an agent back after a long
    outage never prints a burst of old tickets.
    """
    now = clock()
    with uow() as unit:
        repo = unit.repo
        repo.expire_print_jobs(_stale_jobs(repo, now), f"not printed within {_EXPIRY_TEXT}")
        payloads = [
            print_job_payload(
                job.id, job.ticket.public_id, job.ticket.number, job.reprint, job.data
            )
            for job in repo.pending_print_jobs(kiosk.device_id)
        ]
        unit.commit()
    return payloads


def agent_reported(
    kiosk: AgentKiosk,
    job_id: int,
    delivery: Delivery,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> dict[str, Any]:
    """Record a print agent's report on a job: {job, retry_in_s} (retry_in_s when to try again)."""
    now = clock()
    with uow() as unit:
        job = unit.repo.print_job(job_id)
        if job is None or job.device_id != kiosk.device_id:
            raise NotFound("This kiosk has no such print job.", code="unknown_print_job")
        _save_printer_state(unit.repo, kiosk.device_id, delivery, now)
        state = _record(unit.repo, job_id, PENDING, delivery, now, counted=False)
        unit.commit()
        job = unit.repo.print_job(job_id)
        assert job is not None
        retry_in = (job.next_try_at - now).total_seconds() if state == PENDING else None
        return {"job": job_view(job), "retry_in_s": retry_in}


# -- reading and managing jobs ---------------------------------------------------------------


def print_summary(repo: Repository, job: PrintJob) -> dict[str, Any]:
    """The `print` object of an issued ticket: its job and the kiosk printer's state."""
    return {"id": job.id, "state": job.state, "printer": printer_view(repo, job.device)}


def printer_view(repo: Repository, device: Device) -> dict[str, Any] | None:
    """A device's printer as the kiosk shows it, or None when the device has no printer."""
    if device.printer == "none":
        return None
    known = repo.printer_state(device.id)
    return {
        "url_kind": device.printer.split(":", 1)[0],
        "state": known.state if known else "unknown",
        "online": known.online if known else None,
        "paper": known.paper if known else "unknown",
        "cover_open": known.cover_open if known else None,
        "last_error": known.last_error if known else None,
        "checked_at": iso(known.checked_at, device.centre.timezone) if known else None,
        "pending_jobs": repo.count_unprinted(device.id),
    }


def job_view(job: PrintJob) -> dict[str, Any]:
    """A print job as the API shows it."""
    timezone = job.ticket.centre.timezone
    return {
        "id": job.id,
        "ticket": job.ticket.public_id,
        "number": job.ticket.number,
        "centre": job.ticket.centre.code,
        "kiosk": job.device.name,
        "reprint": job.reprint,
        "state": job.state,
        "attempts": job.attempts,
        "last_error": job.last_error,
        "created_at": iso(job.created_at, timezone),
        "next_try_at": iso(job.next_try_at, timezone) if job.state == PENDING else None,
        "printed_at": iso(job.printed_at, timezone),
    }


def device_me(principal: Principal, *, uow: UnitOfWorkFactory) -> dict[str, Any]:
    """The device a token belongs to, with its printer's state (for the kiosk's own screen)."""
    if principal.kind != "device":
        raise Forbidden("Only a device token has a device.")
    with uow(write=False) as unit:
        device = unit.repo.device(principal.id)
        if device is None:
            raise NotFound("This device no longer exists.", code="unknown_device")
        return {
            "name": device.name,
            "kind": device.kind,
            "centre": device.centre.code,
            "printer": printer_view(unit.repo, device),
        }


def list_print_jobs(
    principal: Principal,
    centre_code: str,
    *,
    state: str | None,
    limit: int,
    uow: UnitOfWorkFactory,
) -> list[dict[str, Any]]:
    """A centre's print jobs, newest first: all for supervisors, a kiosk's own for a kiosk."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        device_id = _readable_device(principal, centre)
        jobs = unit.repo.print_jobs(centre, device_id=device_id, state=state, limit=limit)
        return [job_view(job) for job in jobs]


def get_print_job(principal: Principal, job_id: int, *, uow: UnitOfWorkFactory) -> dict[str, Any]:
    """One print job, for a supervisor of its centre or the kiosk it prints on."""
    with uow(write=False) as unit:
        job = _require_job(unit.repo, job_id)
        device_id = _readable_device(principal, job.ticket.centre)
        if device_id is not None and device_id != job.device_id:
            raise NotFound("There is no such print job.", code="unknown_print_job")
        return job_view(job)


def reprint_ticket(
    principal: Principal,
    public_id: str,
    *,
    kiosk: str | None,
    base_url: str | None,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> dict[str, Any]:
    """Print a ticket again (a supervisor's decision), on its own kiosk or the one named."""
    now = clock()
    with uow() as unit:
        repo = unit.repo
        ticket = require_ticket(repo, public_id)
        require_supervisor(principal, ticket.centre)
        if ticket.status not in {s.value for s in OPEN_STATUSES}:
            raise InvalidState("Only an open ticket can be printed again.", code="ticket_closed")
        device = _printing_kiosk(repo, ticket, kiosk)
        view = ticket_view(ticket, QueueFigures(repo, ticket.centre, ticket.day))
        job = _store_job(
            repo, ticket, device, view, base_url=base_url, now=now, requested_by=principal.id
        )
        result = job_view(job)
        event = _queued(job)
        unit.commit()
    notifier.publish([event])
    return result


def retry_print_job(
    principal: Principal, job_id: int, *, uow: UnitOfWorkFactory, notifier: Notifier, clock: Clock
) -> dict[str, Any]:
    """Try a failed or expired job again from the start (a supervisor's decision)."""
    now = clock()
    with uow() as unit:
        repo = unit.repo
        job = _require_job(repo, job_id)
        require_supervisor(principal, job.ticket.centre)
        # From the start: its print_expiry_s counts from now again.
        values = {
            "state": PENDING,
            "attempts": 0,
            "next_try_at": now,
            "created_at": now,
            "sending_at": None,
            "last_error": None,
        }
        if not any(repo.finish_print_job(job_id, state, values) for state in (FAILED, EXPIRED)):
            raise InvalidState(
                "Only a failed or expired print job can be retried.", code="not_failed"
            )
        job = _require_job(repo, job_id)
        result, event = job_view(job), _queued(job)
        unit.commit()
    notifier.publish([event])
    return result


def _require_job(repo: Repository, job_id: int) -> PrintJob:
    """The print job with `job_id`, or NotFound."""
    job = repo.print_job(job_id)
    if job is None:
        raise NotFound("There is no such print job.", code="unknown_print_job")
    return job


def _readable_device(principal: Principal, centre: Centre) -> int | None:
    """Whose jobs the principal may read in `centre`: a kiosk's own (its id), or all (None)."""
    require_access(principal, centre)
    if principal.is_user and principal.role in SUPERVISORS:
        return None
    if principal.kind == "device" and principal.role == "kiosk":
        return principal.id
    raise Forbidden("Only a supervisor, an administrator or the kiosk can see print jobs.")


def _printing_kiosk(repo: Repository, ticket: Ticket, kiosk: str | None) -> Device:
    """The kiosk to reprint on: the one named, else the one that issued the ticket."""
    if kiosk is not None:
        device = repo.device_by_name(ticket.centre, kiosk)
        if device is None or device.kind != "kiosk":
            raise NotFound(
                f"Centre {ticket.centre.code} has no kiosk '{kiosk}'.", code="unknown_kiosk"
            )
        return _with_printer(device)
    device = repo.device(ticket.device_id) if ticket.device_id is not None else None
    if device is None:
        raise InvalidState(
            "This ticket was not issued at a kiosk; name the kiosk to print on.",
            code="no_printer",
        )
    return _with_printer(device)


def _with_printer(device: Device) -> Device:
    """The device, if it has a printer; else InvalidState."""
    if device.printer == "none":
        raise InvalidState(f"Kiosk {device.name} has no printer.", code="no_printer")
    return device
