"""`python -m bench.dayworker SPEC`: the kiosks, or some of the clerks, of a simulated day.

One process per role keeps the clients from slowing each other: every clerk hears every
queue change of the centre, thousands a minute. Green threads (eventlet) keep each process
light. SPEC (JSON on stdin) says the role, the server, the time scale and the shared start
instant (time.monotonic is one clock for every process of the machine). The worker prints
one JSON line, what it saw, when its part of the day is over.
"""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import requests  # noqa: E402
import socketio  # noqa: E402

from .dayplan import BREAK_MIN, Leg, Visits, visit_legs  # noqa: E402

WALK_UP_S = 20
NO_SHOW_WAIT_S = 120
IDLE_POLL_S = 600
IDLE_STOP_S = 45 * 60
MAX_WALL_S = 1800


class SimClock:
    """Simulated seconds since opening, from the shared start instant and the time scale."""

    def __init__(self, scale: float, start: float) -> None:
        self.scale, self.start = scale, start

    def now(self) -> float:
        """Simulated seconds since opening."""
        return (time.monotonic() - self.start) * self.scale

    def sleep(self, sim_s: float) -> None:
        """Sleep `sim_s` simulated seconds."""
        time.sleep(max(0.0, sim_s) / self.scale)

    def sleep_until(self, sim_s: float) -> None:
        """Sleep until `sim_s` simulated seconds after opening."""
        self.sleep(sim_s - self.now())


class Record:
    """What this worker saw: tickets issued or calls made, errors, action latencies."""

    def __init__(self) -> None:
        self.tickets: list[dict] = []
        self.calls: list[dict] = []
        self.errors: dict[str, int] = {}
        self.latencies: list[float] = []

    def error(self, code: str) -> None:
        """Count an unexpected answer."""
        self.errors[code] = self.errors.get(code, 0) + 1

    def as_json(self) -> str:
        """Everything, as one JSON line."""
        return json.dumps(vars(self))


def kiosk(spec: dict, token: str, arrivals: list, clock: SimClock, record: Record) -> None:
    """Issue each arrival's ticket at its time."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    for at_s, service, priority in arrivals:
        clock.sleep_until(at_s)
        began = time.monotonic()
        try:
            answer = session.post(
                f"{spec['url']}/api/v1/centres/{spec['centre']}/tickets",
                json={"service": service, "priority": priority},
                timeout=30,
            )
        except requests.RequestException as exc:
            record.error(type(exc).__name__)
            continue
        record.latencies.append(time.monotonic() - began)
        if answer.status_code == 201:
            record.tickets.append({**answer.json(), "priority": priority})
        else:
            record.error(f"issue {answer.status_code}")


def run_kiosks(spec: dict, clock: SimClock, record: Record) -> None:
    """The centre's kiosks, each taking every n-th arrival, and an hourly progress line."""
    tokens = spec["tokens"]
    kiosks = [
        threading.Thread(
            target=kiosk, args=(spec, t, spec["arrivals"][i :: len(tokens)], clock, record)
        )
        for i, t in enumerate(tokens)
    ]
    for thread in kiosks:
        thread.start()
    hour = 0
    while any(k.is_alive() for k in kiosks):
        hour += 1
        clock.sleep_until(hour * 3600)
        print(f"{8 + hour:02d}:00 issued {len(record.tickets)}", file=sys.stderr, flush=True)


class Hall:
    """What the clerks of this process know of the centre's queues (from queue_changed)."""

    def __init__(self) -> None:
        self.waiting: dict[str, int] = {}

    def total(self) -> int:
        """Tickets waiting in the whole centre, as last heard."""
        return sum(self.waiting.values())


