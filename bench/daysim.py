"""`python -m bench.daysim`: bench.day's centre day replayed offline, in plain Python, in seconds.

The same day plan as `bench.day` (`bench/dayplan.py`: arrivals, services, visits, no-shows,
transfers, lunch breaks) and the same clerks' habits as `bench/dayworker.py` (counters open
at 08:00; a clerk calls the next ticket by the call order as soon as a visit ends, waits
WALK_UP_S for the citizen, NO_SHOW_WAIT_S before marking an absent one; an idle clerk wakes
when a ticket joins one of its queues; a lunch break starts once the visit at hand ends), as a
discrete-event simulation: no server, no database, no clock of its own. The call order is the
domain's (`queue_server.domain.routing`), and a ticket's estimate at issue is made by the
server's own `QueueFigures` over an in-memory copy of what its queries read. Requests take
no time here, which the real day's do (a second or so of simulated time each).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median
from types import SimpleNamespace

from queue_server.adapters.queries.centres import CounterState
from queue_server.domain.model import Priority
from queue_server.domain.numbering import format_number
from queue_server.domain.routing import RankPolicy, call_order_key, rank_time
from queue_server.services.views import QueueFigures

from .centres import load_centre
from .dayplan import BREAK_MIN, Visits, add_day_options, make_day, visit_legs
from .dayreport import (
    MIN_WAIT_FOR_RELATIVE_S,
    estimate_errors,
    first_wait_s,
    overtakes,
    per_service,
)
from .dayworker import IDLE_POLL_S, NO_SHOW_WAIT_S, WALK_UP_S
from .stats import percentile, table

OPENING = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # 08:00 in Nairobi
DEFAULT_TYPICAL_S = 300  # what the server assumes of a service with no typical_service_s


@dataclass
class SimTicket:
    """A ticket as the simulation knows it."""

    id: int
    number: str
    service_id: int
    issued_service_id: int
    priority: str
    issued_s: float
    rank_s: float
    estimate_s: int | None = None
    calls: list[dict] = field(default_factory=list)

    @property
    def key(self) -> tuple[datetime, datetime, int]:
        """Its place in the call order."""
        return call_order_key(at(self.rank_s), at(self.issued_s), self.id)


@dataclass
class SimCounter:
    """A counter: its services, state, the visit at hand (since when), break and idleness."""

    number: int
    services: frozenset[int]
    break_at: float | None
    state: str = "open"
    holding: SimTicket | None = None
    since_s: float = 0.0
    idle: bool = False
    wake_token: int = 0


def at(seconds: float) -> datetime:
    """Simulated seconds after opening as an instant."""
    return OPENING + timedelta(seconds=seconds)


class Hall:
    """The centre's state, and the reads `QueueFigures` makes of it (an in-memory repository)."""

    def __init__(self, counters: list[SimCounter]) -> None:
        self.counters = counters
        self.queues: dict[int, list[tuple[tuple, SimTicket]]] = defaultdict(list)
        self.served: dict[int, list[float]] = defaultdict(list)  # durations, oldest first
        self.now = 0.0

    # What QueueFigures reads of a repository.
    def waiting_counts(self, centre: object, day: date) -> dict[int, int]:
        return {sid: len(queue) for sid, queue in self.queues.items() if queue}

    def counter_states(self, centre: object) -> list[CounterState]:
        return [
            CounterState(c.state, c.services, c.holding.service_id, at(c.since_s))
            if c.holding is not None
            else CounterState(c.state, c.services)
            for c in self.counters
        ]

    def recent_durations(self, service_ids: Iterable[int], limit: int) -> dict[int, list[float]]:
        return {sid: self.served[sid][::-1][:limit] for sid in set(service_ids)}

    def count_ahead(self, ticket: SimTicket, service_ids: Iterable[int]) -> int:
        key = ticket.key
        return sum(1 for sid in service_ids for k, _ in self.queues.get(sid, []) if k < key)

    # The hall's own moves.
    def join(self, ticket: SimTicket) -> None:
        heapq.heappush(self.queues[ticket.service_id], (ticket.key, ticket))

    def first_for(self, services: frozenset[int]) -> SimTicket | None:
        """Take the first waiting ticket of these services by the call order."""
        heads = [(q[0][0], sid) for sid in services if (q := self.queues.get(sid))]
        if not heads:
            return None
        _, sid = min(heads)
        return heapq.heappop(self.queues[sid])[1]

    def total_waiting(self) -> int:
        return sum(len(q) for q in self.queues.values())


