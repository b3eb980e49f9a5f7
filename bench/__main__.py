"""`python -m bench`: the real server under kiosks, clerks and displays; prints a table of figures.

Everything runs on this machine over loopback: the server as in production (`python -m
queue_server`, eventlet), kiosks as processes speaking HTTP, clerks (python-socketio) and
displays (the same websocket frames, parsed only for ticket_called) in a few worker processes.
Every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import requests

from .centres import PASSWORD, kiosk_tokens, many_centres, write_config
from .kiosks import KioskRun, LoadResult, load
from .server import REDIS_URL, BenchServer, postgres_schema, running
from .sockets import Swarm, swarm
from .stats import ms, percentile, table

CENTRES = 10
COUNTERS = 40
DISPLAYS_PER_CENTRE = 20
MORE_DISPLAYS_PER_CENTRE = 40  # with the 400 clerks and first 200 displays: 1,000 sockets
HALL_DISPLAYS = 1000
HALL = "C03"
ISSUE_MAX_S = 15.0
CALLS, CALL_RATE = 300, 5.0  # 400 clerks calling every 80 s: thrice a busy centre's pace
BUSY_CALL_RATE = 20.0  # issue 10's target load: 20 calls/s from the 400 clerks, 200 displays
ONE_CLERK, ONE_CLERK_CALLS = "C09", 200  # one clerk calling in turn, no screen open
HALL_CALLS, HALL_CALL_RATE = 30, 1.0
DISPLAY_KIND = "display"  # bench.swarm.WireDisplay: light enough not to be the bottleneck
HEADER = ("measure", "load", "p50", "p99", "rate or value")


class Figures:
    """The rows of the table, in the order they were measured."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def latency(self, measure: str, load: str, samples: list[float], value: str = "") -> None:
        """A row of latencies: p50 and p99."""
        self.rows.append(
            (measure, load, ms(percentile(samples, 50)), ms(percentile(samples, 99)), value)
        )

    def value(self, measure: str, load: str, value: str) -> None:
        """A row with one value."""
        self.rows.append((measure, load, "", "", value))


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--no-processes", action="store_true", help="skip the two-process run (PostgreSQL + Redis)"
    )
    parser.add_argument("--workers", type=int, default=4, help="socket client processes")
    return parser.parse_args()


@contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A URL to an empty database of `kind`."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'queue.db'}"
    else:
        with postgres_schema() as url:
            yield url


