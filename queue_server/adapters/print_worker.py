"""The server's print worker: a green thread that sends due print jobs to kiosk printers.

It runs only under eventlet (started by `python -m queue_server`). Network printers are written
to with green sockets; USB, serial and file printers block the whole hub while they write, so
those writes go to a real OS thread (eventlet.tpool).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import eventlet
from eventlet import tpool
from eventlet.queue import Empty, LightQueue

from printer.backends import TcpPrinter, parse_printer_url, send
from printer.jobs import Delivery, deliver

from ..domain.events import Event, PrintJobQueued
from ..services.common import Clock, Notifier
from ..services.printing.worker import ClaimedJob, claim_due_jobs, print_job
from .unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)

POLL_S = 1.0  # jobs stored by other processes, retries and dead workers' jobs wait this long
MAX_PRINTING = 32  # printers served at once by one process


def write(url: str, data: bytes) -> None:
    """Send bytes to a printer without stopping the other clients of this process."""
    if isinstance(parse_printer_url(url), TcpPrinter):
        send(url, data)
    else:
        tpool.execute(send, url, data)


def deliver_here(url: str, data: bytes, **options: Any) -> Delivery:
    """One attempt at a job from this server process (options: those of `deliver`)."""
    return deliver(url, data, write=write, **options)


class PrintWorker:
    """Claims due jobs, prints each in its own green thread, and sleeps until woken or due."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock
        self._wakeups: LightQueue = LightQueue(maxsize=1)
        self._pool = eventlet.GreenPool(MAX_PRINTING)

    def wake(self) -> None:
        """Look for due jobs now (a job was just stored, or a printer is free again)."""
        if self._wakeups.empty():
            self._wakeups.put_nowait(None)

    def run_forever(self) -> None:
        """Print due jobs until the process ends; a failed pass is logged and retried."""
        while True:
            try:
                for job in claim_due_jobs(uow=self.uow, clock=self.clock):
                    self._pool.spawn_n(self._print, job)
            except Exception:  # the database may be back on the next pass
                log.exception("claiming print jobs failed")
            with contextlib.suppress(Empty):  # no wake-up: time for the next look
                self._wakeups.get(timeout=POLL_S)

    def _print(self, job: ClaimedJob) -> None:
        """Print one job, then look for the next one of its printer at once."""
        try:
            state = print_job(job, deliver=deliver_here, uow=self.uow, clock=self.clock)
            log.info("print job %s: %s", job.id, state)
        except Exception:  # its lease runs out and another pass takes it again
            log.exception("print job %s failed", job.id)
        self.wake()


class WakingNotifier:
    """Publishes events, and wakes this process's print worker when a job was stored."""

    def __init__(self, inner: Notifier, worker: PrintWorker) -> None:
        self.inner = inner
        self.worker = worker

    def publish(self, events: Sequence[Event]) -> None:
        """Publish through the inner notifier; wake the worker for jobs the server prints."""
        self.inner.publish(events)
        if any(isinstance(e, PrintJobQueued) and not e.by_agent for e in events):
            self.worker.wake()
