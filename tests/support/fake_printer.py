"""A fake network receipt printer: a loopback TCP listener that records what it receives.

It answers DLE EOT status requests as configured, can be switched off and on again on the same
port, and can stall (accept connections but stop reading), like a jammed printer does.

    with FakePrinter() as fake:
        send(fake.url, data)
        assert fake.wait_for_jobs(1) == [data]
"""

from __future__ import annotations

import selectors
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType

STATUS_REQUEST = b"\x10\x04"
DLE = b"\x10"
SMALL_RECEIVE_BUFFER = 4096  # so that a stalled printer pushes back on a sender quickly


def status_replies(
    *, online: bool = True, paper: str = "ok", cover_open: bool = False
) -> dict[int, bytes]:
    """Return the bytes a printer in this state answers to DLE EOT 1, 2, 3 and 4."""
    paper_bits = {"ok": 0x00, "near_end": 0x0C, "out": 0x60}[paper]
    return {
        1: bytes([0x12 | (0 if online else 0x08)]),
        2: bytes([0x12 | (0x04 if cover_open else 0) | (0x20 if paper == "out" else 0)]),
        3: bytes([0x12]),
        4: bytes([0x12 | paper_bits]),
    }


def split_status_requests(buffer: bytes) -> tuple[bytes, list[int], bytes]:
    """Split bytes into print data, DLE EOT n requests and a tail that may start a request."""
    data, requests, start = bytearray(), [], 0
    while (found := buffer.find(STATUS_REQUEST, start)) != -1 and found + 2 < len(buffer):
        data += buffer[start:found]
        requests.append(buffer[found + 2])
        start = found + 3
    tail_start = len(buffer)
    if found != -1:
        tail_start = found
    elif buffer.endswith(DLE) and len(buffer) > start:
        tail_start = len(buffer) - 1
    data += buffer[start:tail_start]
    return bytes(data), requests, buffer[tail_start:]


@dataclass
class _Connection:
    """One client connection: its print data so far and an unfinished status request."""

    sock: socket.socket
    data: bytearray = field(default_factory=bytearray)
    tail: bytes = b""


