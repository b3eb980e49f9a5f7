"""Benchmark of the reports on PostgreSQL: a large centre's year of tickets, and the nation.

    PYTHONPATH=. .venv/bin/python -m bench.reports [--tickets 1000000] [--centres 10]

It fills a fresh schema with generated history straight in SQL: the first centre gets
`--tickets` tickets spread over a year (a large centre's year), the others a tenth as many
each; every called ticket has its 'called' history entry, every finished visit its 'served'
one, and one in ten served visits an answer. Then it times the services report of the large
centre for a quarter and the national report for the same quarter (five runs each, the use
cases as the HTTP routes call them) and prints medians and the slowest run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

from sqlalchemy import text

from queue_server.adapters.database import make_engine, migrate
from queue_server.adapters.unit_of_work import UnitOfWorkFactory
from queue_server.centre_config import parse_centre_config
from queue_server.services import reports
from queue_server.services.common import Principal
from queue_server.services.setup import apply_centre_config

from .centres import many_centres, to_toml
from .server import postgres_schema

YEAR_START = date(2026, 1, 1)
QUARTER = (date(2026, 4, 1), date(2026, 6, 30))
NOW = datetime(2026, 7, 15, 9, 0, tzinfo=UTC)  # the quarter's days are all closed
RUNS = 5
ADMIN = Principal(kind="user", id=0, name="bench", role="admin", centres=None)

# One centre's tickets of `days` days, evenly over 08:00-17:00 local (05:00-14:00 UTC).
# Per ticket g: its day, its service (round robin) and its sequence in that service's day;
# waits of 0-60 minutes and services of 2-15 minutes come from a hash of g (repeatable).
TICKETS_SQL = """
INSERT INTO tickets (public_id, centre_id, service_id, issued_service_id, day, sequence,
    number, status, priority, language, issued_at, rank_at, called_at, finished_at, counter_id)
SELECT
    :code || '-' || g,
    :centre_id,
    s.id, s.id,
    CAST(:first_day AS date) + CAST(g / :per_day AS integer),
    CAST((g % :per_day) / :services + 1 AS integer),
    s.prefix || lpad(CAST((g % :per_day) / :services + 1 AS text), 3, '0'),
    CASE WHEN g % 20 = 0 THEN 'no_show' WHEN g % 33 = 0 THEN 'expired' ELSE 'done' END,
    'none', 'en',
    t.issued_at, t.issued_at,
    CASE WHEN g % 33 = 0 AND g % 20 <> 0 THEN NULL ELSE t.issued_at + t.wait END,
    t.issued_at + t.wait + t.service,
    :counter_id
FROM generate_series(CAST(0 AS bigint), :count - 1) AS g
JOIN LATERAL (SELECT (CAST(:ids AS integer[]))[CAST(1 + g % :services AS integer)] AS id,
                     (CAST(:prefixes AS text[]))[CAST(1 + g % :services AS integer)] AS prefix)
    AS s ON true
JOIN LATERAL (SELECT
    CAST(:first_day AS timestamp) + (g / :per_day) * interval '1 day' + interval '5 hours'
        + ((g % :per_day) * 32400 / :per_day) * interval '1 second' AS issued_at,
    ((g * 7919) % 3600) * interval '1 second' AS wait,
    (120 + (g * 104729) % 780) * interval '1 second' AS service) AS t ON true
