"""`python -m bench.appointments`: 200 citizens booking at once when a popular service's slots
open, on SQLite and on PostgreSQL; prints bookings per second, latencies and overbooked slots.

Each citizen (a thread with its own kept-alive HTTP connection) asks for the day's first slot
and, when it is full, for the next one, as people do, until booked or no slot is left. The
centre's one service has 16 slots of 5 places (80 in all), so most of the rush is turned
away: the test is that no slot ever holds more than its 5. Every loop is bounded.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .server import BenchServer, postgres_schema, running
from .stats import ms, percentile, table

CITIZENS = 200
CAPACITY = 5
PASSWORD = "bench-password-1"
CONFIG = f"""
[[centre]]
code = "BKG"
name = "Huduma Centre Booking Bench"
booking_days = 30

  [[centre.service]]
  code = "ID"
  prefix = "A"
  name = {{ en = "National ID card", sw = "Kitambulisho cha Taifa" }}
  category = "Registration of Persons"

  [[centre.service.slots]]
  start = "08:00"
  end = "12:00"
  minutes = 15
  capacity = {CAPACITY}

[[user]]
username = "bench-admin"
password = "{PASSWORD}"
role = "admin"
"""
HEADER = (
    "database",
    "citizens",
    "booked",
    "turned away",
    "bookings/s",
    "p50",
    "p99",
    "overbooked slots",
)


@dataclass
class Rush:
    """What the citizens got: latencies of every request, and their outcomes."""

    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, latency: float, outcome: str) -> None:
        with self.lock:
            self.latencies.append(latency)
            self.outcomes[outcome] += 1


def citizen(base: str, starts: list[str], n: int, barrier: threading.Barrier, rush: Rush) -> None:
    """Book the first slot with room, trying them in order; each a phone of its own."""
    session = requests.Session()
    body = {"service": "ID", "phone": f"07{n:08d}", "consent": True}
    barrier.wait()
    for start in starts:
        began = time.monotonic()
        answer = session.post(
            f"{base}/api/v1/centres/BKG/appointments", json={**body, "start": start}, timeout=60
        )
        code = "booked" if answer.status_code == 201 else answer.json()["error"]["code"]
        rush.note(time.monotonic() - began, code)
        if code != "slot_full":
            break
    session.close()


def rush_once(base: str) -> tuple[Rush, float, int]:
    """Let the citizens loose on the first day with free slots.

    Returns what they got, how long the rush took, and the slots overbooked.
    """
    day = requests.get(f"{base}/api/v1/centres/BKG/services/ID/days", timeout=10).json()[0]["date"]
    slots = requests.get(
        f"{base}/api/v1/centres/BKG/services/ID/slots?date={day}", timeout=10
    ).json()
    starts = [s["start"] for s in slots]
    rush = Rush()
    barrier = threading.Barrier(CITIZENS + 1)
    threads = [
        threading.Thread(target=citizen, args=(base, starts, n, barrier, rush))
        for n in range(CITIZENS)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return rush, elapsed, overbooked(base, day)


def overbooked(base: str, day: str) -> int:
    """Slots of `day` holding more live bookings than their capacity, by the staff's list."""
    token = requests.post(
        f"{base}/api/v1/auth/login",
        json={"username": "bench-admin", "password": PASSWORD},
        timeout=10,
    ).json()["token"]
    listed = requests.get(
        f"{base}/api/v1/centres/BKG/appointments?date={day}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    per_slot = Counter(a["start"] for a in listed if a["status"] == "booked")
    return sum(1 for n in per_slot.values() if n > CAPACITY)


def row(database: str, url: str, folder: Path) -> tuple[str, ...]:
    """Start a server on `url`, run the rush once, and make its row of the table."""
    config = folder / "centre.toml"
    config.write_text(CONFIG, encoding="utf-8")
    with running(BenchServer(url, folder / database, config)) as server:
        rush, elapsed, over = rush_once(server.url)
    booked = rush.outcomes["booked"]
    return (
        database,
        str(CITIZENS),
        str(booked),
        str(CITIZENS - booked),
        f"{booked / elapsed:.0f}/s",
        ms(percentile(rush.latencies, 50)),
        ms(percentile(rush.latencies, 99)),
        str(over),
    )


def main() -> None:
    """Run the rush on SQLite and PostgreSQL (unless --sqlite-only) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-appointments-") as temp:
        folder = Path(temp)
        rows.append(row("SQLite", f"sqlite:///{folder / 'queue.db'}", folder))
        if not args.sqlite_only:
            with postgres_schema() as url:
                rows.append(row("PostgreSQL", url, folder))
    print(table(rows, HEADER))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
