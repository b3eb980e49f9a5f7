"""Feedback answers, pausing services, and what a feedback tablet asks about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import exists, select, update

from ..orm import Centre, Counter, Feedback, Service, Ticket, TicketEvent
from .base import Queries


class FeedbackQueries(Queries):
    """Reads and guarded writes of feedback and of a service's pause."""

    def feedback_given(self, ticket_id: int) -> bool:
        """Whether the ticket already has its one answer."""
        return bool(self.session.scalar(select(exists().where(Feedback.ticket_id == ticket_id))))

    def add_feedback(self, values: dict) -> bool:
        """Store one answer; False when the ticket already has one (settled by the unique key)."""
        statement = (
            self._insert()(Feedback)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["ticket_id"])
            .returning(Feedback.id)
        )
        return self.session.execute(statement).scalar_one_or_none() is not None

    def last_served_by(self, ticket_id: int) -> tuple[int | None, int | None]:
        """The counter and clerk that last served the ticket (its last 'served' history entry)."""
        row = self.session.execute(
            select(TicketEvent.counter_id, TicketEvent.user_id)
            .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "served")
            .order_by(TicketEvent.at.desc(), TicketEvent.id.desc())
            .limit(1)
        ).first()
        return (row[0], row[1]) if row else (None, None)

    def last_done_at(self, counter: Counter, day: date, since: datetime) -> Ticket | None:
        """The ticket the counter completed last today, if it finished after `since`."""
        return self.session.scalars(
            select(Ticket)
            .where(
                Ticket.centre_id == counter.centre_id,
                Ticket.status == "done",
                Ticket.day == day,
                Ticket.counter_id == counter.id,
                Ticket.finished_at >= since,
            )
            .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
            .limit(1)
        ).first()

    def money_asked(self, centre_id: int, since: date) -> Sequence[tuple[Feedback, Ticket]]:
        """Answers that said staff asked for money, newest first (for supervisors only)."""
        return self.session.execute(
            select(Feedback, Ticket)
            .join(Ticket, Ticket.id == Feedback.ticket_id)
            .where(
                Feedback.centre_id == centre_id,
                Feedback.day >= since,
                Feedback.asked_for_money == "yes",
            )
            .order_by(Feedback.given_at.desc())
        ).all()  # type: ignore[return-value]

    def set_service_paused(self, service: Service, reason: tuple[str, str] | None) -> bool:
        """Pause (with its reason) an open service, or resume a paused one; False if it was not.

        Guarded on the present state, so two supervisors pressing at once change it once.
        """
        guard = Service.open.is_(True) if reason else Service.paused_reason_en.is_not(None)
        en, sw = reason or (None, None)
        result = self.session.execute(
            update(Service)
            .where(Service.id == service.id, guard)
            .values(open=reason is None, paused_reason_en=en, paused_reason_sw=sw)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    def waiting_phones(self, service: Service, day: date) -> Sequence[Ticket]:
        """Today's waiting tickets of a service that gave a phone number (with consent)."""
        return self.session.scalars(
            select(Ticket).where(
                Ticket.centre_id == service.centre_id,
                Ticket.status == "waiting",
                Ticket.day == day,
                Ticket.service_id == service.id,
                Ticket.phone.is_not(None),
            )
        ).all()

    def served_with_phone(self, centre: Centre, day: date, since: datetime) -> Sequence[Ticket]:
        """The centre's tickets served today since `since` whose holder gave a phone."""
        return self.session.scalars(
            select(Ticket).where(
                Ticket.centre_id == centre.id,
                Ticket.status == "done",
                Ticket.day == day,
                Ticket.finished_at >= since,
                Ticket.phone.is_not(None),
            )
        ).all()
