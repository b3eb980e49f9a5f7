"""What supervisors and kiosks read and decide about printing: a device's printer, the print
jobs of a centre, retries of failed or expired jobs, and reprints."""

from __future__ import annotations

from typing import Any

from ...adapters.orm import Centre, Device, PrintJob, Ticket
from ...adapters.repository import Repository
from ...adapters.unit_of_work import UnitOfWorkFactory
from ...domain.errors import Forbidden, InvalidState, NotFound
from ...domain.model import OPEN_STATUSES
from ..common import (
    SUPERVISORS,
    Clock,
    Notifier,
    Principal,
    require_access,
    require_centre,
    require_supervisor,
    require_ticket,
)
from ..views import QueueFigures, ticket_view
from .jobs import EXPIRED, FAILED, PENDING, job_view, printer_view, queued, store_job


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
        view = ticket_view(ticket, QueueFigures(repo, ticket.centre, ticket.day, now=now))
        job = store_job(
            repo, ticket, device, view, base_url=base_url, now=now, requested_by=principal.id
        )
        result = job_view(job)
        event = queued(job)
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
        result, event = job_view(job), queued(job)
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