class FakePrinter:
    """A network printer on 127.0.0.1 for tests; start() picks a free port, kept until the end."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        """Prepare a printer that is online, has paper and answers status requests."""
        self.host = host
        self.port = 0
        self._changed = threading.Condition()
        self._received = bytearray()
        self._jobs: list[bytes] = []
        self._status_requests: list[int] = []
        self._replies: dict[int, bytes] = status_replies()
        self._stalled = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._wake: socket.socket | None = None

    @property
    def url(self) -> str:
        """The printer URL of this fake printer."""
        return f"tcp://{self.host}:{self.port}"

    @property
    def received(self) -> bytes:
        """Every byte received so far, over all connections, status requests included."""
        with self._changed:
            return bytes(self._received)

    @property
    def jobs(self) -> list[bytes]:
        """Print data (status requests removed) of each finished connection that sent any."""
        with self._changed:
            return list(self._jobs)

    @property
    def status_requests(self) -> list[int]:
        """The n of every DLE EOT n received."""
        with self._changed:
            return list(self._status_requests)

    def start(self) -> FakePrinter:
        """Listen (again) on the printer's port, a free one the first time."""
        if self._thread is not None:
            return self
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_RECEIVE_BUFFER)
        listener.bind((self.host, self.port))
        listener.listen()
        self.port = listener.getsockname()[1]
        self._wake, wake_end = socket.socketpair()
        self._stopping = False
        self._thread = threading.Thread(
            target=self._serve,
            args=(listener, wake_end),
            name=f"fake-printer-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listener and every connection; what was received stays readable."""
        if self._thread is None or self._wake is None:
            return
        self._stopping = True
        self._wake.send(b"x")
        self._thread.join(timeout=5)
        self._wake.close()
        self._thread, self._wake = None, None

    def go_down(self) -> None:
        """Switch the printer off: unread bytes are lost, connections refused until come_up()."""
        self.stop()

    def come_up(self) -> None:
        """Switch the printer on again, on the same port."""
        self.start()

    def set_status(
        self, *, online: bool = True, paper: str = "ok", cover_open: bool = False
    ) -> None:
        """Answer status requests as a printer in this state would."""
        self.set_replies(status_replies(online=online, paper=paper, cover_open=cover_open))

    def set_replies(self, replies: Mapping[int, bytes]) -> None:
        """Answer DLE EOT n with replies[n] exactly; leave requests not in it unanswered."""
        with self._changed:
            self._replies = dict(replies)

    def set_silent(self) -> None:
        """Never answer status requests, like a printer that does not support them."""
        self.set_replies({})

    def set_stalled(self, stalled: bool) -> None:
        """Stop (or resume) reading from connections; new connections are still accepted."""
        self._stalled = stalled
        if self._wake is not None:
            self._wake.send(b"x")

    def wait_for_jobs(self, count: int, timeout: float = 2.0) -> list[bytes]:
        """Wait until at least count jobs have finished and return all jobs."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._jobs) >= count, timeout):
                raise TimeoutError(f"expected {count} print jobs, got {len(self._jobs)}")
            return list(self._jobs)

    def __enter__(self) -> FakePrinter:
        """Start the printer for a with block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the printer at the end of a with block."""
        self.stop()

    def _serve(self, listener: socket.socket, wake: socket.socket) -> None:
        """Accept, read and answer until stop() wakes the loop up."""
        connections: dict[socket.socket, _Connection] = {}
        with selectors.DefaultSelector() as selector, listener, wake:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not self._stopping:
                for key, _ in selector.select():
                    if key.fileobj is wake:
                        wake.recv(64)
                        self._follow_stall(selector, connections)
                    elif key.fileobj is listener:
                        self._accept(listener, selector, connections)
                    else:
                        self._read(key.data, selector, connections)
            for connection in list(connections.values()):
                self._finish(connection, selector, connections)

    def _accept(
        self,
        listener: socket.socket,
        selector: selectors.BaseSelector,
        connections: dict[socket.socket, _Connection],
    ) -> None:
        """Take a new connection, reading from it unless stalled."""
        sock, _ = listener.accept()
        connections[sock] = _Connection(sock)
        if not self._stalled:
            selector.register(sock, selectors.EVENT_READ, connections[sock])

    def _follow_stall(
        self, selector: selectors.BaseSelector, connections: dict[socket.socket, _Connection]
    ) -> None:
        """Register or unregister every connection for reading as the stalled flag says."""
        registered = selector.get_map()
        for sock, connection in connections.items():
            if self._stalled and sock in registered:
                selector.unregister(sock)
            elif not self._stalled and sock not in registered:
                selector.register(sock, selectors.EVENT_READ, connection)

    def _read(
        self,
        connection: _Connection,
        selector: selectors.BaseSelector,
        connections: dict[socket.socket, _Connection],
    ) -> None:
        """Record a chunk and answer the status requests in it; finish on end of stream."""
        try:
            chunk = connection.sock.recv(65536)
        except OSError:
            chunk = b""
        if not chunk:
            self._finish(connection, selector, connections)
            return
        data, requests, connection.tail = split_status_requests(connection.tail + chunk)
        connection.data += data
        with self._changed:
            self._received += chunk
            self._status_requests += requests
            answers = [self._replies[n] for n in requests if n in self._replies]
            self._changed.notify_all()
        try:
            for answer in answers:
                connection.sock.sendall(answer)
        except OSError:
            pass  # the client has gone; the end of its stream finishes the connection

    def _finish(
        self,
        connection: _Connection,
        selector: selectors.BaseSelector,
        connections: dict[socket.socket, _Connection],
    ) -> None:
        """Close a connection and keep its print data as a job."""
        if connection.sock in selector.get_map():
            selector.unregister(connection.sock)
        del connections[connection.sock]
        connection.sock.close()
        with self._changed:
            if connection.data or connection.tail:
                self._jobs.append(bytes(connection.data + connection.tail))
            self._changed.notify_all()
