"""Estimated waiting time, from recent service times and the counters at work."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist, fmean, median, variance

RECENT_SERVICES = 50
"""How many recent visits of a service its expected service time is taken from: the mean of a
wide spread needs more of them than a median did."""

LOG_SPREAD_LIMIT = 2.5
"""How far from the median a visit counts, in natural logarithm: at most about 12 times longer
(or shorter) than it, so the odd visit that ran very long (a lost form, a system outage) moves
the expected time little."""


PAUSE_RETURN_S = 900.0
"""When a paused counter is taken to call again: half of a 30-minute break (when it began is
not known)."""

DEFAULT_LOG_SPREAD = 0.5
"""The spread (σ, in natural logarithm) assumed of a service with no visit timed yet."""

FIT_ROUNDS = 20
_NORMAL = NormalDist()


@dataclass(frozen=True)
class VisitTimes:
    """A service's visits at the counter as a lognormal: the mean and variance of their logs."""

    log_mean: float
    log_var: float

    @classmethod
    def with_mean(cls, mean_s: float, log_sd: float = DEFAULT_LOG_SPREAD) -> VisitTimes:
        """The lognormal of this mean and spread."""
        return cls(math.log(max(mean_s, 1.0)) - log_sd**2 / 2, log_sd**2)

    @property
    def mean_s(self) -> float:
        """The mean visit: what queues drain at."""
        return math.exp(self.log_mean + self.log_var / 2)

    def remaining_s(self, elapsed_s: float) -> float:
        """The mean time left of a visit that has lasted `elapsed_s` so far (the longer it
        has run, the likelier it is one of the long ones)."""
        if elapsed_s <= 0:
            return self.mean_s
        sd = math.sqrt(self.log_var)
        if sd < 1e-6:
            return max(self.mean_s - elapsed_s, 0.0)
        a = min((math.log(elapsed_s) - self.log_mean) / sd, 8.0)
        beyond = self.mean_s * _NORMAL.cdf(sd - a) / (1.0 - _NORMAL.cdf(a))
        return max(beyond - elapsed_s, 0.0)


def fit_visits(
    recent_durations_s: Sequence[float], default_s: int, running_s: Sequence[float] = ()
) -> VisitTimes:
    """A lognormal fitted to a service's recent visits (newest first) and to its visits in
    progress (`running_s`, how long each has lasted so far: at least that long); with no
    visit finished, the configured default (its mean) with a spread of DEFAULT_LOG_SPREAD.

    Queues drain at the mean visit, not the median one: with a wide spread (σ 0.9 in
    logarithms) the mean is 1.5 times the median. Early in the day only the short visits have
    finished; the long ones still running say the visits are longer. Fitted in logarithms, a
    visit far from the others counts only LOG_SPREAD_LIMIT away from the median.
    """
    logs = [math.log(max(d, 1.0)) for d in recent_durations_s[:RECENT_SERVICES]]
    if not logs:
        return VisitTimes.with_mean(default_s)
    middle = median(logs)
    logs = [min(max(x, middle - LOG_SPREAD_LIMIT), middle + LOG_SPREAD_LIMIT) for x in logs]
    fit = VisitTimes(fmean(logs), variance(logs) if len(logs) > 1 else 0.0)
    cuts = [min(math.log(e), middle + LOG_SPREAD_LIMIT) for e in running_s if e > 1.0]
    return _with_running(logs, cuts, fit) if cuts else fit


def _with_running(logs: Sequence[float], cuts: Sequence[float], fit: VisitTimes) -> VisitTimes:
    """The normal fitted to `logs` and to values known only to exceed `cuts` (expectation-
    maximisation from `fit`, the fit of `logs` alone)."""
    count, total, squares = len(logs) + len(cuts), sum(logs), sum(x * x for x in logs)
    mean, var = fit.log_mean, fit.log_var
    for _ in range(FIT_ROUNDS):
        sd = math.sqrt(var)
        first, second = total, squares
        for cut in cuts:
            if sd < 1e-6:
                x = max(mean, cut)
                first, second = first + x, second + x * x
                continue
            a = min((cut - mean) / sd, 8.0)
            ratio = _NORMAL.pdf(a) / (1.0 - _NORMAL.cdf(a))  # how far beyond, in sd
            first += mean + sd * ratio
            second += mean * mean + var + sd * ratio * (cut + mean)
        mean = first / count
        var = max(second / count - mean * mean, 0.0)
    return VisitTimes(mean, var)


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
    busy_s: Sequence[float],
) -> dict[int, list[float]]:
    """Seconds until each waiting ticket is likely called, per service in call order.

    A replay of the counters at work: each, when free, calls the first of its services'
    tickets by the call order and is busy for that service's expected time. `busy_s` says,
    for each counter, when the visit at hand ends (0 when it holds none: an empty hall
    means no wait). Each service's tickets are taken
    as spread evenly over the time they were issued, which interleaves the services' queues.
    The list of a service has one more entry than it has tickets waiting: when a ticket issued
    now would be called.
    """
    working = _working_counters(counters, waiting, busy_s)
    taken = dict.fromkeys(waiting, 0)
    times: dict[int, list[float]] = {sid: [] for sid in waiting}
    served = [tuple(ids) for ids, _ in working]
    free = [(first, index) for index, (_, first) in enumerate(working)]
    heapq.heapify(free)
    # One step per ticket: the loop is the dearest part of an estimate, so it is kept tight
    # (a counter of one service needs no choice; the counter stays at the top of the heap).
    while free:
        at, index = free[0]
        ids = served[index]
        if len(ids) == 1:
            choice: int | None = ids[0] if taken[ids[0]] <= waiting[ids[0]] else None
        else:
            choice = _next_ticket(ids, waiting, taken)
        if choice is None:  # nothing left that this counter serves
            heapq.heappop(free)
            continue
        times[choice].append(at)
        done = taken[choice] = taken[choice] + 1
        newcomer = done > waiting[choice]
        heapq.heapreplace(free, (at if newcomer else at + service_s[choice], index))
    return times


def _working_counters(
    counters: Sequence[tuple[str, frozenset[int]]],
    waiting: Mapping[int, int],
    busy_s: Sequence[float],
) -> list[tuple[frozenset[int], float]]:
    """The services each counter at work calls, and when it first calls: the open counters
    when their visit at hand ends (`busy_s`); the paused ones after PAUSE_RETURN_S; and for
    the services no open or paused counter serves, every other counter that serves them, at
    once (rather than promising an endless wait, the estimate assumes they will open)."""
    open_ = [
        (served & waiting.keys(), index)
        for index, (state, served) in enumerate(counters)
        if state == "open"
    ]
    paused = [served & waiting.keys() for state, served in counters if state == "paused"]
    working_ids = [served for served, _ in open_ if served]
    uncovered = waiting.keys() - frozenset().union(*working_ids, *paused)
    assumed = [served & uncovered for state, served in counters if state == "closed"]
    return (
        [(served, busy_s[i]) for served, i in open_ if served]
        + [(served, PAUSE_RETURN_S) for served in paused if served]
        + [(served, 0.0) for served in assumed if served]
    )


def _next_ticket(
    served: Iterable[int], waiting: Mapping[int, int], taken: dict[int, int]
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
