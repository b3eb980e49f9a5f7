"""Phones following their own tickets (`/ticket`): a projection of each followed ticket.

After a change in a centre (and on a timer) the projection reads the centre's waiting tickets
in call order once, works out each followed ticket's place and estimate from that one list,
and sends a ticket's view only to its own phones, and only when it differs from what they
were last sent. Each server process follows the phones connected to it.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..adapters.orm import Centre
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.model import OPEN_STATUSES, TicketStatus
from .common import Clock, require_centre, require_ticket, today
from .views import QueueFigures, as_shown, place_view, public_ticket_view, ticket_view

Send = Callable[[str, dict[str, Any]], None]
"""Sends a ticket's view (the contract's `ticket`) to the phones following it."""


class PhoneProjection:
    """The tickets followed by phones on this process, and the view each was last sent."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, send: Send) -> None:
        self.uow = uow
        self.clock = clock
        self.send = send
        self._phones: dict[str, Tally[str]] = {}  # centre -> ticket id -> phones following it
        self._sent: dict[str, dict[str, Any]] = {}  # ticket id -> the view its phones hold

    def follow(self, public_id: str) -> dict[str, Any]:
        """Count one more phone on this ticket and return its view now (NotFound if unknown)."""
        with self.uow(write=False) as unit:
            ticket = require_ticket(unit.repo, public_id, in_centre=True)
            centre = ticket.centre.code
            self._phones.setdefault(centre, Tally())[public_id] += 1
            figures = QueueFigures(unit.repo, ticket.centre, ticket.day, now=self.clock())
            view = public_ticket_view(ticket_view(ticket, figures))
        self._sent[public_id] = view
        return view

    def unfollow(self, centre: str, public_id: str) -> None:
        """One phone fewer on this ticket; forget it when none is left."""
        phones = self._phones.get(centre)
        if phones is None:
            return
        phones[public_id] -= 1
        if phones[public_id] <= 0:
            del phones[public_id]
            self._sent.pop(public_id, None)
        if not phones:
            del self._phones[centre]

    def centres(self) -> list[str]:
        """Centres with tickets followed on this process."""
        return list(self._phones)

    def project(self, centre: str) -> None:
        """Send each followed ticket of `centre` whose view changed since its phones' last one."""
        followed = set(self._phones.get(centre, ()))
        if not followed:
            return
        # A phone connecting while this pass reads is sent a newer view than this pass's:
        # a view is sent only over the one it was read against.
        read_over = {public_id: self._sent.get(public_id) for public_id in followed}
        with self.uow(write=False) as unit:
            views = self._views(unit.repo, require_centre(unit.repo, centre), followed)
        for public_id, view in views.items():
            last = self._sent.get(public_id)
            if (
                last is not None
                and last is read_over[public_id]
                and as_shown(last) != as_shown(view)
            ):
                self._sent[public_id] = view
                self.send(public_id, view)

    def _views(
        self, repo: Repository, centre: Centre, followed: set[str]
    ) -> dict[str, dict[str, Any]]:
        """The present views of the followed tickets that may have changed (one queue read)."""
        now = self.clock()
        day = today(centre, now)
        queue = repo.waiting_queue(centre, day)
        waiting = dict(Tally(s for _, s in queue))
        figures = QueueFigures(
            repo, centre, day, waiting=waiting, services=centre.services, now=now
        )
        services = {s.id: s for s in centre.services}
        related = {sid: figures.related(sid) for sid in services}
        places = _places(queue, followed, related)
        views: dict[str, dict[str, Any]] = {}
        reread = []
        for public_id, (service_id, ahead) in places.items():
            last = self._sent.get(public_id)
            if last is None or not _still_waiting(last, services[service_id].code):
                reread.append(public_id)
                continue
            views[public_id] = {**last, **place_view(services[service_id], ahead, figures)}
        # Tickets that left the queue (called, done) or came back to it (transferred).
        reread += [
            p
            for p in followed - places.keys()
            if p in self._sent and self._sent[p]["status"] in OPEN_STATUSES
        ]
        for ticket in repo.tickets_by_public_id(reread):
            views[ticket.public_id] = public_ticket_view(ticket_view(ticket, None))
            if ticket.public_id in places:
                service_id, ahead = places[ticket.public_id]
                views[ticket.public_id].update(place_view(services[service_id], ahead, figures))
        return views


def _still_waiting(view: dict[str, Any], service: str) -> bool:
    """Whether a view sent before still holds all but the place of a ticket waiting for
    `service` (a transfer changes the service, a call the status)."""
    return bool(view["status"] == TicketStatus.WAITING and view["service"] == service)


def _places(
    queue: Sequence[tuple[str, int]],
    followed: set[str],
    related: Mapping[int, set[int]],
) -> dict[str, tuple[int, int]]:
    """(service id, tickets ahead) of each followed ticket in the queue, in one pass.

    A ticket's `ahead` counts the waiting tickets before it of the services that compete with
    its own for the same counters.
    """
    before: Tally[int] = Tally()
    places = {}
    for public_id, service_id in queue:
        if public_id in followed:
            ahead = sum(before[sid] for sid in related[service_id])
            places[public_id] = (service_id, ahead)
        before[service_id] += 1
    return places
