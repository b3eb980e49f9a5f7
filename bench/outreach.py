"""`python -m bench.outreach`: a three-day Huduma Mashinani event of 5,000 tickets, synced after
the fact. The site's log is made by the real use cases on SQLite (every ticket issued, called,
started and completed by four counters, each change logged in its transaction); then a central
server process on PostgreSQL receives it over HTTP as the site's worker sends it, in order and
in batches. Prints entries applied per second at the central server and the time until it is
in step (acknowledged up to the site's last entry).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from queue_server.adapters.central import HttpCentralServer
from queue_server.adapters.database import make_engine, migrate
from queue_server.adapters.unit_of_work import UnitOfWorkFactory
from queue_server.centre_config import parse_centre_config
from queue_server.domain.errors import QueueEmpty
from queue_server.services import counters, sync, tickets
from queue_server.services.auth import Authenticator
from queue_server.services.counters import CounterRef
from queue_server.services.setup import apply_centre_config

from .server import BenchServer, postgres_schema, running
from .stats import ms, percentile, table

SITE_TOKEN = "bench-site-token-0123456789"
KIOSK_TOKEN = "bench-kiosk-token-0123456789"
PASSWORD = "bench-password-1"
SERVICES = ("ID", "BC", "KRA")
COUNTERS = 4
CONFIG = f"""
[[centre]]
code = "KBR"
name = "Huduma Mashinani Kibarani"
kind = "outreach"
parent = "MSA"
starts = 2026-12-13
ends = 2026-12-15
sponsor = "Mombasa Cement"
{
    "".join(
        f'''
  [[centre.service]]
  code = "{code}"
  prefix = "{prefix}"
  name = "{code}"
  category = "Outreach"
  fee_kes = {fee}
'''
        for code, prefix, fee in (("ID", "A", 100), ("BC", "B", 50), ("KRA", "K", 0))
    )
}
{
    "".join(
        f'''
  [[centre.counter]]
  number = {n}
  services = ["ID", "BC", "KRA"]
'''
        for n in range(1, COUNTERS + 1)
    )
}
  [[centre.device]]
  kind = "kiosk"
  name = "kiosk-1"
  token = "{KIOSK_TOKEN}"

  [[centre.device]]
  kind = "site"
  name = "kibarani-laptop"
  token = "{SITE_TOKEN}"
{
    "".join(
        f'''
[[user]]
username = "clerk{n}"
password = "{PASSWORD}"
role = "clerk"
centres = ["KBR"]
'''
        for n in range(1, COUNTERS + 1)
    )
}
"""


class EventClock:
    """The event's clock, moved on by the simulation."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Quiet:
    """Nobody watches screens in this benchmark."""

    def publish(self, events: object) -> None:
        """Drop the events."""


def run_event(uow: UnitOfWorkFactory, tickets_total: int, days: int) -> EventClock:
    """Issue and serve `tickets_total` tickets over `days` days at the site."""
    clock = EventClock(datetime(2026, 12, 13, 5, 0, tzinfo=UTC))  # 08:00 in Nairobi
    deps = {"uow": uow, "notifier": Quiet(), "clock": clock}
    auth = Authenticator(uow, clock, 7 * 24 * 3600)
    kiosk = auth.principal(KIOSK_TOKEN)
    clerks = [
        auth.principal(auth.login(f"clerk{n}", PASSWORD, "bench", allowed=99, window_s=60)["token"])
        for n in range(1, COUNTERS + 1)
    ]
    refs = [CounterRef("KBR", n) for n in range(1, COUNTERS + 1)]
    per_day = tickets_total // days
    for day in range(days):
        clock.now = datetime(2026, 12, 13, 5, 0, tzinfo=UTC) + timedelta(days=day)
        for i in range(per_day):
            tickets.issue_ticket(kiosk, "KBR", SERVICES[i % len(SERVICES)], **deps)
            clock.now += timedelta(seconds=15)
            if i % 2:  # the counters keep up with about half the arrivals as they come
                serve_one(clerks, refs, i, deps)
        for i in range(per_day // 2 + 1):
            serve_one(clerks, refs, i, deps)
    return clock


def serve_one(clerks: list, refs: list[CounterRef], i: int, deps: dict) -> None:
    """One counter (opened again if the new day closed it) calls, starts and completes."""
    clerk, ref = clerks[i % COUNTERS], refs[i % COUNTERS]
    counters.open_counter(clerk, ref, **deps)
    try:
        counters.call_next(clerk, ref, **deps)
    except QueueEmpty:
        return
    counters.start(clerk, ref, **deps)
    deps["clock"].now += timedelta(seconds=15)  # four counters at work: one finish in 15 s
    counters.complete(clerk, ref, **deps)


def main() -> None:
    """Build the event's log, then send it to a central server and time it."""
    parser = argparse.ArgumentParser(prog="python -m bench.outreach", description=__doc__)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--days", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = work / "centres.toml"
        config.write_text(CONFIG, encoding="utf-8")
        engine = make_engine(f"sqlite:///{work / 'site.db'}")
        migrate(engine)
        site = UnitOfWorkFactory(engine)
        apply_centre_config(parse_centre_config(CONFIG, "bench"), uow=site)
        site.sync_log = frozenset({sync.site_centre(SITE_TOKEN, uow=site).id})
        started = time.perf_counter()
        clock = run_event(site, args.tickets, args.days)
        made_s = time.perf_counter() - started
        entries = sync.site_status("KBR", uow=site)["pending"]
        with postgres_schema() as url:
            central = BenchServer(url, work / "central", config)
            with running(central):
                upload = HttpCentralServer(central.url, SITE_TOKEN)
                batches: list[float] = []
                started = time.perf_counter()
                while True:
                    sent = time.perf_counter()
                    if not sync.upload_once("KBR", upload, uow=site, clock=clock):
                        break
                    batches.append(time.perf_counter() - sent)
                in_step_s = time.perf_counter() - started
        status = sync.site_status("KBR", uow=site)
        engine.dispose()
    print(f"load average (1, 5, 15 min): before {load_before}, after {os.getloadavg()}")
    print(
        table(
            [
                (
                    f"{args.tickets:,} tickets, {args.days} days",
                    f"{entries:,}",
                    f"{made_s:.1f} s",
                    f"{len(batches)}",
                    ms(percentile(batches, 50)),
                    ms(percentile(batches, 99)),
                    f"{in_step_s:.1f} s",
                    f"{entries / in_step_s:,.0f}",
                    f"{status['pending']}",
                )
            ],
            (
                "event",
                "log entries",
                "site's days (simulated)",
                "batches",
                "batch p50",
                "batch p99",
                "until in step",
                "entries/s applied",
                "left",
            ),
        )
    )


if __name__ == "__main__":
    main()
