"""How a print attempt went, recorded the same way for the server's worker and a print agent;
and pending jobs grown too old to print."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from printer.jobs import MAX_ATTEMPTS, Delivery, retry_delay_s

from ...adapters.repository import Repository
from ...domain.errors import NotFound
from .jobs import FAILED, PENDING, PRINTED

_EXPIRY_TEXT = "the printer's print_expiry_s; reprint it if the citizen still needs it"


def stale_jobs(repo: Repository, now: datetime) -> list[int]:
    """Pending jobs older than their device's print_expiry_s: printing them now would be late."""
    return [
        job_id
        for job_id, created_at, expiry_s in repo.pending_print_job_ages()
        if now - created_at > timedelta(seconds=expiry_s)
    ]


def expire_jobs(repo: Repository, job_ids: list[int]) -> None:
    """Mark the stale jobs `job_ids` expired, saying why, for a supervisor to reprint."""
    repo.expire_print_jobs(job_ids, f"not printed within {_EXPIRY_TEXT}")


def record_attempt(
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


def save_printer_state(repo: Repository, device_id: int, delivery: Delivery, now: datetime) -> None:
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
