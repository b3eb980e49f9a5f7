"""Projections: what screens show, read after the commit and sent only where it changed.

A command returns the events it caused; the notifier publishes them; the projector then runs
every registered projection for each centre those events concern. Projections also run on a
timer and after the day sweep, so a lost emit heals within seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.events import Event, QueueChanged
from .common import Clock, Notifier, today
from .views import QueueFigures, minutes_shown

log = logging.getLogger(__name__)

RESEND_EVERY_S = 60.0
"""How often a projection sends all its figures again, in case an emit was lost on the way."""

Spawn = Callable[[Callable[[], None]], object]
"""Runs a function soon, in the background (the server's background task; tests call it)."""


class Projection(Protocol):
    """Reads a centre after a commit and emits only what changed since it last sent."""

    def project(self, centre: str) -> None: ...


class QueueProjection:
    """queue_changed for every service whose (waiting, estimated wait) this process has not
    sent yet: read after the commit, never inside a write transaction."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, notifier: Notifier) -> None:
        self.uow = uow
        self.clock = clock
        self.notifier = notifier
        self.sent: dict[str, dict[str, tuple[int, int]]] = {}
        self.sent_all_at: dict[str, float] = {}

    def project(self, centre: str) -> None:
        """Emit queue_changed for the centre's services whose figures moved."""
        shown = queue_figures(self.uow, centre, self.clock)
        if time.monotonic() - self.sent_all_at.get(centre, -RESEND_EVERY_S) >= RESEND_EVERY_S:
            self.sent[centre] = {}  # send everything again: an emit may have been lost
            self.sent_all_at[centre] = time.monotonic()
        sent = self.sent.setdefault(centre, {})
        changed = [
            QueueChanged(centre, service, *figures)
            for service, figures in shown.items()
            if service not in sent or _on_screen(sent[service]) != _on_screen(figures)
        ]
        sent.update({event.service: shown[event.service] for event in changed})
        self.notifier.publish(changed)


def _on_screen(figures: tuple[int, int]) -> tuple[int, int | None]:
    """(waiting, estimated wait) as screens show them: the estimate in whole minutes."""
    waiting, wait_s = figures
    return waiting, minutes_shown(wait_s)


def queue_figures(
    uow: UnitOfWorkFactory, centre_code: str, clock: Clock
) -> dict[str, tuple[int, int]]:
    """Each service's (waiting, estimated wait) of a centre now; {} for an unknown centre."""
    with uow(write=False) as unit:
        centre = unit.repo.centre(centre_code, with_services=False)
        if centre is None:
            return {}
        services = unit.repo.service_rows(centre)
        now = clock()
        figures = QueueFigures(unit.repo, centre, today(centre, now), services=services, now=now)
        figures.read_service_times()
        return {s.code: (figures.service_waiting(s), figures.service_wait(s)) for s in services}


class Projector:
    """Runs the projections for the centres that changed, in one background task at a time.

    A pass starts `gather_s` after the first request and serves every centre asked for until
    it ends, so a burst of calls in one centre (a clerk calling in quick turns, counters
    calling together) costs one reading of its figures, not one per call.
    """

    def __init__(
        self,
        projections: list[Projection],
        spawn: Spawn,
        sleep: Callable[[float], object] = lambda seconds: None,
        gather_s: float = 0.0,
    ) -> None:
        self.projections = projections
        self.spawn = spawn
        self.sleep = sleep  # the server's cooperative sleep: others are served meanwhile
        self.gather_s = gather_s  # how long a pass waits for more commits before reading
        self.pending: dict[str, None] = {}  # centres to project, each once
        self.running = False

    def request(self, centres: Iterable[str]) -> None:
        """Project these centres soon (after the caller's answer has left)."""
        self.pending.update(dict.fromkeys(centres))
        if self.pending and not self.running:
            self.running = True
            self.spawn(self._drain)

    def _drain(self) -> None:
        """Project every pending centre, including those asked for meanwhile."""
        try:
            self.sleep(self.gather_s)
            while self.pending:
                self.sleep(0)
                centre, _ = self.pending.popitem()
                self.project(centre)
        finally:
            self.running = False

    def project(self, centre: str) -> None:
        """Run every projection for one centre now; one failing never stops the others."""
        for projection in self.projections:
            try:
                projection.project(centre)
            except Exception:  # the timer's next pass heals what this one missed
                log.exception("projection %s failed for %s", type(projection).__name__, centre)


class ProjectingNotifier:
    """Publishes a command's events, then asks the projector to read the centres they concern."""

    def __init__(self, inner: Notifier, projector: Projector) -> None:
        self.inner = inner
        self.projector = projector

    def publish(self, events: Sequence[Event]) -> None:
        """Publish through the inner notifier, then project the centres concerned."""
        self.inner.publish(events)
        self.projector.request(event.centre for event in events)
