"""The real-time contract in code: namespaces, event names, rooms and payloads."""

from __future__ import annotations

import base64

from .domain.events import (
    CounterChanged,
    DayStarted,
    Event,
    MoneyAskedReported,
    PrintJobQueued,
    QueueChanged,
    ServiceChanged,
    TicketCalled,
    TicketChanged,
    TicketIssued,
)

COUNTER_NS = "/counter"
DISPLAY_NS = "/display"
PRINTER_NS = "/printer"
SUPERVISOR_NS = "/supervisor"
TICKET_NS = "/ticket"

SNAPSHOT = "snapshot"
TICKET_CALLED = "ticket_called"
QUEUE_CHANGED = "queue_changed"
TICKET_CHANGED = "ticket_changed"
COUNTER_CHANGED = "counter_changed"
PRINT_JOB = "print_job"  # server -> print agent
JOB_PRINTED = "job_printed"  # print agent -> server, acknowledged
JOB_FAILED = "job_failed"  # print agent -> server, acknowledged
SERVICE_CHANGED = "service_changed"  # a service paused or resumed: displays, counters, supervisors
HALL = "hall"  # server -> supervisor: the live hall's figures
MONEY_ASKED = "money_asked"  # server -> supervisor: a citizen says staff asked for money
TICKET = "ticket"  # server -> a phone following its ticket (/ticket)
ACCESS_REVOKED = "access_revoked"  # server -> a signed-in socket it drops: {code, message}


def centre_room(centre: str) -> str:
    """The screens of a centre's hall (displays)."""
    return f"centre:{centre}"


def counter_room(centre: str, number: int) -> str:
    """Every screen open at one counter."""
    return f"counter:{centre}:{number}"


def service_room(centre: str, service: str) -> str:
    """The counters that serve one service (they follow only their own queues)."""
    return f"service:{centre}:{service}"


def ticket_room(public_id: str) -> str:
    """The pages following one ticket (its holder's phone)."""
    return f"ticket:{public_id}"


def printer_room(centre: str, kiosk: str) -> str:
    """The print agent of one kiosk."""
    return f"printer:{centre}:{kiosk}"


def supervisor_room(centre: str) -> str:
    """The supervisors watching one centre's hall."""
    return f"supervisor:{centre}"


def service_changed_payload(event: ServiceChanged) -> dict:
    """service_changed: {service, open, paused_reason: {en, sw} or null}."""
    reason = None if event.reason_en is None else {"en": event.reason_en, "sw": event.reason_sw}
    return {"service": event.service, "open": event.open, "paused_reason": reason}


def print_job_payload(job_id: int, ticket_id: str, number: str, reprint: bool, data: bytes) -> dict:
    """The print_job event: the ticket's ESC/POS bytes, base64-encoded, to print as they are."""
    return {
        "id": job_id,
        "ticket": ticket_id,
        "number": number,
        "reprint": reprint,
        "data": base64.b64encode(data).decode("ascii"),
    }


Emission = tuple[str, str, dict, str]
"""(namespace, event name, payload, room)."""


def emissions(event: Event) -> list[Emission]:
    """Where and how an event is sent; the notifier emits exactly these."""
    match event:
        case TicketCalled():
            payload = {
                "number": event.number,
                "counter": event.counter,
                "service": event.service,
                "called_at": event.called_at.isoformat(timespec="seconds"),
                "recall": event.recall,
            }
            return [(DISPLAY_NS, TICKET_CALLED, payload, centre_room(event.centre))]
        case QueueChanged():
            payload = {
                "service": event.service,
                "waiting": event.waiting,
                "estimated_wait_s": event.estimated_wait_s,
            }
            return [
                (DISPLAY_NS, QUEUE_CHANGED, payload, centre_room(event.centre)),
                (COUNTER_NS, QUEUE_CHANGED, payload, service_room(event.centre, event.service)),
            ]
        case TicketIssued():
            return []  # screens hear of it through the queue projection
        case TicketChanged():
            payload = {"id": event.ticket_id, "status": event.status}
            return [(DISPLAY_NS, TICKET_CHANGED, payload, ticket_room(event.ticket_id))]
        case CounterChanged():
            payload = {
                "counter": event.counter,
                "state": event.state,
                "ticket": event.ticket_number,
            }
            room = counter_room(event.centre, event.counter)
            return [(COUNTER_NS, COUNTER_CHANGED, payload, room)]
        case PrintJobQueued():
            if not event.by_agent:
                return []  # the server's own print worker sends it
            payload = print_job_payload(
                event.job_id, event.ticket_id, event.number, event.reprint, event.data
            )
            return [(PRINTER_NS, PRINT_JOB, payload, printer_room(event.centre, event.kiosk))]
        case ServiceChanged():
            payload = service_changed_payload(event)
            return [
                (DISPLAY_NS, SERVICE_CHANGED, payload, centre_room(event.centre)),
                (COUNTER_NS, SERVICE_CHANGED, payload, service_room(event.centre, event.service)),
                (SUPERVISOR_NS, SERVICE_CHANGED, payload, supervisor_room(event.centre)),
            ]
        case MoneyAskedReported():
            payload = {
                "number": event.number,
                "service": event.service,
                "counter": event.counter,
                "given_at": event.given_at.isoformat(timespec="seconds"),
            }
            return [(SUPERVISOR_NS, MONEY_ASKED, payload, supervisor_room(event.centre))]
        case DayStarted():
            return [(DISPLAY_NS, SNAPSHOT, event.snapshot, centre_room(event.centre))]
    raise TypeError(f"no emission for {event!r}")
