"""Print jobs and printer states."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import aliased, selectinload

from ..orm import (
    Centre,
    Device,
    PrinterState,
    PrintJob,
    Ticket,
)
from .base import Queries

_UNPRINTED = ["pending", "printing"]


_FIRST_PRINT_JOB = (  # every kiosk's answer
    select(PrintJob)
    .where(PrintJob.ticket_id == bindparam("ticket_id"), PrintJob.reprint.is_(False))
    .order_by(PrintJob.id)
    .limit(1)
)


class PrintQueries(Queries):
    """Print jobs, claimed atomically, and what printers said."""

    def device(self, device_id: int) -> Device | None:
        """The device with `device_id`."""
        return self.session.get(Device, device_id)

    def device_by_name(self, centre: Centre, name: str) -> Device | None:
        """The centre's device named `name`."""
        return self.session.scalars(
            select(Device).where(Device.centre_id == centre.id, Device.name == name)
        ).one_or_none()

    def print_job(self, job_id: int) -> PrintJob | None:
        """The print job with `job_id`, read afresh."""
        return self.session.get(PrintJob, job_id, populate_existing=True)

    def first_print_job(self, ticket: Ticket) -> PrintJob | None:
        """The print job made when the ticket was issued (not a reprint)."""
        return self.session.scalars(_FIRST_PRINT_JOB, {"ticket_id": ticket.id}).one_or_none()

    def print_jobs_by_state(self) -> dict[str, int]:
        """How many print jobs are in each state, over every centre (for /metrics)."""
        rows = self.session.execute(
            select(PrintJob.state, func.count()).group_by(PrintJob.state)
        ).all()
        return {state: count for state, count in rows}

    def print_jobs(
        self, centre: Centre, *, device_id: int | None, state: str | None, limit: int
    ) -> Sequence[PrintJob]:
        """A centre's print jobs, newest first, of one device and one state if given."""
        query = select(PrintJob).where(PrintJob.centre_id == centre.id)
        if device_id is not None:
            query = query.where(PrintJob.device_id == device_id)
        if state is not None:
            query = query.where(PrintJob.state == state)
        return self.session.scalars(
            query.options(selectinload(PrintJob.ticket), selectinload(PrintJob.device))
            .order_by(PrintJob.id.desc())
            .limit(limit)
        ).all()

    def count_unprinted(self, device_id: int) -> int:
        """Jobs of a device still to print (pending or being printed)."""
        return (
            self.session.scalar(
                select(func.count())
                .select_from(PrintJob)
                .where(PrintJob.device_id == device_id, PrintJob.state.in_(_UNPRINTED))
            )
            or 0
        )

    def hurry_print_jobs(self, device_id: int, now: datetime) -> None:
        """Make a device's waiting jobs due now (a new job is a sign its printer may be back)."""
        self.session.execute(
            update(PrintJob)
            .where(PrintJob.device_id == device_id, PrintJob.state == "pending")
            .values(next_try_at=now)
            .execution_options(synchronize_session=False)
        )

    def release_expired_print_leases(self, now: datetime, may_have_printed: str) -> int:
        """Jobs whose worker stopped (was killed) while printing them: before sending, back to
        pending; once sending had begun, failed with `may_have_printed` (never sent twice)."""
        stuck = and_(PrintJob.state == "printing", PrintJob.lease_until < now)
        result = self.session.execute(
            update(PrintJob)
            .where(stuck, PrintJob.sending_at.is_(None))
            .values(state="pending", lease_until=None, next_try_at=now)
            .execution_options(synchronize_session=False)
        )
        sent = self.session.execute(
            update(PrintJob)
            .where(stuck, PrintJob.sending_at.is_not(None))
            .values(state="failed", lease_until=None, last_error=may_have_printed)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) + int(sent.rowcount)  # type: ignore[attr-defined]

    def mark_print_job_sending(self, job_id: int, now: datetime) -> bool:
        """Record that a claimed job's bytes are about to go; whether it is still claimed."""
        result = self.session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.state == "printing")
            .values(sending_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    def print_work_due(self, now: datetime) -> bool:
        """Whether a job waits for the server's worker now, or a dead worker's job is stuck."""
        due = and_(PrintJob.state == "pending", PrintJob.next_try_at <= now)
        stuck = and_(PrintJob.state == "printing", PrintJob.lease_until < now)
        return bool(
            self.session.scalar(
                select(
                    exists()
                    .where(or_(due, stuck), Device.id == PrintJob.device_id)
                    .where(Device.printer != "agent")
                )
            )
        )

    def print_queue_heads(self) -> Sequence[int]:
        """The oldest pending job of every device the server prints for (not print agents)."""
        return self.session.scalars(
            select(func.min(PrintJob.id))
            .join(Device, Device.id == PrintJob.device_id)
            .where(PrintJob.state == "pending", Device.printer != "agent")
            .group_by(PrintJob.device_id)
        ).all()

    def claim_print_job(self, job_id: int, now: datetime, lease_until: datetime) -> PrintJob | None:
        """Take a due pending job for printing, atomically; None if it is not due or taken.

        A device prints one job at a time, so a job is not taken while another of its
        device's is being printed.
        """
        busy = aliased(PrintJob)
        result = self.session.execute(
            update(PrintJob)
            .where(
                PrintJob.id == job_id,
                PrintJob.state == "pending",
                PrintJob.next_try_at <= now,
                ~exists().where(busy.device_id == PrintJob.device_id, busy.state == "printing"),
            )
            .values(state="printing", lease_until=lease_until, attempts=PrintJob.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return self.print_job(job_id)

    def finish_print_job(self, job_id: int, from_state: str, values: dict) -> bool:
        """Record how a job went, only if it is still in `from_state`; whether it was."""
        result = self.session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.state == from_state)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    def pending_print_job_ages(self) -> list[tuple[int, datetime, int]]:
        """(id, created_at, its device's print_expiry_s) of every pending job."""
        rows = self.session.execute(
            select(PrintJob.id, PrintJob.created_at, Device.print_expiry_s)
            .join(Device, Device.id == PrintJob.device_id)
            .where(PrintJob.state == "pending")
        ).all()
        return [(job_id, created_at, expiry_s) for job_id, created_at, expiry_s in rows]

    def expire_print_jobs(self, job_ids: list[int], reason: str) -> int:
        """Mark these jobs expired if they are still pending; how many were."""
        if not job_ids:
            return 0
        result = self.session.execute(
            update(PrintJob)
            .where(PrintJob.id.in_(job_ids), PrintJob.state == "pending")
            .values(state="expired", last_error=reason)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def pending_print_jobs(self, device_id: int) -> Sequence[PrintJob]:
        """A device's pending jobs, oldest first."""
        return self.session.scalars(
            select(PrintJob)
            .where(PrintJob.device_id == device_id, PrintJob.state == "pending")
            .options(selectinload(PrintJob.ticket))
            .order_by(PrintJob.id)
        ).all()

    def printer_state(self, device_id: int) -> PrinterState | None:
        """What a device's printer last said about itself."""
        return self.session.get(PrinterState, device_id, populate_existing=True)

    def save_printer_state(self, device_id: int, values: dict) -> None:
        """Record a device's printer state (the row is made by whoever comes first)."""
        self.session.execute(
            self._insert()(PrinterState)
            .values(device_id=device_id, **values)
            .on_conflict_do_nothing()
        )
        self.session.execute(
            update(PrinterState)
            .where(PrinterState.device_id == device_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
