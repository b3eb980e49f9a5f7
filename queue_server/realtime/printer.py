"""Namespace /printer: print agents on kiosk PCs get their kiosk's print jobs and report back.

Connect with `auth={"token": KIOSK_TOKEN}`, or `auth={"token": PRINTER_AGENT_TOKEN, "kiosk": NAME}`
for a printer-agent device of the kiosk's centre. On every connect the server sends each job
still to print (`print_job`), so an agent that was away misses none; new jobs follow live.
"""

from __future__ import annotations

from typing import Literal

from flask import request
from flask_socketio import Namespace, emit, join_room
from pydantic import Field

from printer.backends import PrinterStatus
from printer.jobs import Delivery

from ..bootstrap import services
from ..domain.errors import DomainError, InvalidValue
from ..protocol import PRINT_JOB, printer_room
from ..schemas import DB_INT_MAX, Payload, validate
from ..services.printing import agent
from .acks import acknowledged, refused


class PrinterReport(Payload):
    """What the print agent saw of its printer during the attempt."""

    state: Literal["ok", "fault", "unknown"] = "unknown"
    online: bool | None = None
    paper: Literal["ok", "near_end", "out", "unknown"] = "unknown"
    cover_open: bool | None = None


class JobPrinted(Payload):
    id: int = Field(ge=1, le=DB_INT_MAX)
    printer: PrinterReport = PrinterReport()


class JobFailed(Payload):
    id: int = Field(ge=1, le=DB_INT_MAX)
    error: str = Field(min_length=1, max_length=500)
    permanent: bool = False
    printer: PrinterReport = PrinterReport(state="fault")


def _delivery(printed: bool, report: PrinterReport, error: str | None, permanent: bool) -> Delivery:
    """The agent's report as the outcome of one attempt."""
    status = PrinterStatus(report.online, report.paper, report.cover_open)
    return Delivery(printed, status, report.state, error, permanent)


class PrinterNamespace(Namespace):
    """One print agent per kiosk: it prints what it is sent and acknowledges every job."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.agents: dict[str, agent.AgentKiosk] = {}

    def on_connect(self, auth: object = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        token, kiosk = auth.get("token"), auth.get("kiosk")
        s = services()
        try:
            principal = s.auth.principal(token if isinstance(token, str) else None)
            if kiosk is not None and not isinstance(kiosk, str):
                raise InvalidValue("auth.kiosk must be the name of a kiosk.")
            target = agent.agent_kiosk(principal, kiosk, uow=s.uow)
        except DomainError as error:
            raise refused(error.code, error.message) from None
        self.agents[request.sid] = target  # type: ignore[attr-defined]
        # Join before reading, so a job stored meanwhile comes live if not in the list.
        join_room(printer_room(target.centre, target.kiosk))
        for job in agent.agent_jobs(target, uow=s.uow, clock=s.clock):
            emit(PRINT_JOB, job)

    def on_disconnect(self, reason: object = None) -> None:
        self.agents.pop(request.sid, None)  # type: ignore[attr-defined]

    @acknowledged
    def on_job_printed(self, data: object = None) -> dict:
        body = validate(JobPrinted, data)
        return self._record(body.id, _delivery(True, body.printer, None, False))

    @acknowledged
    def on_job_failed(self, data: object = None) -> dict:
        body = validate(JobFailed, data)
        return self._record(body.id, _delivery(False, body.printer, body.error, body.permanent))

    def _record(self, job_id: int, delivery: Delivery) -> dict:
        """Record the agent's report on one of its kiosk's jobs."""
        kiosk = self.agents[request.sid]  # type: ignore[attr-defined]
        s = services()
        return agent.agent_reported(kiosk, job_id, delivery, uow=s.uow, clock=s.clock)