def login(url: str, username: str) -> str:
    """A clerk's bearer token."""
    answer = requests.post(
        f"{url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["token"]


def kiosk_runs(url: str, path: str, tokens: list[str], count: int, expect: int) -> list[KioskRun]:
    """One run per kiosk token, over all the centre's services in turn."""
    services = tuple(s["code"] for s in many_centres(1)["centre"][0]["service"])
    return [KioskRun(url, path, t, services, count, ISSUE_MAX_S, expect) for t in tokens]


def issuance(figures: Figures, server: BenchServer, config: dict) -> None:
    """Tickets from 1 and 8 kiosks (each group on its own centre), against the bare endpoint."""
    for kiosks, centre, count in ((1, "NBI", 400), (8, "C02", 60)):
        tokens = kiosk_tokens(config, centre)[:kiosks]
        floor, floor_cpu = measured(
            server, kiosk_runs(server.url, "/bench/floor", tokens, count * 5, 200)
        )
        issued, issue_cpu = measured(
            server, kiosk_runs(server.url, f"/api/v1/centres/{centre}/tickets", tokens, count, 201)
        )
        label = f"{kiosks} kiosk{'s' if kiosks > 1 else ''}"
        add_load(figures, "bare JSON endpoint (floor)", label, floor, floor_cpu)
        add_load(
            figures,
            "ticket issuance",
            label,
            issued,
            issue_cpu,
            f"; {issued.rate / floor.rate:.0%} of the floor's rate",
        )


def measured(server: BenchServer, runs: list[KioskRun]) -> tuple[LoadResult, float]:
    """A load and the server's CPU seconds per answered request during it."""
    before = server.cpu_s()
    result = load(runs)
    return result, (server.cpu_s() - before) / max(len(result.latencies), 1)


def add_load(
    figures: Figures, measure: str, label: str, result: LoadResult, cpu_s: float, note: str = ""
) -> None:
    """A row for an HTTP load: rate, the server's CPU per request, failures."""
    failed = f"; {result.failed} failed" if result.failed else ""
    figures.latency(
        measure,
        label,
        result.latencies,
        f"{result.rate:.0f}/s, server CPU {cpu_s * 1000:.1f} ms/req{note}{failed}",
    )


def stock_tickets(url: str, config: dict, centres: list[str], per_counter: int) -> None:
    """Issue tickets so that every counter of these centres has some to call."""
    services = tuple(c["services"][0] for c in config["centre"][0]["counter"])
    runs = [
        KioskRun(
            url,
            f"/api/v1/centres/{code}/tickets",
            kiosk_tokens(config, code)[-1],
            services,
            per_counter * len(services),
            60.0,
            201,
        )
        for code in centres
    ]
    load(runs)


def clerks(url: str, centres: list[str], counters: range) -> list[dict]:
    """One clerk socket per counter of each centre, signed in as that centre's clerk."""
    tokens = {code: login(url, f"clerk-{code}") for code in centres}
    return [{"centre": c, "token": tokens[c], "counter": n} for c in centres for n in counters]


def displays(centres: list[str], per_centre: int) -> list[dict]:
    """Display sockets, `per_centre` on each centre."""
    return [{"centre": c} for c in centres for _ in range(per_centre)]


def calls(clerk_swarm: Swarm, total: int, rate: float, event: str = "call_next") -> dict:
    """call_next (or the bare `floor` event) from every worker at `rate` in all (0: each
    clerk in turn, after the last acknowledgement); merged latencies, sends and errors."""
    share = len(clerk_swarm.workers)
    # Each worker keeps its own pace; their starts are staggered so that the calls of all
    # of them arrive evenly spaced, not `share` at the same instant.
    answers = clerk_swarm.commands(
        [
            {
                "cmd": "calls",
                "total": total // share,
                "rate": rate / share,
                "event": event,
                "offset": index / rate if rate else 0.0,
            }
            for index in range(share)
        ]
    )
    errors: dict[str, int] = {}
    for answer in answers:
        for code, n in answer["errors"].items():
            errors[code] = errors.get(code, 0) + n
    return {
        "latencies": [x for a in answers for x in a["latencies"]],
        "sent": [tuple(s) for a in answers for s in a["sent"]],
        "errors": errors,
        "elapsed": max(a["elapsed"] for a in answers),
    }


def timed_calls(
    server: BenchServer, clerk_swarm: Swarm, total: int, rate: float
) -> tuple[dict, float]:
    """`calls`, and the server's CPU seconds per call meanwhile (fan-out included)."""
    before = server.cpu_s()
    result = calls(clerk_swarm, total, rate)
    return result, (server.cpu_s() - before) / max(len(result["latencies"]), 1)


def deliveries(sent: list[tuple], display_swarm: Swarm, centres: int) -> tuple[list[float], int]:
    """Send-to-receive times of every ticket_called heard; and how many were expected.

    Each call is expected at every display of its centre (the displays are spread evenly).
    """
    began = {(c, number, counter): t for c, number, counter, t in sent}
    heard = [tuple(e) for a in display_swarm.command({"cmd": "report"}) for e in a["called"]]
    times = [t - began[(c, n, k)] for c, n, k, t in heard if (c, n, k) in began]
    return times, len(sent) * display_swarm.connected // centres


def settle() -> None:
    """Let the last events arrive before asking who heard what."""
    time.sleep(2.0)


def connected(group: Swarm, kind: str) -> str:
    """How many sockets of a swarm connected, and why some did not."""
    failed = f", {group.failed} failed ({group.failures[0]})" if group.failed else ""
    return f"{group.connected} {kind}{failed}"


def counter_phase(
    figures: Figures, server: BenchServer, codes: list[str], workers: int
) -> list[Swarm]:
    """call_next with 400 clerks and 200 displays, then with 400 more displays (1,000 sockets).

    The swarms stay connected for the phases after this one.
    """
    hall = Swarm(server.url, DISPLAY_KIND, displays(codes, DISPLAYS_PER_CENTRE), workers)
    desks = Swarm(
        server.url, "clerk", clerks(server.url, codes, range(1, COUNTERS + 1)), workers, floor=True
    )
    swarms = [hall, desks]
    floor = calls(desks, CALLS, BUSY_CALL_RATE, event="floor")
    figures.latency(
        "bare acknowledged event (floor)",
        f"{desks.connected} clerks + {hall.connected} displays",
        floor["latencies"],
        f"{len(floor['latencies']) / floor['elapsed']:.1f} events/s" + error_note(floor["errors"]),
    )
    call_rows(figures, server, desks, [hall], len(codes), BUSY_CALL_RATE)
    swarms.append(
        Swarm(server.url, DISPLAY_KIND, displays(codes, MORE_DISPLAYS_PER_CENTRE), workers)
    )
    call_rows(figures, server, desks, swarms[::2], len(codes), CALL_RATE)
    return swarms


def call_rows(
    figures: Figures,
    server: BenchServer,
    desks: Swarm,
    halls: list[Swarm],
    centres: int,
    rate: float,
) -> None:
    """Paced call_next from the clerks: its latency and its delivery to every display."""
    result, cpu_s = timed_calls(server, desks, CALLS, rate)
    settle()
    heard: list[float] = []
    expected = 0
    for hall in halls:
        times, count = deliveries(result["sent"], hall, centres)
        heard += times
        expected += count
    screens = sum(h.connected for h in halls)
    failed = sum(h.failed for h in halls) + desks.failed
    where = f"{desks.connected} clerks + {screens} displays" + (
        f" ({failed} failed to connect)" if failed else ""
    )
    figures.latency(
        "call_next acknowledged",
        where,
        result["latencies"],
        f"{len(result['latencies']) / result['elapsed']:.1f} calls/s, "
        f"server CPU {cpu_s * 1000:.1f} ms/call" + error_note(result["errors"]),
    )
    figures.latency(
        "call → display (ticket_called)",
        f"{total_sockets(server)} sockets open, {screens} displays",
        heard,
        f"{len(heard)} of {expected} heard",
    )


def one_clerk(figures: Figures, server: BenchServer, config: dict) -> None:
    """One clerk calling in turn with no screen open: the cost of a call itself."""
    counter = config["centre"][0]["counter"][0]
    token = kiosk_tokens(config, ONE_CLERK)[-1]
    path = f"/api/v1/centres/{ONE_CLERK}/tickets"
    services = (counter["services"][0],)
    load([KioskRun(server.url, path, token, services, ONE_CLERK_CALLS, 60.0, 201)])
    clerk = [{"centre": ONE_CLERK, "token": login(server.url, f"clerk-{ONE_CLERK}"), "counter": 1}]
    with swarm(server.url, "clerk", clerk, 1) as desk:
        result, cpu_s = timed_calls(server, desk, ONE_CLERK_CALLS, 0)
    figures.latency(
        "call_next acknowledged",
        "one clerk calling in turn, no screen open",
        result["latencies"],
        f"{len(result['latencies']) / result['elapsed']:.0f} calls/s, "
        f"server CPU {cpu_s * 1000:.1f} ms/call" + error_note(result["errors"]),
    )


def hall_phase(figures: Figures, server: BenchServer, config: dict, workers: int) -> None:
    """Beyond the targets: 1,000 displays in one hall, while the earlier sockets stay connected."""
    stock_tickets(server.url, config, [HALL], per_counter=5)
    with (
        swarm(server.url, DISPLAY_KIND, displays([HALL], HALL_DISPLAYS), workers) as hall,
        swarm(server.url, "clerk", clerks(server.url, [HALL], range(1, 9)), 1) as desks,
    ):
        result, cpu_s = timed_calls(server, desks, HALL_CALLS, HALL_CALL_RATE)
        settle()
        heard, expected = deliveries(result["sent"], hall, 1)
        figures.latency(
            "call_next acknowledged",
            f"{connected(hall, 'displays')} in one hall (+ the 1,000 above)",
            result["latencies"],
            f"server CPU {cpu_s * 1000:.0f} ms/call" + error_note(result["errors"]),
        )
        figures.latency(
            "call → display (ticket_called)",
            f"{hall.connected} displays, one hall",
            heard,
            f"{len(heard)} of {expected} heard",
        )
        figures.value(
            "server memory (VmRSS)",
            f"{total_sockets(server)} sockets open",
            f"{server.memory_kb('VmRSS') / 1024:.0f} MB",
        )


def total_sockets(server: BenchServer) -> int:
    """Established TCP connections to the server's port, from /proc/net/tcp."""
    port = int(server.url.rsplit(":", 1)[1])
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if state == "01" and int(local.split(":")[1], 16) == port:
            count += 1
    return count


def error_note(errors: dict[str, int]) -> str:
    """Errors of a run, if any."""
    return "".join(f"; {n} {code}" for code, n in sorted(errors.items()))


def single_server(figures: Figures, kind: str, workdir: Path, workers: int) -> None:
    """Issuance, counters and halls against one server process."""
    config = many_centres(CENTRES)
    config_file = write_config(config, workdir / "centres.toml")
    codes = [c["code"] for c in config["centre"]]
    with database(kind, workdir / "single") as url:
        server = BenchServer(url, workdir / "single", config_file, {"QUEUE_BENCH_FLOOR": "1"})
        with running(server):
            issuance(figures, server, config)
            one_clerk(figures, server, config)
            stock_tickets(server.url, config, codes, per_counter=3)
            swarms = counter_phase(figures, server, codes, workers)
            try:
                hall_phase(figures, server, config, workers)
            finally:
                for group in swarms:
                    group.close()
            figures.value(
                "server peak memory (VmHWM)",
                f"whole run, {kind}",
                f"{server.memory_kb() / 1024:.0f} MB",
            )


def two_processes(figures: Figures, workdir: Path, workers: int) -> None:
    """Two processes sharing PostgreSQL and Redis, clerks on B: a hall of 1,000 displays on
    A, then the same hall split over A and B (as the proxy would spread it)."""
    config = many_centres(1)
    config_file = write_config(config, workdir / "one-centre.toml")
    env = {
        "QUEUE_MESSAGE_QUEUE": REDIS_URL,
        "QUEUE_MESSAGE_QUEUE_CHANNEL": f"bench-{uuid.uuid4().hex}",
    }
    with postgres_schema() as url:
        a = BenchServer(url, workdir / "a", config_file, env)
        b = BenchServer(url, workdir / "b", config_file, env)
        with running(a), running(b):
            stock_tickets(b.url, config, ["NBI"], per_counter=6)
            with swarm(b.url, "clerk", clerks(b.url, ["NBI"], range(1, 9)), 1) as desks:
                with swarm(a.url, DISPLAY_KIND, displays(["NBI"], HALL_DISPLAYS), workers) as hall:
                    hall_row(figures, desks, [hall], f"{hall.connected} displays on A")
                half = max(workers // 2, 1)
                with (
                    swarm(a.url, DISPLAY_KIND, displays(["NBI"], HALL_DISPLAYS // 2), half) as on_a,
                    swarm(b.url, DISPLAY_KIND, displays(["NBI"], HALL_DISPLAYS // 2), half) as on_b,
                ):
                    where = f"{on_a.connected} displays on A + {on_b.connected} on B"
                    hall_row(figures, desks, [on_a, on_b], where)


def hall_row(figures: Figures, desks: Swarm, halls: list[Swarm], where: str) -> None:
    """Paced calls on B and their delivery to one centre's displays, wherever they are."""
    result = calls(desks, total=HALL_CALLS, rate=HALL_CALL_RATE)
    settle()
    heard: list[float] = []
    expected = 0
    for hall in halls:
        times, count = deliveries(result["sent"], hall, 1)
        heard += times
        expected += count
    figures.latency(
        "call → display across processes",
        f"{where}, calls on B (PostgreSQL + Redis)",
        heard,
        f"{len(heard)} of {expected} heard" + error_note(result["errors"]),
    )


def machine() -> str:
    """The machine the figures come from."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return (
        f"{os.cpu_count()} cores, {cpu}, {memory_kb / 1024 / 1024:.0f} GB RAM, "
        f"Python {platform.python_version()}, {date.today().isoformat()}"
    )


def load_average() -> str:
    """The 1-minute load average now."""
    return f"{os.getloadavg()[0]:.2f}"


def main() -> None:
    """Run every measurement and print the table."""
    args = parse_args()
    figures = Figures()
    began, load_before = time.monotonic(), load_average()
    with tempfile.TemporaryDirectory(prefix="huduma-bench-") as folder:
        workdir = Path(folder)
        single_server(figures, args.database, workdir, args.workers)
        if not args.no_processes:
            two_processes(figures, workdir, args.workers)
    print(table(figures.rows, HEADER))
    print(f"\nMachine: {machine()}; database {args.database}.")
    print(
        f"Load average (1 min): {load_before} before, {load_average()} after; "
        f"run took {time.monotonic() - began:.0f} s."
    )


if __name__ == "__main__":
    main()