def simulate(args: argparse.Namespace) -> tuple[list[SimTicket], dict[int, str], dict]:
    """Play the day; its tickets, the service codes by id and the centre's configuration."""
    centre = load_centre()["centre"][0]
    codes = {i: s["code"] for i, s in enumerate(centre["service"], start=1)}
    ids = {code: i for i, code in codes.items()}
    typical = {s["code"]: s["typical_service_s"] for s in centre["service"]}
    prefixes = {ids[s["code"]]: s["prefix"] for s in centre["service"]}
    rows = [
        SimpleNamespace(
            id=ids[s["code"]],
            typical_service_s=DEFAULT_TYPICAL_S if args.unconfigured else s["typical_service_s"],
        )
        for s in centre["service"]
    ]
    policy = RankPolicy(centre["priority_bonus_s"], centre["appointment_bonus_s"])
    plan = make_day(
        [c["number"] for c in centre["counter"]], tickets=args.tickets, seed=args.seed, mix=args.mix
    )
    visits = Visits(typical, sigma=args.sigma, mix=args.mix)
    counters = [
        SimCounter(c["number"], frozenset(ids[s] for s in c["services"]), plan.breaks[c["number"]])
        for c in centre["counter"]
    ]
    hall = Hall(counters)
    stub_centre = SimpleNamespace(services=rows)
    day = OPENING.date()
    events: list[tuple[float, int, str, object]] = []
    order = itertools.count()
    sequences: dict[int, int] = defaultdict(int)
    tickets: list[SimTicket] = []

    def schedule(when: float, kind: str, what: object) -> None:
        heapq.heappush(events, (when, next(order), kind, what))

    def wake(service_id: int, now: float) -> None:
        for counter in counters:
            if counter.idle and service_id in counter.services:
                counter.idle = False
                schedule(now, "free", counter)

    def finish(counter: SimCounter, now: float) -> None:
        """Complete the visit at the counter (what service-time estimates learn)."""
        if counter.holding is not None:
            hall.served[counter.holding.service_id].append(now - counter.since_s)
            counter.holding = None

    def free(counter: SimCounter, now: float) -> None:
        """The clerk's loop: maybe a break, then call the next ticket or wait idle."""
        if counter.break_at is not None and now >= counter.break_at:
            counter.break_at = None
            finish(counter, now)
            counter.state = "paused"
            schedule(now + BREAK_MIN * 60, "resume", counter)
            return
        finish(counter, now)
        ticket = hall.first_for(counter.services)
        if ticket is None:
            counter.idle = True
            counter.wake_token += 1
            schedule(now + IDLE_POLL_S, "poll", (counter, counter.wake_token))
            return
        counter.holding, counter.since_s = ticket, now
        ticket.calls.append(
            {
                "at": at(now).isoformat(),
                "service": codes[ticket.service_id],
                "counter": counter.number,
            }
        )
        issued_for = codes[ticket.issued_service_id]
        legs = visit_legs(args.seed, ticket.number, issued_for, visits)
        leg = legs[0] if ticket.service_id == ticket.issued_service_id else legs[-1]
        if leg.no_show:
            schedule(now + NO_SHOW_WAIT_S, "no_show", counter)
        elif leg.transfer_to:
            schedule(now + WALK_UP_S + leg.service_s, "transfer", (counter, ids[leg.transfer_to]))
        else:
            schedule(now + WALK_UP_S + leg.service_s, "free", counter)

    def issue(index: int, arrival) -> None:
        now = arrival.at_s
        sid = ids[arrival.service]
        sequences[sid] += 1
        rank = rank_time(at(now), Priority(arrival.priority), policy)
        ticket = SimTicket(
            id=len(tickets) + 1,
            number=format_number(prefixes[sid], sequences[sid]),
            service_id=sid,
            issued_service_id=sid,
            priority=arrival.priority,
            issued_s=now,
            rank_s=(rank - OPENING).total_seconds(),
        )
        tickets.append(ticket)
        hall.join(ticket)
        if index % args.every == 0:  # as the server answers the kiosk, after the commit
            figures = QueueFigures(hall, stub_centre, day, services=rows, now=at(now))  # type: ignore[arg-type]
            service = next(r for r in rows if r.id == sid)
            ticket.estimate_s = figures.wait_for(service, figures.ticket_ahead(ticket))  # type: ignore[arg-type]
        wake(sid, now)

    for index, arrival in enumerate(plan.arrivals):
        schedule(arrival.at_s, "arrival", (index, arrival))
    for counter in counters:
        schedule(0.0, "free", counter)
    while events:
        now, _, kind, what = heapq.heappop(events)
        hall.now = now
        if kind == "arrival":
            issue(*what)  # type: ignore[misc]
        elif kind == "free":
            free(what, now)  # type: ignore[arg-type]
        elif kind == "resume":
            what.state = "open"  # type: ignore[attr-defined]
            free(what, now)  # type: ignore[arg-type]
        elif kind == "no_show":
            what.holding = None  # type: ignore[attr-defined]
            free(what, now)  # type: ignore[arg-type]
        elif kind == "transfer":
            counter, target = what  # type: ignore[misc]
            ticket = counter.holding
            finish(counter, now)
            ticket.service_id = target
            hall.join(ticket)
            wake(target, now)
            free(counter, now)
        elif kind == "poll":
            counter, token = what  # type: ignore[misc]
            if counter.idle and counter.wake_token == token:
                if now > plan.arrivals[-1].at_s and hall.total_waiting() == 0:
                    continue  # the day is over for this clerk
                counter.idle = False
                free(counter, now)
    return tickets, codes, centre


