"""The outreach site's sync worker: a green thread sending the log to the central server.

It sends batch after batch while entries wait, looks again every few seconds when none do,
and waits longer after each failure (up to a limit) while the central server cannot be
reached. It keeps nothing in memory that matters: after a restart or a kill it starts again
from the acknowledged entry, and the central server ignores what it already holds.
"""

from __future__ import annotations

import logging

import eventlet

from ..services.common import Clock
from ..services.sync import CentralServer, SyncFailed, upload_once
from .unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)

IDLE_S = 2.0  # new entries wait at most this long when all was sent
FIRST_RETRY_S = 1.0


class SyncWorker:
    """Uploads one site's log to the central server, forever."""

    def __init__(
        self,
        centre: str,
        central: CentralServer,
        uow: UnitOfWorkFactory,
        clock: Clock,
        *,
        retry_max_s: float,
    ) -> None:
        self.centre = centre
        self.central = central
        self.uow = uow
        self.clock = clock
        self.retry_max_s = retry_max_s

    def run_forever(self) -> None:
        """Send while entries wait; back off while the central server is away."""
        retry = FIRST_RETRY_S
        while True:
            try:
                more = upload_once(self.centre, self.central, uow=self.uow, clock=self.clock)
                retry = FIRST_RETRY_S
                eventlet.sleep(0 if more else IDLE_S)
            except SyncFailed as exc:
                log.warning("sync of %s: %s; next try in %.0f s", self.centre, exc, retry)
                eventlet.sleep(retry)
                retry = min(retry * 2, self.retry_max_s)
            except Exception:  # the database may be back on the next pass
                log.exception("sync of %s failed", self.centre)
                eventlet.sleep(retry)
                retry = min(retry * 2, self.retry_max_s)
