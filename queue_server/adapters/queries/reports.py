"""The rows reports are made from: tickets by local day, visits served, feedback answers.

Each read is by an index (tickets by centre and day, history by service, kind and time,
feedback by centre and day), so a quarter costs what the quarter holds, not the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, Integer, Row, case, func, select

from ..orm import Feedback, ReportDay, Ticket, TicketEvent
from .base import Queries


class ReportQueries(Queries):
    """Reads for the services, counters and national reports."""

    def report_tickets(
        self,
        centre_id: int,
        service_ids: Sequence[int],
        days: tuple[date, date],
        calls: tuple[datetime, datetime],
    ) -> Sequence[Row]:
        """(day, issued_service_id, service_id, status, issued_at, appointment_at, first_call,
        fee_kes, paid_by) of a centre's tickets of `days`; `calls` bounds when their calls can
        have happened."""
        first_calls = (
            select(TicketEvent.ticket_id, func.min(TicketEvent.at).label("first_call"))
            .where(
                TicketEvent.service_id.in_(service_ids),
                TicketEvent.kind == "called",
                TicketEvent.at >= calls[0],
                TicketEvent.at < calls[1],
            )
            .group_by(TicketEvent.ticket_id)
            .subquery()
        )
        return self.session.execute(
            select(
                Ticket.day,
                Ticket.issued_service_id,
                Ticket.service_id,
                Ticket.status,
                Ticket.issued_at,
                Ticket.appointment_at,
                first_calls.c.first_call,
                Ticket.fee_kes,
                Ticket.paid_by,
            )
            .outerjoin(first_calls, first_calls.c.ticket_id == Ticket.id)
            .where(Ticket.centre_id == centre_id, Ticket.day.between(*days))
        ).all()

    def report_visits(
        self, service_ids: Sequence[int], between: tuple[datetime, datetime]
    ) -> Sequence[Row]:
        """(at, service_id, counter_id, user_id, duration_s) of every visit served `between`."""
        return self.session.execute(
            select(
                TicketEvent.at,
                TicketEvent.service_id,
                TicketEvent.counter_id,
                TicketEvent.user_id,
                TicketEvent.duration_s,
            ).where(
                TicketEvent.service_id.in_(service_ids),
                TicketEvent.kind == "served",
                TicketEvent.at >= between[0],
                TicketEvent.at < between[1],
            )
        ).all()

    def report_feedback(self, centre_id: int, days: tuple[date, date]) -> Sequence[Row]:
        """(day, service_id, counter_id, user_id, rating, fee, asked_for_money) of `days`."""
        return self.session.execute(
            select(
                Feedback.day,
                Feedback.service_id,
                Feedback.counter_id,
                Feedback.user_id,
                Feedback.rating,
                Feedback.fee,
                Feedback.asked_for_money,
            ).where(Feedback.centre_id == centre_id, Feedback.day.between(*days))
        ).all()

    def report_days(
        self, centre_id: int, days: tuple[date, date], *, service: str | None = None
    ) -> Sequence[ReportDay]:
        """The stored figures of a centre's closed days within `days` (of one `service`)."""
        query = select(ReportDay).where(
            ReportDay.centre_id == centre_id, ReportDay.day.between(*days)
        )
        if service is not None:
            query = query.where(ReportDay.service == service)
        return self.session.scalars(query).all()

    def add_report_days(self, rows: list[dict]) -> None:
        """Store closed days' figures; a day another process stored first is kept as it is."""
        if rows:
            self.session.execute(self._insert()(ReportDay).values(rows).on_conflict_do_nothing())

    def feedback_tallies(self, centre_id: int, days: tuple[date, date]) -> Sequence[Row]:
        """Per day and service: answers, rating sum, fee and money answers and their 'bad' ones."""
        return self.session.execute(
            select(
                Feedback.day,
                Feedback.service_id,
                func.count(),
                func.sum(Feedback.rating),
                func.count(Feedback.fee),
                _how_many(Feedback.fee == "more"),
                func.count(Feedback.asked_for_money),
                _how_many(Feedback.asked_for_money == "yes"),
            )
            .where(Feedback.centre_id == centre_id, Feedback.day.between(*days))
            .group_by(Feedback.day, Feedback.service_id)
        ).all()


def _how_many(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of the group meet `condition`."""
    return func.sum(case((condition, 1), else_=0)).cast(Integer)
