"""Sends events to Socket.IO rooms (through Redis when several processes share the load)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from flask_socketio import SocketIO

from ..domain.events import Event
from ..protocol import TICKET, TICKET_NS, Emission, emissions, ticket_room

log = logging.getLogger(__name__)


class SocketIONotifier:
    """The only emitter of events; called by use cases after their commit.

    The emits run in a background task that first lets the caller answer: a clerk's
    acknowledgement leaves before the fan-out to a hall of screens is queued, not after it.
    Each task emits its events in order, and tasks run in the order they were started. The
    task yields after each emit, so every screen gets the call's announcement before any
    screen gets the queue figures that follow it, and other requests are served in between.
    """

    def __init__(self, socketio: SocketIO) -> None:
        self.socketio = socketio

    def publish(self, events: Sequence[Event]) -> None:
        """Emit every event to its rooms, soon; a failed emit never undoes a commit."""
        pending = [emission for event in events for emission in emissions(event)]
        if pending:
            self.socketio.start_background_task(self._emit_all, pending)

    def _emit_all(self, pending: list[Emission]) -> None:
        """Emit each after a yield: the use case's caller answers first, screens hear in turn."""
        for namespace, name, payload, room in pending:
            self.socketio.sleep(0)
            try:
                self.socketio.emit(name, payload, namespace=namespace, to=room)
            except Exception:  # the commit stands; screens resync on their next snapshot
                log.exception("could not emit %s to %s", name, room)


def phone_sender(socketio: SocketIO) -> Callable[[str, dict], None]:
    """Sends a ticket's view to the phones following it on this process (`/ticket`).

    Each process projects for its own phones, so the emit stays local (`ignore_queue`):
    through the message queue, every process would send it to the same phones again.
    """

    def send(public_id: str, view: dict) -> None:
        socketio.emit(
            TICKET, view, namespace=TICKET_NS, to=ticket_room(public_id), ignore_queue=True
        )

    return send
