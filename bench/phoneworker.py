"""`python -m bench.phoneworker SPEC`: many phones following their tickets on /ticket.

Green threads (eventlet) keep hundreds of Socket.IO clients cheap. SPEC (JSON): the server's
URL and the ticket ids to follow. The worker prints one JSON line when its phones are
connected, then answers `report` with every `ticket` event received so far (id, status,
ahead, when, by the machine's monotonic clock), and exits on `quit` or after MAX_LIFETIME_S.
"""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import socketio  # noqa: E402
from eventlet import GreenPool, tpool  # noqa: E402

MAX_LIFETIME_S = 900
CONNECTS_AT_ONCE = 25


def say(message: dict) -> None:
    """One JSON line to the parent."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class Phones:
    """This worker's phones and the updates they received."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clients: list[socketio.Client] = []
        self.received: list[tuple[str, str, int | None, float]] = []
        self.failures: list[str] = []

    def connect(self, ticket: str) -> None:
        """Connect one phone for `ticket`; a failure is kept, not raised."""
        client = socketio.Client(reconnection=False)

        def keep(view: dict) -> None:
            self.received.append((view["id"], view["status"], view["ahead"], time.monotonic()))

        client.on("ticket", keep, namespace="/ticket")
        try:
            client.connect(
                self.url, namespaces=["/ticket"], auth={"ticket": ticket}, transports=["websocket"]
            )
            self.clients.append(client)
        except Exception as error:  # noqa: BLE001 (reported to the parent)
            self.failures.append(f"{ticket}: {error}")


def main() -> None:
    spec = json.loads(sys.argv[1])
    phones = Phones(spec["url"])
    pool = GreenPool(CONNECTS_AT_ONCE)
    for ticket in spec["tickets"]:
        pool.spawn_n(phones.connect, ticket)
    pool.waitall()
    say({"connected": len(phones.clients), "failed": len(phones.failures)})
    started = time.monotonic()
    while time.monotonic() - started < MAX_LIFETIME_S:
        line = tpool.execute(sys.stdin.readline)  # reading stdin must not stop the phones
        command = json.loads(line) if line else {"cmd": "quit"}
        if command["cmd"] == "report":
            say({"received": phones.received, "failures": phones.failures})
        else:
            break
    for client in phones.clients:
        client.disconnect()


if __name__ == "__main__":
    main()