"""

CENTRES_SQL = """SELECT c.id, c.code, min(k.id) FROM centres c
    JOIN counters k ON k.centre_id = c.id GROUP BY c.id, c.code ORDER BY c.id"""

HISTORY_SQL = [
    """INSERT INTO ticket_events (ticket_id, kind, at, service_id, counter_id)
       SELECT id, 'called', called_at, service_id, counter_id FROM tickets
       WHERE centre_id = :centre_id AND called_at IS NOT NULL""",
    """INSERT INTO ticket_events (ticket_id, kind, at, service_id, counter_id, duration_s)
       SELECT id, 'served', finished_at, service_id, counter_id,
              CAST(EXTRACT(EPOCH FROM finished_at - called_at) AS integer)
       FROM tickets WHERE centre_id = :centre_id AND status = 'done'""",
    """INSERT INTO feedback (ticket_id, centre_id, service_id, counter_id, day, rating, fee,
           asked_for_money, given_at)
       SELECT id, centre_id, service_id, counter_id, day, 1 + id % 5,
              CASE WHEN id % 7 = 0 THEN 'more' ELSE 'official' END,
              CASE WHEN id % 50 = 0 THEN 'yes' ELSE 'no' END, finished_at
       FROM tickets WHERE centre_id = :centre_id AND status = 'done' AND id % 10 = 0""",
]


def fill(uow: UnitOfWorkFactory, tickets: int, centres: int) -> int:
    """Generate the history; the number of tickets made."""
    made = 0
    with uow.engine.begin() as connection:
        rows = connection.execute(text(CENTRES_SQL)).all()
        for index, (centre_id, code, counter_id) in enumerate(rows[:centres]):
            count = tickets if index == 0 else tickets // 10
            listed = connection.execute(
                text("SELECT id, prefix FROM services WHERE centre_id = :c ORDER BY id"),
                {"c": centre_id},
            ).all()
            services = len(listed)
            per_day = max(services, (count // 365) // services * services)
            connection.execute(
                text(TICKETS_SQL),
                {
                    "code": code,
                    "centre_id": centre_id,
                    "first_day": YEAR_START,
                    "per_day": per_day,
                    "services": services,
                    "count": per_day * 365,
                    "counter_id": counter_id,
                    "ids": [row.id for row in listed],
                    "prefixes": [row.prefix for row in listed],
                },
            )
            for statement in HISTORY_SQL:
                connection.execute(text(statement), {"centre_id": centre_id})
            made += per_day * 365
    with uow.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    return made


def timed(action: Callable[[], list[dict]]) -> tuple[list[float], int]:
    """Seconds of each of RUNS runs, and the rows of the last."""
    seconds, rows = [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        rows = len(action())
        seconds.append(time.perf_counter() - started)
    return seconds, rows


def clock() -> datetime:
    """The benchmark's present: after the quarter."""
    return NOW


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--centres", type=int, default=10)
    args = parser.parse_args()
    with postgres_schema() as url:
        engine = make_engine(url)
        migrate(engine)
        uow = UnitOfWorkFactory(engine)
        config = many_centres(args.centres)
        apply_centre_config(parse_centre_config(to_toml(config), "bench"), uow=uow)
        started = time.perf_counter()
        made = fill(uow, args.tickets, args.centres)
        print(f"generated {made:,} tickets in {time.perf_counter() - started:.0f} s")
        big = config["centre"][0]["code"]
        started = time.perf_counter()
        for centre in config["centre"]:
            reports.store_closed_days(centre["code"], QUARTER, uow=uow, now=NOW)
        print(
            f"stored the quarter's closed days of {len(config['centre'])} centres once"
            f" (the sweep stores each day after it ends) in {time.perf_counter() - started:.1f} s"
        )
        rows = [
            ("services report, one centre, a quarter", 1.0)
            + timed(lambda: reports.services_report(ADMIN, big, QUARTER, uow=uow, clock=clock)),
            ("national report, a quarter", 3.0)
            + timed(lambda: reports.centres_report(ADMIN, QUARTER, uow=uow, clock=clock)),
        ]
        print(f"load average before timing: {os.getloadavg()}")
        print(f"{'report':42} {'rows':>6} {'median s':>9} {'slowest s':>10} {'target s':>9}")
        for name, target, seconds, count in rows:
            print(
                f"{name:42} {count:>6} {statistics.median(seconds):>9.3f}"
                f" {max(seconds):>10.3f} {target:>9.1f}"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
