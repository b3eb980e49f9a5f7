"""`python -m bench.phones`: 1,000 phones follow their tickets on /ticket while clerks call.

One centre, one service served by 10 counters, 1,000 tickets waiting, one phone per ticket
(over two worker processes, bench.phoneworker). Clerks call 2 tickets a second. Every call
moves every waiting ticket one place up, so after call k the phone of the ticket issued i-th
(from 0) must hear `ahead = i - k` (or, for i = k - 1, that it is called). A phone update's
latency is from the clerk sending `call_next` to the phone receiving that view; an update
never received is missing. Prints the figures of one run and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import socketio

from .centres import PASSWORD, write_config
from .day import morning_zone
from .server import ROOT, BenchServer, running
from .stats import ms, percentile

KIOSK_TOKEN = "phones-kiosk-token-0123456789"


def centre_config(counters: int) -> dict:
    """One centre with one service, `counters` counters serving it, a kiosk and the clerks."""
    centre = {
        "code": "PHN",
        "name": "Huduma Centre Phones",
        "timezone": morning_zone(),
        "service": [
            {
                "code": "ID",
                "prefix": "A",
                "name": {"en": "National ID card", "sw": "Kitambulisho cha Taifa"},
                "category": "Registration of Persons",
                "typical_service_s": 300,
            }
        ],
        "counter": [{"number": n, "services": ["ID"]} for n in range(1, counters + 1)],
        "device": [{"kind": "kiosk", "name": "kiosk-1", "token": KIOSK_TOKEN, "printer": "none"}],
    }
    users = [
        {"username": f"clerk{n:02d}", "password": PASSWORD, "role": "clerk", "centres": ["PHN"]}
        for n in range(1, counters + 1)
    ]
    return {"centre": [centre], "user": users}


def issue_all(url: str, count: int) -> list[str]:
    """Issue `count` tickets in order; their ids."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {KIOSK_TOKEN}"
    ids = []
    for _ in range(count):
        answer = session.post(
            f"{url}/api/v1/centres/PHN/tickets", json={"service": "ID"}, timeout=30
        )
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    return ids


def open_counters(url: str, counters: int) -> list[socketio.Client]:
    """A clerk's screen at each counter, opened."""
    clerks = []
    for n in range(1, counters + 1):
        token = requests.post(
            f"{url}/api/v1/auth/login",
            json={"username": f"clerk{n:02d}", "password": PASSWORD},
            timeout=30,
        ).json()["token"]
        clerk = socketio.Client(reconnection=False)
        clerk.connect(url, namespaces=["/counter"], auth={"token": token}, transports=["websocket"])
        assert clerk.call("open", {"centre": "PHN", "counter": n}, namespace="/counter")["ok"]
        clerks.append(clerk)
    return clerks


def start_phones(url: str, tickets: list[str], workers: int) -> list[subprocess.Popen[str]]:
    """The phone workers, each following its share of the tickets, connected."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.phoneworker", json.dumps({"url": url, "tickets": part})],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for part in (tickets[i::workers] for i in range(workers))
    ]
    for process in processes:
        assert process.stdout is not None
        answer = json.loads(process.stdout.readline())
        if answer["failed"]:
            raise RuntimeError(f"{answer['failed']} phones could not connect")
    return processes


def ask(process: subprocess.Popen[str], command: str) -> dict:
    """Send a phone worker one command; its answer."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(json.dumps({"cmd": command}) + "\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline()) if command == "report" else {}


def call_paced(clerks: list[socketio.Client], calls: int, per_s: float) -> list[float]:
    """Call `calls` tickets, `per_s` a second, the counters in turn; when each was sent."""
    sent = []
    start = time.monotonic() + 0.5
    for k in range(calls):
        time.sleep(max(0.0, start + k / per_s - time.monotonic()))
        sent.append(time.monotonic())
        answer = clerks[k % len(clerks)].call("call_next", {}, namespace="/counter", timeout=30)
        if not answer["ok"]:
            raise RuntimeError(f"call {k + 1} failed: {answer}")
    return sent


def latencies(
    tickets: list[str], received: list[list], sent: list[float]
) -> tuple[list[float], int]:
    """Each expected phone update's latency after its call, and how many never arrived."""
    index = {ticket: i for i, ticket in enumerate(tickets)}
    first: dict[tuple[int, int], float] = {}  # (ticket index, call number) -> first received
    for ticket, status, ahead, at in received:
        i = index[ticket]
        if status == "waiting":
            k = i - ahead
        elif status == "called":
            k = i + 1
        else:
            continue
        if 1 <= k <= len(sent):
            first.setdefault((i, k), at)
    found, missing = [], 0
    for k, call_at in enumerate(sent, start=1):
        for i in range(k - 1, len(tickets)):
            if (i, k) in first:
                found.append(first[(i, k)] - call_at)
            else:
                missing += 1
    return found, missing


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.phones", description=__doc__)
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--per-s", type=float, default=2.0)
    parser.add_argument("--counters", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-phones-") as folder:
        work = Path(folder)
        config = write_config(centre_config(args.counters), work / "centre.toml")
        server = BenchServer(f"sqlite:///{work / 'queue.db'}", work, config)
        with running(server):
            tickets = issue_all(server.url, args.phones)
            phones = start_phones(server.url, tickets, args.workers)
            try:
                clerks = open_counters(server.url, args.counters)
                cpu_before = server.cpu_s()
                sent = call_paced(clerks, args.calls, args.per_s)
                time.sleep(3)  # the last updates arrive (the projector also runs every second)
                cpu_s = server.cpu_s() - cpu_before
                received = [row for p in phones for row in ask(p, "report")["received"]]
            finally:
                for process in phones:
                    ask(process, "quit")
                    process.wait(timeout=60)
            for clerk in clerks:
                clerk.disconnect()
    found, missing = latencies(tickets, received, sent)
    print(
        f"{args.phones} phones, {args.calls} calls at {args.per_s:g}/s over {args.counters}"
        f" counters: {len(found)} phone updates expected and received, {missing} missing;"
        f" update latency p50 {ms(percentile(found, 50))}, p99 {ms(percentile(found, 99))},"
        f" max {ms(max(found))}; server CPU {cpu_s / args.calls * 1000:.1f} ms per call"
        f" (load average {os.getloadavg()[0]:.2f})"
    )


if __name__ == "__main__":
    main()
