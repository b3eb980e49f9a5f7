"""A listening socket whose accepted connections send small frames at once (TCP_NODELAY)."""

from __future__ import annotations

import socket
from typing import Any


class NoDelayListener:
    """Wraps the server's listening socket; every connection it accepts has Nagle's off.

    With Nagle's algorithm on, a small reply that follows another small frame waits for the
    client's delayed ACK (about 40 ms): a clerk's acknowledgement after an event, every time.
    """

    def __init__(self, listener: Any) -> None:
        self.listener = listener

    def accept(self) -> tuple[Any, Any]:
        """Accept a connection and turn TCP_NODELAY on for it."""
        connection, address = self.listener.accept()
        if connection.family in (socket.AF_INET, socket.AF_INET6):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    def __getattr__(self, name: str) -> Any:
        # Everything else (getsockname, family, close, ...) is the listener's own.
        return getattr(self.listener, name)
