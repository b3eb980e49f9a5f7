"""`python -m bench.day`: a busy centre day replayed through the real HTTP and Socket.IO interfaces.

About 5,000 citizens (Poisson arrivals with a crowd at opening and a morning peak) take tickets
at 8 kiosks; 40 clerks call, serve (lognormal times around each service's typical time), mark
no-shows, transfer and take lunch breaks. The server runs with QUEUE_TIME_SCALE so the day
passes in minutes; every duration of the clients is scaled the same way. The report compares
each ticket's estimated wait (given at issue) with its real wait, per service and overall.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from .centres import PASSWORD, in_zone, kiosk_tokens, load_centre, write_config
from .dayplan import DayPlan, add_day_options, make_day
from .dayreport import report
from .server import ROOT, BenchServer, running
from .stats import ms, percentile

CLERK_WORKERS = 4
START_DELAY_S = 8.0


def morning_zone() -> str:
    """A fixed-offset zone where it is 07:00-07:59 now, so the day never crosses midnight."""
    offset = (7 - datetime.now(UTC).hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/UTC"


def untimed(config: dict) -> dict:
    """The configuration without any service's typical time: the server learns them all."""
    config = copy.deepcopy(config)
    for centre in config["centre"]:
        for service in centre["service"]:
            service.pop("typical_service_s", None)
    return config


def login(url: str, username: str) -> str:
    """A clerk's bearer token."""
    answer = requests.post(
        f"{url}/api/v1/auth/login", json={"username": username, "password": PASSWORD}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["token"]


def worker_specs(url: str, config: dict, plan: DayPlan, args: argparse.Namespace) -> list[dict]:
    """What each worker process does: the kiosks, and the clerks in a few groups."""
    centre = config["centre"][0]
    desks = [
        {
            "token": login(url, f"clerk{c['number']:02d}"),
            "number": c["number"],
            "services": c["services"],
            "break_at": plan.breaks[c["number"]],
        }
        for c in centre["counter"]
    ]
    common = {
        "url": url,
        "centre": centre["code"],
        "scale": args.scale,
        "start": time.monotonic() + START_DELAY_S,
    }
    kiosks = {
        **common,
        "role": "kiosks",
        "tokens": kiosk_tokens(config, centre["code"]),
        "arrivals": [[a.at_s, a.service, a.priority] for a in plan.arrivals],
    }
    clerks = {
        **common,
        "role": "clerks",
        "seed": args.seed,
        "visits": {
            "typical_s": {s["code"]: s["typical_service_s"] for s in centre["service"]},
            "sigma": args.sigma,
            "mix": args.mix,
        },
        "prefixes": {s["prefix"]: s["code"] for s in centre["service"]},
        "last_arrival_s": plan.arrivals[-1].at_s,
    }
    return [kiosks] + [{**clerks, "clerks": desks[i::CLERK_WORKERS]} for i in range(CLERK_WORKERS)]


def run_workers(specs: list[dict]) -> list[dict]:
    """Start every worker, then collect what each saw; if one fails, stop them all."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.dayworker"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in specs
    ]
    outputs: dict[int, str] = {}

    def collect(index: int, spec: dict) -> None:
        outputs[index] = workers[index].communicate(json.dumps(spec) + "\n")[0]

    readers = [threading.Thread(target=collect, args=pair) for pair in enumerate(specs)]
    for reader in readers:
        reader.start()
    while any(reader.is_alive() for reader in readers):
        if any(worker.poll() not in (None, 0) for worker in workers):
            for worker in workers:
                worker.kill()
            raise RuntimeError("a worker of the day failed; see its traceback above")
        time.sleep(1)
    return [json.loads(outputs[i].strip().splitlines()[-1]) for i in range(len(specs))]


def merge(results: list[dict]) -> tuple[dict[str, dict], dict[str, int], list[float]]:
    """Tickets with their calls in order, every error, every action's latency."""
    tickets = {t["id"]: {**t, "calls": []} for r in results for t in r["tickets"]}
    for call in sorted((c for r in results for c in r["calls"]), key=lambda c: c["at"]):
        if call["id"] in tickets:
            tickets[call["id"]]["calls"].append(call)
    errors: dict[str, int] = {}
    for result in results:
        for code, n in result["errors"].items():
            errors[code] = errors.get(code, 0) + n
    return tickets, errors, [x for r in results for x in r["latencies"]]


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.day", description=__doc__)
    add_day_options(parser)
    parser.add_argument(
        "--scale",
        type=float,
        default=60.0,
        help="simulated seconds per real second (QUEUE_TIME_SCALE)",
    )
    parser.add_argument("--out", type=Path, help="write every ticket's record here (JSON)")
    return parser.parse_args()


def main() -> None:
    """Replay the day on a fresh SQLite database and print the report."""
    args = parse_args()
    config = in_zone(load_centre(), morning_zone())
    centre = config["centre"][0]
    plan = make_day(
        [c["number"] for c in centre["counter"]], tickets=args.tickets, seed=args.seed, mix=args.mix
    )
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="huduma-day-") as folder:
        workdir = Path(folder)
        server = BenchServer(
            f"sqlite:///{workdir / 'queue.db'}",
            workdir,
            write_config(untimed(config) if args.unconfigured else config, workdir / "centre.toml"),
            {"QUEUE_TIME_SCALE": str(args.scale)},
        )
        with running(server):
            results = run_workers(worker_specs(server.url, config, plan, args))
            cpu_s = server.cpu_s()
    tickets, errors, latencies = merge(results)
    if args.out:
        args.out.write_text(json.dumps(list(tickets.values())))
    print(report(tickets, errors, planned=len(plan.arrivals), bonus_s=centre["priority_bonus_s"]))
    print(
        f"Kiosk and counter requests answered in p50 {ms(percentile(latencies, 50))}, "
        f"p99 {ms(percentile(latencies, 99))} (real time); server CPU {cpu_s:.0f} s."
    )
    print(
        f"Wall-clock {time.monotonic() - began:.0f} s at {args.scale:g} simulated s per s; "
        f"seed {args.seed}; mix {args.mix}; sigma {args.sigma:g}; "
        f"typical times {'not ' if args.unconfigured else ''}configured; "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}."
    )


if __name__ == "__main__":
    main()
