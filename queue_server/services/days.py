"""Local midnight: a centre's new day starts with its counters closed and its screens fresh."""

from __future__ import annotations

import math

from ..adapters.orm import Centre
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.events import CounterChanged, DayStarted, Event
from ..domain.model import CounterState
from ..domain.numbering import day_end, local_day
from .common import Clock, Notifier, today
from .tickets import expire_past_days, hall_snapshot


def start_new_days(*, uow: UnitOfWorkFactory, notifier: Notifier, clock: Clock) -> list[str]:
    """For each centre whose local day changed: expire the open tickets of the days before,
    close its counters, then send every hall screen a fresh snapshot and every counter screen
    its counter's state. Whichever process sees the new day first starts it, once; the codes
    of the centres started."""
    now = clock()
    events: list[Event] = []
    started = []
    with uow() as unit:
        for centre in unit.repo.centres():
            if unit.repo.begin_day(centre, today(centre, now)):
                events += expire_past_days(unit.repo, centre, now)
                events += _close_counters(unit.repo, centre)
                started.append(centre.code)
        unit.commit()
    # Read after the commit, as any screen connecting now would see it.
    events += [DayStarted(code, hall_snapshot(code, uow=uow, clock=clock)) for code in started]
    notifier.publish(events)
    return started


def _close_counters(repo: Repository, centre: Centre) -> list[CounterChanged]:
    """Close the centre's open and paused counters; each counter's state for its screens.

    A counter a clerk changed meanwhile, or that holds a ticket of the new day, stays as the
    clerk left it.
    """
    changes = []
    for counter in repo.counters(centre):
        state = counter.state
        if state != CounterState.CLOSED and repo.close_for_the_night(counter):
            state = CounterState.CLOSED.value
        current = repo.current_ticket(counter) if state != CounterState.CLOSED else None
        changes.append(
            CounterChanged(centre.code, counter.number, state, current.number if current else None)
        )
    return changes


def seconds_to_next_day(*, uow: UnitOfWorkFactory, clock: Clock) -> float:
    """Seconds (of the centres' clock) until the first of the centres reaches its next local
    midnight; infinite without centres."""
    now = clock()
    with uow(write=False) as unit:
        zones = {centre.timezone for centre in unit.repo.centres()}
    return min(
        ((day_end(local_day(now, zone), zone) - now).total_seconds() for zone in zones),
        default=math.inf,
    )
