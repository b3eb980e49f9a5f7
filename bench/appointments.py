"""`python -m bench.appointments`: 200 citizens booking at once when a popular service's slots
open, on SQLite and on PostgreSQL; prints bookings per second, latencies and overbooked slots.

Each citizen (a thread with its own kept-alive HTTP connection) does what the booking page
does: reads the nearest three free times, books one of them at random, and on `slot_full`
reads them again, until booked or none is left. The centre's one service has 16 slots of 5
places a day, so the rush fills the first days' slots one after another: the test is that no
slot ever holds more than its 5. Every loop is bounded.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
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
MAX_TRIES = 40  # bounds each citizen's loop; 80 places are gone long before
HEADER = (
    "database",
    "citizens",
    "booked",
    "slot_full answers",
    "bookings/s",
    "requests/s",
    "booking p50",
    "booking p99",
    "overbooked slots",
)


@dataclass
class Rush:
    """What the citizens got: latencies of the bookings (POSTs) and of every request."""

    bookings: list[float] = field(default_factory=list)
    requests: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, latency: float, outcome: str | None = None) -> None:
        """One request answered; `outcome` for a booking (booked or the error's code)."""
        with self.lock:
            self.requests.append(latency)
            if outcome is not None:
                self.bookings.append(latency)
                self.outcomes[outcome] += 1


def citizen(base: str, after: str, n: int, barrier: threading.Barrier, rush: Rush) -> None:
    """Look at the nearest free times, book one of them at random; on slot_full, look again.

    As the booking page does: it offers the nearest three free times after the one taken.
    """
    chooser = random.Random(n)
    body = {"service": "ID", "phone": f"07{n:08d}", "consent": True}
    barrier.wait()
    with requests.Session() as session:
        for _ in range(MAX_TRIES):
            began = time.monotonic()
            offered = session.get(
                f"{base}/api/v1/centres/BKG/services/ID/free-slots",
                params={"after": after},
                timeout=120,
            ).json()
            rush.note(time.monotonic() - began)
            if not offered:
                return
            start = chooser.choice(offered)["start"]
            began = time.monotonic()
            answer = session.post(
                f"{base}/api/v1/centres/BKG/appointments",
                json={**body, "start": start},
                timeout=120,
            )
            code = "booked" if answer.status_code == 201 else answer.json()["error"]["code"]
            rush.note(time.monotonic() - began, code)
            if code != "slot_full":
                return


def rush_once(base: str) -> tuple[Rush, float, int]:
    """Let the citizens loose on the first free times, all at once.

    Returns what they got, how long the rush took, and the slots overbooked.
    """
    days = [
        d["date"]
        for d in requests.get(f"{base}/api/v1/centres/BKG/services/ID/days", timeout=10).json()
    ]
    after = f"{days[0]}T00:00:00+03:00"
    rush = Rush()
    barrier = threading.Barrier(CITIZENS + 1)
    threads = [
        threading.Thread(target=citizen, args=(base, after, n, barrier, rush))
        for n in range(CITIZENS)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    return rush, elapsed, overbooked(base, days)


def overbooked(base: str, days: list[str]) -> int:
    """Slots holding more live bookings than their capacity, by the staff's list of each day."""
    token = requests.post(
        f"{base}/api/v1/auth/login",
        json={"username": "bench-admin", "password": PASSWORD},
        timeout=10,
    ).json()["token"]
    per_slot: Counter[str] = Counter()
    for day in days:
        listed = requests.get(
            f"{base}/api/v1/centres/BKG/appointments?date={day}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        per_slot.update(a["start"] for a in listed if a["status"] == "booked")
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
        str(rush.outcomes["slot_full"]),
        f"{booked / elapsed:.0f}/s",
        f"{len(rush.requests) / elapsed:.0f}/s",
        ms(percentile(rush.bookings, 50)),
        ms(percentile(rush.bookings, 99)),
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