class Clerk:
    """One clerk at one counter, serving the day through the /counter namespace."""

    def __init__(self, spec: dict, desk: dict, hall: Hall, record: Record) -> None:
        self.spec, self.desk, self.hall, self.record = spec, desk, hall, record
        self.services = set(desk["services"])
        self.visits = Visits(**spec["visits"])
        self.break_at: float | None = desk["break_at"]
        self.holding = False
        self.wake = threading.Event()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("queue_changed", self._queue_changed, namespace="/counter")
        self.sio.connect(
            spec["url"],
            namespaces=["/counter"],
            auth={"token": desk["token"]},
            transports=["websocket"],
            wait_timeout=30,
        )
        self.check(self.act("open", {"centre": spec["centre"], "counter": desk["number"]}))

    def _queue_changed(self, data: dict) -> None:
        self.hall.waiting[data["service"]] = data["waiting"]
        if data["service"] in self.services and data["waiting"] > 0:
            self.wake.set()

    def act(self, event: str, data: dict | None = None) -> dict:
        """Send a counter action; its acknowledgement (and how long it took, in real time)."""
        began = time.monotonic()
        try:
            answer = self.sio.call(event, data or {}, namespace="/counter", timeout=30)
        except socketio.exceptions.SocketIOError as exc:
            answer = {"ok": False, "error": {"code": type(exc).__name__}}
        self.record.latencies.append(time.monotonic() - began)
        return answer

    def check(self, answer: dict) -> None:
        """Count an action that failed."""
        if not answer["ok"]:
            self.record.error(answer["error"]["code"])

    def run(self, clock: SimClock, deadline: float) -> None:
        """Work until the day is over: past the last arrival, nothing waiting, long idle."""
        self.clock, idle_since = clock, None
        clock.sleep_until(0)
        try:
            while time.monotonic() < deadline:
                if self.break_at is not None and clock.now() >= self.break_at:
                    self.take_break()
                self.wake.clear()
                answer = self.act("call_next")
                if answer["ok"]:
                    idle_since = None
                    self.serve(answer["ticket"])
                elif answer["error"]["code"] == "queue_empty":
                    idle_since = clock.now() if idle_since is None else idle_since
                    if self.day_over(idle_since):
                        return
                else:
                    self.record.error(answer["error"]["code"])
                    clock.sleep(5)
        finally:
            self.finish()
            self.sio.disconnect()

    def day_over(self, idle_since: float) -> bool:
        """Finish the visit at the counter, wait for work; True once the day is over."""
        self.finish()
        now = self.clock.now()
        if (
            now > self.spec["last_arrival_s"]
            and now - idle_since > IDLE_STOP_S
            and self.hall.total() == 0
        ):
            return True
        self.wake.wait(IDLE_POLL_S / self.clock.scale)
        return False

    def finish(self) -> None:
        """Complete the visit at the counter, if any."""
        if self.holding:
            self.check(self.act("complete"))
            self.holding = False

    def take_break(self) -> None:
        """Lunch: finish, pause for BREAK_MIN, resume."""
        self.break_at = None
        self.finish()
        self.check(self.act("pause"))
        self.clock.sleep(BREAK_MIN * 60)
        self.check(self.act("resume"))

    def leg(self, ticket: dict) -> Leg:
        """This call's part of the visit: the first, or the one after a transfer."""
        issued_for = self.spec["prefixes"][ticket["number"].rstrip("0123456789")]
        legs = visit_legs(self.spec["seed"], ticket["number"], issued_for, self.visits)
        return legs[0] if ticket["service"] == issued_for else legs[-1]

    def serve(self, ticket: dict) -> None:
        """One call: absent (no-show), or walk up, be served, and maybe be transferred."""
        self.holding = True
        self.record.calls.append(
            {
                "id": ticket["id"],
                "at": ticket["called_at"],
                "service": ticket["service"],
                "counter": self.desk["number"],
            }
        )
        leg = self.leg(ticket)
        if leg.no_show:
            self.clock.sleep(NO_SHOW_WAIT_S)
            self.check(self.act("no_show"))
            self.holding = False
            return
        self.clock.sleep(WALK_UP_S)
        self.check(self.act("start"))
        self.clock.sleep(leg.service_s)
        if leg.transfer_to:
            self.check(self.act("transfer", {"service": leg.transfer_to}))
            self.holding = False


def run_clerks(spec: dict, clock: SimClock, record: Record) -> None:
    """This process's clerks, each at their counter until the day is over."""
    hall = Hall()
    clerks = [Clerk(spec, desk, hall, record) for desk in spec["clerks"]]
    deadline = spec["start"] + MAX_WALL_S
    workers = [threading.Thread(target=c.run, args=(clock, deadline)) for c in clerks]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


def main() -> None:
    """Play this worker's role from the shared start, then print what it saw."""
    spec = json.loads(sys.stdin.readline())
    clock, record = SimClock(spec["scale"], spec["start"]), Record()
    if spec["role"] == "kiosks":
        run_kiosks(spec, clock, record)
    else:
        run_clerks(spec, clock, record)
    print(record.as_json(), flush=True)


if __name__ == "__main__":
    main()
