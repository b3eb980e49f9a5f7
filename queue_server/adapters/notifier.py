"""Sends events to Socket.IO rooms (through Redis when several processes share the load)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask_socketio import SocketIO

from ..domain.events import Event
from ..protocol import emissions

log = logging.getLogger(__name__)


class SocketIONotifier:
    """The only emitter of events; called by use cases after their commit."""

    def __init__(self, socketio: SocketIO) -> None:
        self.socketio = socketio

    def publish(self, events: Sequence[Event]) -> None:
        """Emit every event to its rooms; a failed emit is logged, never undoes a commit."""
        for event in events:
            for namespace, name, payload, room in emissions(event):
                try:
                    self.socketio.emit(name, payload, namespace=namespace, to=room)
                except Exception:  # the commit stands; screens resync on their next snapshot
                    log.exception("could not emit %s to %s", name, room)
