"""The real-time contract in code: namespaces, event names, rooms and payloads."""

from __future__ import annotations

from .domain.events import CounterChanged, Event, QueueChanged, TicketCalled, TicketChanged

COUNTER_NS = "/counter"
DISPLAY_NS = "/display"

SNAPSHOT = "snapshot"
TICKET_CALLED = "ticket_called"
QUEUE_CHANGED = "queue_changed"
TICKET_CHANGED = "ticket_changed"
COUNTER_CHANGED = "counter_changed"


def centre_room(centre: str) -> str:
    """Everyone following a centre's hall (displays) or queues (counters)."""
    return f"centre:{centre}"


def counter_room(centre: str, number: int) -> str:
    """Every screen open at one counter."""
    return f"counter:{centre}:{number}"


def ticket_room(public_id: str) -> str:
    """The pages following one ticket (its holder's phone)."""
    return f"ticket:{public_id}"


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
            room = centre_room(event.centre)
            return [(ns, QUEUE_CHANGED, payload, room) for ns in (DISPLAY_NS, COUNTER_NS)]
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
    raise TypeError(f"no emission for {event!r}")
