"""Phones following their tickets: the centre's queue in call order, the followed tickets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...domain.model import TicketStatus
from ..orm import Centre, Ticket
from .base import Queries


class PhoneQueries(Queries):
    """Reads for the phone projection (`/ticket`)."""

    def waiting_queue(self, centre: Centre, day: date) -> Sequence[tuple[str, int]]:
        """(public id, service id) of the day's waiting tickets of a centre, in call order."""
        rows = self._plain(
            select(Ticket.public_id, Ticket.service_id)
            .where(
                Ticket.centre_id == centre.id,
                Ticket.status == TicketStatus.WAITING.value,
                Ticket.day == day,
            )
            .order_by(Ticket.rank_at, Ticket.issued_at, Ticket.id)
        ).all()
        return [(public_id, service_id) for public_id, service_id in rows]

    def tickets_by_public_id(self, public_ids: Iterable[str]) -> Sequence[Ticket]:
        """These tickets, with their service and counter loaded."""
        ids = list(public_ids)
        if not ids:
            return []
        return self.session.scalars(
            select(Ticket)
            .where(Ticket.public_id.in_(ids))
            .options(selectinload(Ticket.service), selectinload(Ticket.counter))
        ).all()
