"""`python -m bench.swarm SPEC`: many Socket.IO clients in one process, driven by its parent.

Green threads (eventlet) keep a thousand websocket clients cheap. SPEC (JSON) names the server,
the kind of client (`display` or `clerk`) and one entry per client. The worker prints one JSON
line when its clients are connected, then answers one JSON line per command read from stdin:
`report` (the ticket_called events received so far), `calls` (clerks call_next, or the
server's bare `floor` event when the spec says `floor`, at a paced rate; the acknowledgement
latencies) and `quit`. It exits by itself after MAX_LIFETIME_S.
"""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import socketio  # noqa: E402
import websocket  # noqa: E402
from eventlet import GreenPool, tpool  # noqa: E402

MAX_LIFETIME_S = 900
CONNECTS_AT_ONCE = 25
CALL_TIMEOUT_S = 30


def say(message: dict) -> None:
    """One JSON line to the parent."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class Swarm:
    """The clients of one worker and what they saw."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.clients: list[tuple[WireDisplay | socketio.Client, dict]] = []
        self.called: list[tuple[str, str, int, float]] = []
        self.failures: list[str] = []

    def connect_all(self) -> None:
        """Connect every client, a few at a time; failures are kept, not raised."""
        pool = GreenPool(CONNECTS_AT_ONCE)
        for entry in self.spec["clients"]:
            pool.spawn_n(self._connect, entry)
        pool.waitall()

    def _connect(self, entry: dict) -> None:
        """Connect one client (a display, or a clerk who then opens their counter)."""
        try:
            if self.spec["kind"] == "display":
                client: WireDisplay | socketio.Client = WireDisplay(
                    self.spec["url"], entry["centre"], self
                )
            else:
                client = self._clerk(entry)
            self.clients.append((client, entry))
        except Exception as exc:  # a refused or timed-out connection is a figure to report
            self.failures.append(f"{type(exc).__name__}: {exc}")

    def _clerk(self, entry: dict) -> socketio.Client:
        """A clerk's python-socketio client, signed in and at their counter."""
        client = socketio.Client(reconnection=False)
        client.connect(
            self.spec["url"],
            namespaces=["/counter", "/bench"] if self.spec.get("floor") else ["/counter"],
            auth={"token": entry["token"]},
            transports=["websocket"],
            wait_timeout=CALL_TIMEOUT_S,
        )
        answer = client.call(
            "open",
            {"centre": entry["centre"], "counter": entry["counter"]},
            namespace="/counter",
            timeout=CALL_TIMEOUT_S,
        )
        if not answer["ok"]:
            raise RuntimeError(answer["error"]["code"])
        return client

    def report(self) -> dict:
        """The ticket_called events received since the last report."""
        called, self.called = self.called, []
        return {"called": called}

    def calls(self, total: int, rate: float, event: str = "call_next", offset: float = 0.0) -> dict:
        """`total` events (call_next, or the bare `floor`) spread over the clerks at `rate` per
        second, the first after `offset` seconds; latencies and errors. A rate of 0 sends each
        after the previous one's acknowledgement, as one clerk calling in turn."""
        namespace = "/bench" if event == "floor" else "/counter"
        latencies: list[float] = []
        sent: list[tuple[str, str, int, float]] = []
        errors: dict[str, int] = {}
        pool = GreenPool(1000)
        start = time.monotonic()

        def call(client: socketio.Client, entry: dict) -> None:
            began = time.monotonic()
            try:
                answer = client.call(event, {}, namespace=namespace, timeout=CALL_TIMEOUT_S)
            except Exception as exc:  # a timeout is an error to count
                answer = {"ok": False, "error": {"code": type(exc).__name__}}
            latencies.append(time.monotonic() - began)
            if answer["ok"] and "ticket" in answer:
                sent.append((entry["centre"], answer["ticket"]["number"], entry["counter"], began))
            elif not answer["ok"]:
                code = answer["error"]["code"]
                errors[code] = errors.get(code, 0) + 1

        for index in range(total):
            client, entry = self.clients[index % len(self.clients)]
            if rate <= 0:
                call(client, entry)
                continue
            eventlet.sleep(max(0.0, start + offset + index / rate - time.monotonic()))
            pool.spawn_n(call, client, entry)
        pool.waitall()
        elapsed = time.monotonic() - start
        return {"latencies": latencies, "sent": sent, "errors": errors, "elapsed": elapsed}

    def close(self) -> None:
        """Disconnect every client."""
        pool = GreenPool(CONNECTS_AT_ONCE * 4)
        for client, _ in self.clients:
            pool.spawn_n(client.disconnect)
        pool.waitall()


class WireDisplay:
    """A hall screen speaking the wire protocol itself (Engine.IO 4 and Socket.IO 5 frames).

    It sends and reads the frames python-socketio would, but only parses ticket_called: a
    thousand full clients on the server's own two cores would cost more CPU than the server.
    """

    CALLED = '42/display,["ticket_called",'

    def __init__(self, url: str, centre: str, swarm: Swarm) -> None:
        self.centre, self.swarm = centre, swarm
        address = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(address, timeout=CALL_TIMEOUT_S)
        if not self.ws.recv().startswith("0"):
            raise RuntimeError("no Engine.IO open packet")
        self.ws.send("40/display," + json.dumps({"centre": centre}))
        while not (answer := self.ws.recv()).startswith("40/display,"):
            if answer.startswith("44/display,"):
                raise RuntimeError(f"refused: {answer}")
        self.ws.settimeout(None)
        eventlet.spawn_n(self._read)

    def _read(self) -> None:
        """Answer pings; keep the receive time of every ticket_called."""
        try:
            while message := self.ws.recv():
                if message == "2":
                    self.ws.send("3")
                elif message.startswith(self.CALLED):
                    received = time.monotonic()
                    data = json.loads(message[len("42/display,") :])[1]
                    self.swarm.called.append(
                        (self.centre, data["number"], data["counter"], received)
                    )
        except (websocket.WebSocketException, OSError):
            return  # closed

    def disconnect(self) -> None:
        """Close the socket."""
        self.ws.close()


def main() -> None:
    """Connect, say so, then answer commands until `quit` or the end of stdin."""
    eventlet.spawn_after(MAX_LIFETIME_S, os._exit, 3)
    swarm = Swarm(json.loads(sys.argv[1]))
    swarm.connect_all()
    say(
        {
            "connected": len(swarm.clients),
            "failures": swarm.failures[:5],
            "failed": len(swarm.failures),
        }
    )
    while line := tpool.execute(sys.stdin.readline):
        command = json.loads(line)
        if command["cmd"] == "report":
            say(swarm.report())
        elif command["cmd"] == "calls":
            say(swarm.calls(command["total"], command["rate"], command["event"], command["offset"]))
        else:
            break
    swarm.close()
    say({"closed": True})


if __name__ == "__main__":
    main()
