"""The print agent's protocol: which kiosk it prints for, the jobs it is sent, its reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from printer.jobs import Delivery

from ...adapters.unit_of_work import UnitOfWorkFactory
from ...domain.errors import Forbidden, InvalidState, NotFound
from ...protocol import print_job_payload
from ..common import Clock, Principal
from .attempts import expire_jobs, record_attempt, save_printer_state, stale_jobs
from .jobs import PENDING, job_view


@dataclass(frozen=True)
class AgentKiosk:
    """The kiosk whose printer a connected print agent serves."""

    centre: str
    kiosk: str
    device_id: int


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
        expire_jobs(repo, stale_jobs(repo, now))
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
        save_printer_state(unit.repo, kiosk.device_id, delivery, now)
        state = record_attempt(unit.repo, job_id, PENDING, delivery, now, counted=False)
        unit.commit()
        job = unit.repo.print_job(job_id)
        assert job is not None
        retry_in = (job.next_try_at - now).total_seconds() if state == PENDING else None
        return {"job": job_view(job), "retry_in_s": retry_in}
