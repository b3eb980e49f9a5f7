"""Accepted connections have TCP_NODELAY set, so a small reply is never held back."""

from __future__ import annotations

import socket

from queue_server.nodelay import NoDelayListener


def nodelay_of_accepted(listener: socket.socket, accept) -> int:
    """Connect over loopback; TCP_NODELAY of the server's side of the connection."""
    with socket.create_connection(listener.getsockname()[:2], timeout=5):
        connection, _ = accept()
        with connection:
            return connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_accepted_connections_have_nagle_off():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        assert nodelay_of_accepted(listener, listener.accept) == 0  # the default it changes
        wrapped = NoDelayListener(listener)
        assert nodelay_of_accepted(listener, wrapped.accept) != 0
        assert wrapped.getsockname() == listener.getsockname()
        assert wrapped.family == socket.AF_INET
