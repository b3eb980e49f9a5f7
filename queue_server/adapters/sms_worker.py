"""The server's SMS worker: a green thread that sends due messages through the gateway.

It runs only under eventlet (started by `python -m queue_server`), beside the print worker.
Every server process runs one; the claim in services/messages.py makes sure only one of them
sends each message. Without a gateway configured it keeps messages as `held`.
"""

from __future__ import annotations

import logging

import eventlet

from ..services import messages
from ..services.common import Clock
from .unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)

POLL_S = 1.0  # new messages, retries and dead workers' messages wait at most this long


class SmsWorker:
    """Sends due messages one after another, then sleeps until the next look."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, gateway: messages.SmsGateway | None
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.gateway = gateway

    def run_forever(self) -> None:
        """Send (or hold) due messages until the process ends; a failed pass is retried."""
        self._pass(messages.hold_sms, gateway_configured=self.gateway is not None)
        while True:
            if self.gateway is None:
                self._pass(messages.hold_sms, gateway_configured=False)
            else:
                self._pass(messages.send_due_sms, gateway=self.gateway)
            eventlet.sleep(POLL_S)

    def _pass(self, use_case, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """One pass of a use case; an error is logged and the next pass tries again."""
        try:
            use_case(uow=self.uow, clock=self.clock, **kwargs)
        except Exception:  # the database or the gateway may be back on the next pass
            log.exception("SMS worker pass failed")
