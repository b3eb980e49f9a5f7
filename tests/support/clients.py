"""Clients as devices speak to the server: HTTP with requests, Socket.IO with python-socketio."""

from __future__ import annotations

import threading
from collections.abc import Callable

import requests
import socketio

from queue_server.protocol import ACCESS_REVOKED
from tests.support.centres import PASSWORD

EVENT_TIMEOUT_S = 10
DROPPED_WITHIN_S = 10.0
"""How soon an idle socket whose access was withdrawn must be dropped: the server checks every
2 s (QUEUE_ACCESS_CHECK_S); the rest is room for a loaded machine."""


def login(base: str, username: str, password: str = PASSWORD) -> str:
    """Sign in over HTTP; the bearer token."""
    response = requests.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": password}, timeout=10
    )
    response.raise_for_status()
    return response.json()["token"]


def logout(base: str, token: str) -> None:
    """Sign a token out over HTTP (`POST /auth/logout`)."""
    out = requests.post(
        f"{base}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert out.status_code == 204, out.text


def issue(base: str, token: str, service: str, centre: str = "TST", **fields: object) -> dict:
    """Issue a ticket as a kiosk; the ticket (raises on an error status)."""
    response = requests.post(
        f"{base}/api/v1/centres/{centre}/tickets",
        json={"service": service, **fields},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


class _EventLog:
    """The events a client received, in order, and a way to wait for them."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict]] = []
        self._changed = threading.Condition()

    def _keeper(self, name: str) -> Callable[[dict], None]:
        def keep(data: dict) -> None:
            with self._changed:
                self.events.append((name, data))
                self._changed.notify_all()

        return keep

    def of(self, name: str) -> list[dict]:
        """Payloads of the events named `name` so far."""
        with self._changed:
            return [data for event, data in self.events if event == name]

    def wait_for(
        self, name: str, test: Callable[[dict], bool] = lambda _: True, count: int = 1
    ) -> list[dict]:
        """Wait until `count` events named `name` pass `test`; those events."""

        def matching() -> list[dict]:
            return [data for event, data in self.events if event == name and test(data)]

        with self._changed:
            if not self._changed.wait_for(
                lambda: len(matching()) >= count, timeout=EVENT_TIMEOUT_S
            ):
                raise AssertionError(f"no {count} x {name} in time; got {self.events!r}")
            return matching()


class _StaffSocket(_EventLog):
    """A signed-in socket: keeps `access_revoked` and notes when the server drops it."""

    def __init__(self, namespace: str, events: tuple[str, ...]) -> None:
        super().__init__()
        self.sio = socketio.Client(reconnection=False)
        self.dropped = threading.Event()  # set on any disconnect (close() too)
        for name in (*events, ACCESS_REVOKED):
            self.sio.on(name, self._keeper(name), namespace=namespace)
        self.sio.on("disconnect", lambda *_: self.dropped.set(), namespace=namespace)

    def dropped_for(self, within_s: float) -> dict:
        """Wait for the server to drop this socket; the `access_revoked` it was told first."""
        assert self.dropped.wait(within_s), f"the socket was not dropped within {within_s} s"
        [reason] = self.of(ACCESS_REVOKED)
        return reason

    def close(self) -> None:
        self.sio.disconnect()


class CounterClient(_StaffSocket):
    """A clerk's screen on /counter, keeping the events the server pushes to it."""

    def __init__(self, base: str, token: str) -> None:
        super().__init__("/counter", ("queue_changed", "counter_changed"))
        self.sio.connect(
            base, namespaces=["/counter"], auth={"token": token}, transports=["websocket"]
        )

    def __call__(self, event: str, data: object = None) -> dict:
        """Send an acknowledged event and return the acknowledgement."""
        return self.sio.call(event, {} if data is None else data, namespace="/counter", timeout=15)


class SupervisorClient(_StaffSocket):
    """A supervisor's page on /supervisor for one centre, keeping what the server pushes."""

    def __init__(self, base: str, token: str, centre: str = "TST") -> None:
        super().__init__("/supervisor", ("hall", "service_changed", "money_asked"))
        self.sio.connect(
            base,
            namespaces=["/supervisor"],
            auth={"token": token, "centre": centre},
            transports=["websocket"],
        )


class DisplayClient(_EventLog):
    """A hall screen on /display that keeps every event it receives, in order."""

    def __init__(
        self, base: str, centre: str = "TST", *, reconnection: bool = False, **auth: str
    ) -> None:
        super().__init__()
        self.sio = socketio.Client(
            reconnection=reconnection, reconnection_delay=0.2, reconnection_delay_max=0.5
        )
        for name in ("snapshot", "ticket_called", "queue_changed", "ticket_changed"):
            self.sio.on(name, self._keeper(name), namespace="/display")
        self.sio.connect(
            base, namespaces=["/display"], auth={"centre": centre, **auth}, transports=["websocket"]
        )

    def close(self) -> None:
        self.sio.disconnect()


class PhoneClient(_EventLog):
    """A phone following one ticket on /ticket, keeping every `ticket` it is sent."""

    def __init__(self, base: str, ticket: str) -> None:
        super().__init__()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("ticket", self._keeper("ticket"), namespace="/ticket")
        self.sio.connect(
            base, namespaces=["/ticket"], auth={"ticket": ticket}, transports=["websocket"]
        )

    def close(self) -> None:
        self.sio.disconnect()
