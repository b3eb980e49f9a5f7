"""The hall: the day's latest calls, and the start of a new local day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, select, update

from ...domain.model import AT_COUNTER_STATUSES, CounterState
from ..orm import Centre, Counter, Service, Ticket, TicketEvent
from .base import Queries

CALL_KINDS = ("called", "recalled")
_AT_COUNTER = [s.value for s in AT_COUNTER_STATUSES]


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

    def begin_day(self, centre: Centre, day: date) -> bool:
        """Record `day` as the centre's started day; True only for the one transaction that
        moved it on from an earlier day (a centre's first day is recorded, not started)."""
        if centre.day is None:
            self._set_day(centre, day, Centre.day.is_(None))
            return False
        return self._set_day(centre, day, Centre.day < day)

    def _set_day(self, centre: Centre, day: date, guard: ColumnElement[bool]) -> bool:
        """Set the centre's day where `guard` holds; whether it did."""
        result = self.session.execute(
            update(Centre)
            .where(Centre.id == centre.id, guard)
            .values(day=day)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    def close_for_the_night(self, counter: Counter) -> bool:
        """Close an open or paused counter that holds no ticket, moving its version on from the
        one read (as every clerk's action does), so neither a clerk's action nor this closing
        applies over the other; whether it closed."""
        holds = (
            select(Ticket.id)
            .where(Ticket.counter_id == Counter.id, Ticket.status.in_(_AT_COUNTER))
            .exists()
        )
        return self._update_as_read(
            counter,
            {"version": counter.version},
            {"state": CounterState.CLOSED.value, "version": counter.version + 1},
            only_if=~holds,
        )
