"""The server's print worker: claiming due jobs (once, across processes) and printing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from printer.jobs import Delivery

from ...adapters.unit_of_work import UnitOfWorkFactory
from ..common import Clock
from .attempts import expire_jobs, record_attempt, save_printer_state, stale_jobs
from .jobs import PRINTING

MAY_HAVE_PRINTED = (
    "the server stopped while sending this job, so it may have printed: reprint it if not"
)
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


def claim_due_jobs(*, uow: UnitOfWorkFactory, clock: Clock) -> list[ClaimedJob]:
    """Take the due job at the head of each printer's queue; jobs of dead workers come back.

    Each job is taken by a conditional UPDATE, so of several processes only one gets it.
    """
    now = clock()
    with uow(write=False) as unit:  # most passes find nothing: no need for SQLite's write lock
        stale = stale_jobs(unit.repo, now)
        if not stale and not unit.repo.print_work_due(now):
            return []
    with uow() as unit:
        repo = unit.repo
        expire_jobs(repo, stale)
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
        save_printer_state(unit.repo, job.device_id, delivery, now)
        state = record_attempt(unit.repo, job.id, PRINTING, delivery, now, counted=True)
        unit.commit()
    return state


def print_due_jobs(*, deliver: Deliver, uow: UnitOfWorkFactory, clock: Clock) -> list[str]:
    """Claim and print every due job, one after another; their states afterwards."""
    return [
        print_job(job, deliver=deliver, uow=uow, clock=clock)
        for job in claim_due_jobs(uow=uow, clock=clock)
    ]