def as_records(tickets: list[SimTicket], codes: dict[int, str]) -> list[dict]:
    """The tickets as bench.day records them (what dayreport reads)."""
    return [
        {
            "id": t.id,
            "number": t.number,
            "service": codes[t.issued_service_id],
            "priority": t.priority,
            "issued_at": at(t.issued_s).isoformat(),
            "estimated_wait_s": t.estimate_s,
            "calls": t.calls,
        }
        for t in tickets
    ]


def by_hour(records: list[dict]) -> list[tuple[str, ...]]:
    """The estimate's error by hour of issue: tickets, median relative and signed error."""
    hours: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for r in records:
        wait = first_wait_s(r)
        if wait is not None and wait >= MIN_WAIT_FOR_RELATIVE_S:
            hour = 8 + int(
                (datetime.fromisoformat(r["issued_at"]) - OPENING).total_seconds() // 3600
            )
            hours[hour].append((r["estimated_wait_s"], wait))
    return [
        (
            f"{hour:02d}h",
            str(len(pairs)),
            f"{median(abs(e - w) / w for e, w in pairs):.1%}",
            f"{median((e - w) / w for e, w in pairs):+.1%}",
        )
        for hour, pairs in sorted(hours.items())
    ]


def per_service_relative(records: list[dict]) -> list[tuple[str, ...]]:
    """Median relative error per issued service (tickets that waited >= 2 min)."""
    services: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        services[r["service"]].append(r)
    rows = []
    for code, group in sorted(services.items()):
        errors = estimate_errors(group)
        rows.append((code, str(len(group)), f"{errors.get('median_relative', float('nan')):.1%}"))
    return rows


def parse_args() -> argparse.Namespace:
    """The command line (bench.day's day options, and how many tickets to estimate)."""
    parser = argparse.ArgumentParser(prog="python -m bench.daysim", description=__doc__)
    add_day_options(parser)
    parser.add_argument(
        "--every", type=int, default=1, help="estimate every n-th ticket at issue (bench.day: all)"
    )
    return parser.parse_args()


def main() -> None:
    """Simulate the day and print the estimate's error."""
    args = parse_args()
    began = time.process_time()
    tickets, codes, centre = simulate(args)
    records = as_records(tickets, codes)
    estimated = [r for r in records if r["estimated_wait_s"] is not None]
    waits = [w for r in records if (w := first_wait_s(r)) is not None]
    errors = estimate_errors(estimated)
    passing = overtakes(records, centre["priority_bonus_s"])
    last = max((c["at"] for r in records for c in r["calls"]), default="")
    print(
        f"Simulated day (not the server): seed {args.seed}; mix {args.mix}; sigma {args.sigma:g}; "
        f"typical times {'not ' if args.unconfigured else ''}configured; "
        f"tickets {len(records)}, called {len(waits)}; last call at "
        f"{(datetime.fromisoformat(last) - OPENING).total_seconds() / 3600 + 8:.1f} h."
    )
    print(
        f"Wait to first call: p50 {percentile(waits, 50) / 60:.1f} min, "
        f"p90 {percentile(waits, 90) / 60:.1f} min, max {max(waits) / 60:.1f} min."
    )
    sample = "every ticket" if args.every == 1 else f"every {args.every}th ticket"
    print(f"Estimates made at issue, as the server makes them, of {sample} ({len(estimated)}):")
    print(
        f"- median of |est - actual| / actual, tickets that waited >= 2 min: "
        f"{errors['median_relative']:.1%}; within 20%: {errors['within_20pct']:.0%} of them"
    )
    print(
        f"- median |est - actual| / median(actual): {errors['ratio_of_medians']:.1%}; "
        f"median |est - actual| {errors['median_absolute_s'] / 60:.1f} min; "
        f"median est - actual {errors['median_signed_s'] / 60:.1f} min"
    )
    print()
    print(table(by_hour(estimated), ("issued", "tickets", "median rel.", "median signed")))
    print()
    print(table(per_service_relative(estimated), ("service", "estimated", "median rel.")))
    print()
    print(
        table(
            per_service(records),
            ("service", "tickets", "wait p50", "wait p90", "wait max", "longest", "est. error"),
        )
        if all(r["estimated_wait_s"] is not None for r in records)
        else "(per-service waits with --every 1)"
    )
    print(
        f"Starvation check: later normal ticket ahead by {passing['normal']:.0f} s at most, "
        f"priority {passing['priority']:.0f} s; passes beyond what is allowed "
        f"{passing['violations']:.0f}. CPU {time.process_time() - began:.0f} s."
    )


if __name__ == "__main__":
    main()
