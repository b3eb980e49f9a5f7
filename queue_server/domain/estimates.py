"""Estimated waiting time, from recent service times and the counters at work."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from statistics import fmean, median, variance

RECENT_SERVICES = 50
"""How many recent visits of a service its expected service time is taken from: the mean of a
wide spread needs more of them than a median did."""

LOG_SPREAD_LIMIT = 2.5
"""How far from the median a visit counts, in natural logarithm: at most about 12 times longer
(or shorter) than it, so the odd visit that ran very long (a lost form, a system outage) moves
the expected time little."""


def expected_service_s(recent_durations_s: Sequence[float], default_s: int) -> float:
    """A service's expected time at the counter: the mean of a lognormal fitted to its recent
    visits (newest first), else the configured default.

    Queues drain at the mean visit, not the median one: with a wide spread (σ 0.9 in
    logarithms) the mean is 1.5 times the median. Fitted in logarithms, a visit far from the
    others counts only LOG_SPREAD_LIMIT away from the median.
    """
    logs = [math.log(max(d, 1.0)) for d in recent_durations_s[:RECENT_SERVICES]]
    if not logs:
        return float(default_s)
    middle = median(logs)
    logs = [min(max(x, middle - LOG_SPREAD_LIMIT), middle + LOG_SPREAD_LIMIT) for x in logs]
    spread = variance(logs) if len(logs) > 1 else 0.0
    return math.exp(fmean(logs) + spread / 2)


def estimated_wait_s(ahead: int, service_s: float, counters_at_work: int) -> int:
    """Seconds until a ticket with `ahead` tickets before it is likely to be called."""
    return round(ahead * service_s / max(counters_at_work, 1))


def connected_services(service_id: int, counter_services: Iterable[frozenset[int]]) -> set[int]:
    """The services linked to `service_id` through counters that serve several of them.

    Their queues drain through the same counters, so their waits are estimated together.
    """
    groups = list(counter_services)
    connected, grown = {service_id}, True
    while grown:
        grown = False
        for served in groups:
            if served & connected and not served <= connected:
                connected |= served
                grown = True
    return connected


def call_times(
    waiting: Mapping[int, int],
    counters: Sequence[tuple[str, frozenset[int]]],
    service_s: Mapping[int, float],
) -> dict[int, list[float]]:
    """Seconds until each waiting ticket is likely called, per service in call order.

    A replay of the counters at work: each, when free, calls the first of its services'
    tickets by the call order and is busy for that service's expected time. Counters with a
    queue are taken as halfway through a visit. Each service's tickets are taken
    as spread evenly over the time they were issued, which interleaves the services' queues.
    The list of a service has one more entry than it has tickets waiting: when a ticket issued
    now would be called.
    """
    working = _working_counters(counters, waiting)
    taken = dict.fromkeys(waiting, 0)
    times: dict[int, list[float]] = {sid: [] for sid in waiting}
    at_work = sum(1 for state, served in counters if state == "open" and served & waiting.keys())
    free = [  # the counters assumed to open (after the open ones) start free
        (_first_call_s(served, waiting, service_s, working) if i < at_work else 0.0, i)
        for i, served in enumerate(working)
    ]
    heapq.heapify(free)
    while free:
        at, index = heapq.heappop(free)
        choice = _next_ticket(working[index], waiting, taken)
        if choice is None:
            continue  # nothing left that this counter serves
        times[choice].append(at)
        taken[choice] += 1
        newcomer = taken[choice] > waiting[choice]
        heapq.heappush(free, (at if newcomer else at + service_s[choice], index))
    return times


def _first_call_s(
    served: frozenset[int],
    waiting: Mapping[int, int],
    service_s: Mapping[int, float],
    working: Sequence[frozenset[int]],
) -> float:
    """When a counter at work first calls. Where more tickets wait for its services than
    counters serve them, the counters are busy and, their visits spread over their course,
    this one is halfway through an expected visit; otherwise it is taken as free (a citizen
    walking into an empty hall hears no wait)."""
    queue = sum(waiting[sid] for sid in served)
    serving = sum(1 for other in working if other & served)
    if queue <= serving:
        return 0.0
    return fmean(service_s[sid] for sid in served if waiting[sid]) / 2


def _working_counters(
    counters: Sequence[tuple[str, frozenset[int]]], waiting: Mapping[int, int]
) -> list[frozenset[int]]:
    """The services each counter at work calls: the open counters; and for the services no open
    counter serves, every other counter that serves them (rather than promising an endless
    wait, the estimate assumes they will open for those services)."""
    open_ = [served & waiting.keys() for state, served in counters if state == "open"]
    uncovered = waiting.keys() - frozenset().union(*open_)
    assumed = [served & uncovered for state, served in counters if state != "open"]
    return [served for served in open_ + assumed if served]


def _next_ticket(
    served: frozenset[int], waiting: Mapping[int, int], taken: dict[int, int]
) -> int | None:
    """The service whose next ticket comes first by the (evenly spread) call order."""
    best, best_rank = None, math.inf
    for sid in served:
        count, done = waiting[sid], taken[sid]
        if done > count:
            continue
        rank = (done + 0.5) / count if done < count else 2.0  # the newcomer comes last
        if rank < best_rank:
            best, best_rank = sid, rank
    return best
