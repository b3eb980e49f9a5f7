"""A busy centre day as data: who arrives when, for what, and how each visit goes (no I/O)."""

from __future__ import annotations

import argparse
import math
import random
from dataclasses import dataclass

OPEN_MIN = 8 * 60
LAST_ARRIVAL_MIN = 16 * 60 + 30
BREAK_MIN = 30
PRIORITIES = ("elderly", "disability", "expectant")

# Share of the day's citizens per service (the benchmark centre's services), by kind of day.
STANDARD_MIX = {
    "ID": 12,
    "IDR": 6,
    "IDC": 10,
    "BC": 8,
    "DC": 2,
    "MC": 1,
    "GC": 9,
    "KRA": 8,
    "TAX": 5,
    "NSSF": 5,
    "SHA": 7,
    "SHAC": 4,
    "BN": 3,
    "HELB": 4,
    "DL": 4,
    "BODA": 2,
    "PP": 3,
    "PEN": 1,
    "VCT": 1,
    "ENQ": 5,
}
MIXES = {
    "standard": STANDARD_MIX,
    # A registration drive: identity cards and certificates (long visits) crowd the hall.
    "registration": STANDARD_MIX | {"ID": 15, "IDR": 8, "BC": 10, "DC": 3, "KRA": 6, "SHA": 5},
    # A tax deadline: KRA, TAX and business names, with short card collections beside them.
    "revenue": STANDARD_MIX | {"KRA": 10, "TAX": 6, "BN": 4, "IDC": 13, "ID": 9, "GC": 7},
}
# (probability, where to): some visits end in a transfer to another service's queue.
TRANSFERS = {"ENQ": (0.25, None), "BC": (0.05, "ID"), "KRA": (0.05, "TAX")}
# Citizens per minute through the day (minute of the day, rate), linear in between:
# a crowd at the door at opening, a morning peak, a dip at lunch, a quieter afternoon.
PROFILE = [
    (480, 30.0),
    (490, 9.0),
    (570, 14.0),
    (660, 11.0),
    (720, 7.0),
    (840, 8.0),
    (930, 6.0),
    (990, 3.0),
]


@dataclass(frozen=True)
class Leg:
    """One call of a visit at a counter: absent, or served for `service_s` then maybe moved."""

    no_show: bool
    service_s: float
    transfer_to: str | None = None


@dataclass(frozen=True)
class Arrival:
    """A citizen taking a ticket: when (seconds after opening), for what, with what priority."""

    at_s: float
    service: str
    priority: str


@dataclass(frozen=True)
class DayPlan:
    """The day's arrivals in order, and each counter's break (seconds after opening)."""

    arrivals: list[Arrival]
    breaks: dict[int, float]


def rate_at(minute: float) -> float:
    """Arrivals per minute at `minute` of the day (unscaled profile)."""
    for (m0, r0), (m1, r1) in zip(PROFILE, PROFILE[1:], strict=False):
        if m0 <= minute < m1:
            return r0 + (r1 - r0) * (minute - m0) / (m1 - m0)
    return 0.0


def arrival_times(rng: random.Random, total: int) -> list[float]:
    """Poisson arrival times (seconds after opening) averaging `total` over the day."""
    expected = sum(rate_at(m + 0.5) for m in range(OPEN_MIN, LAST_ARRIVAL_MIN))
    scale = total / expected
    peak = max(r for _, r in PROFILE) * scale
    times, minute = [], float(OPEN_MIN)
    while True:
        minute += rng.expovariate(peak)
        if minute >= LAST_ARRIVAL_MIN:
            return times
        if rng.random() < rate_at(minute) * scale / peak:
            times.append((minute - OPEN_MIN) * 60)


@dataclass(frozen=True)
class Visits:
    """How visits go on the day: each service's median time at the counter, the lognormal
    spread around it, the mix of services (a name in MIXES) and the share of no-shows."""

    typical_s: dict[str, int]
    sigma: float = 0.45
    mix: str = "standard"
    no_show: float = 0.04


def service_time(rng: random.Random, typical_s: float, sigma: float) -> float:
    """Seconds at the counter: lognormal around the service's typical time (its median)."""
    return typical_s * math.exp(rng.gauss(0.0, sigma))


def pick_service(rng: random.Random, mix: str) -> str:
    """A service by the day's mix."""
    shares = MIXES[mix]
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def visit_legs(seed: int, number: str, service: str, visits: Visits) -> tuple[Leg, ...]:
    """How the visit of ticket `number` (issued for `service`) goes at the counters.

    Drawn from the ticket's number, so whichever process calls it sees the same visit.
    """
    rng = random.Random(f"{seed}:{number}")
    typical, sigma = visits.typical_s, visits.sigma
    first = Leg(rng.random() < visits.no_show, service_time(rng, typical[service], sigma))
    chance, target = TRANSFERS.get(service, (0.0, None))
    if first.no_show or rng.random() >= chance:
        return (first,)
    target = target or pick_service(rng, visits.mix)
    if target == service:
        return (first,)
    second = Leg(False, service_time(rng, typical[target], sigma))
    return Leg(False, first.service_s, target), second


def make_day(
    counters: list[int],
    *,
    tickets: int = 5000,
    seed: int = 2026,
    priority: float = 0.05,
    mix: str = "standard",
) -> DayPlan:
    """A whole day: Poisson arrivals, and staggered lunch breaks from 12:00."""
    rng = random.Random(seed)
    arrivals = [
        Arrival(
            t,
            pick_service(rng, mix),
            rng.choice(PRIORITIES) if rng.random() < priority else "none",
        )
        for t in arrival_times(rng, tickets)
    ]
    breaks = {n: (12 * 60 - OPEN_MIN + (n % 4) * BREAK_MIN) * 60.0 for n in counters}
    return DayPlan(arrivals, breaks)


def add_day_options(parser: argparse.ArgumentParser) -> None:
    """The options that choose a day (bench.day replays it on the server, bench.daysim offline)."""
    parser.add_argument("--tickets", type=int, default=5000, help="citizens expected in the day")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--sigma", type=float, default=0.45, help="spread of service times (lognormal sigma)"
    )
    parser.add_argument("--mix", choices=sorted(MIXES), default="standard", help="services asked")
    parser.add_argument(
        "--unconfigured",
        action="store_true",
        help="the server is given no typical_service_s (the clerks still serve around them)",
    )
