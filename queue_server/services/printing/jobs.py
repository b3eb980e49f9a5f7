"""Print jobs as stored with the ticket that caused them, and as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from printer.layout import PaperWidth, TicketPrint, ticket_bytes

from ...adapters.orm import Device, PrintJob, Ticket
from ...adapters.repository import Repository
from ...domain.events import Event, PrintJobQueued
from ..common import Principal
from ..views import iso

PENDING, PRINTING, PRINTED, FAILED = "pending", "printing", "printed", "failed"
EXPIRED = "expired"  # not printed within the device's print_expiry_s: a supervisor may reprint
PAPER_WIDTH_MM: PaperWidth = 80


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
    job = store_job(repo, ticket, device, view, base_url=base_url, now=now, requested_by=None)
    view["print"] = print_summary(repo, job)
    return [queued(job)]


def kiosk_printer(repo: Repository, principal: Principal) -> Device | None:
    """The kiosk device acting, when it has a printer (its tickets are printed).

    The principal says so without a read; the device is read only then, and its printer
    checked again, in case a configuration took it away since the principal was kept."""
    device = repo.device(principal.id) if principal.prints else None
    return None if device is None or device.printer == "none" else device


def with_print(repo: Repository, ticket: Ticket, view: dict[str, Any]) -> dict[str, Any]:
    """The ticket's view with the `print` of its first print job, if it has one."""
    job = repo.first_print_job(ticket)
    return view if job is None else {**view, "print": print_summary(repo, job)}


def store_job(
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


def queued(job: PrintJob) -> PrintJobQueued:
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


# -- how jobs and printers are shown --------------------------------------------------------


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
