"""The hall screen: the day's latest calls."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, func, select

from ..orm import Centre, Counter, Service, Ticket, TicketEvent
from .base import Queries

CALL_KINDS = ("called", "recalled")


class HallQueries(Queries):
    """Reads for the hall screens (`/display`)."""

    def latest_calls(
        self, centre: Centre, day: date, limit: int
    ) -> Sequence[tuple[str, int | None, str, datetime]]:
        """(number, counter, service, when) of the last call of each of the `limit` tickets
        of the local day called last, newest first; a recall counts as a call."""
        last = (
            select(TicketEvent.ticket_id, func.max(TicketEvent.at).label("at"))
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(
                Ticket.centre_id == centre.id,
                Ticket.day == day,
                TicketEvent.kind.in_(CALL_KINDS),
            )
            .group_by(TicketEvent.ticket_id)
            .order_by(func.max(TicketEvent.at).desc())
            .limit(limit)
            .subquery()
        )
        rows = self.session.execute(
            select(Ticket.number, Counter.number, Service.code, TicketEvent.at)
            .join(
                last, and_(TicketEvent.ticket_id == last.c.ticket_id, TicketEvent.at == last.c.at)
            )
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .join(Service, Service.id == TicketEvent.service_id)
            .outerjoin(Counter, Counter.id == TicketEvent.counter_id)
            .where(TicketEvent.kind.in_(CALL_KINDS))
            .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
        ).all()
        seen: set[str] = set()  # a call and its recall may share one instant
        calls = []
        for number, counter, service, at in rows:
            if number not in seen:
                seen.add(number)
                calls.append((number, counter, service, at))
        return calls
