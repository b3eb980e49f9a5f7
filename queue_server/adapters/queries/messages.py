"""The SMS outbox: messages stored once per purpose and subject, claimed atomically."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import bindparam, exists, func, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from ..orm import Centre, SmsMessage, Ticket
from .base import Queries

HELD, QUEUED = "held", "queued"


def _untaken(now: datetime) -> ColumnElement[bool]:
    """A queued message no worker holds now (never taken, or its worker's lease ran out)."""
    return (SmsMessage.status == QUEUED) & or_(
        SmsMessage.lease_until.is_(None), SmsMessage.lease_until < now
    )


def _due(now: datetime) -> ColumnElement[bool]:
    """A message to send now."""
    return _untaken(now) & (SmsMessage.next_try_at <= now) & (SmsMessage.expires_at > now)


_WAITING_WITHOUT_SMS = select(Ticket).where(  # after every change in the hall: built once
    Ticket.centre_id == bindparam("centre_id"),
    Ticket.status == "waiting",
    Ticket.day == bindparam("day"),
    Ticket.phone.is_not(None),
    ~exists().where(
        SmsMessage.purpose == bindparam("purpose"),
        SmsMessage.subject
        == bindparam("subject_prefix", type_=SmsMessage.subject.type) + Ticket.public_id,
    ),
)


class MessageQueries(Queries):
    """SMS to citizens: stored, claimed by one worker at a time, and what became of them."""

    def store_sms(self, values: dict) -> bool:
        """Store a message unless one of its purpose and subject exists; whether it was stored."""
        result = self.session.execute(
            self._insert()(SmsMessage)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["purpose", "subject"])
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    def count_sms_to(self, phone: str, since: datetime) -> int:
        """Messages stored for `phone` since `since` (failed ones included: a loop is a loop)."""
        return (
            self.session.scalar(
                select(func.count())
                .select_from(SmsMessage)
                .where(SmsMessage.phone == phone, SmsMessage.created_at >= since)
            )
            or 0
        )

    def expire_sms(self, purpose: str, subject: str) -> None:
        """Give up a message not sent yet that is no longer useful (a near-turn once called)."""
        self.session.execute(
            update(SmsMessage)
            .where(
                SmsMessage.purpose == purpose,
                SmsMessage.subject == subject,
                SmsMessage.status.in_([HELD, QUEUED]),
                SmsMessage.lease_until.is_(None),
            )
            .values(status="expired")
            .execution_options(synchronize_session=False)
        )

    def sms_by_status(self) -> dict[str, int]:
        """How many messages are in each status, over every centre (for /metrics)."""
        rows = self.session.execute(
            select(SmsMessage.status, func.count()).group_by(SmsMessage.status)
        ).all()
        return {status: count for status, count in rows}

    def sms(self, message_id: int) -> SmsMessage | None:
        """The message with `message_id`, read afresh."""
        return self.session.get(SmsMessage, message_id, populate_existing=True)

    def centre_sms(self, centre: Centre, limit: int) -> Sequence[SmsMessage]:
        """A centre's messages, newest first."""
        return self.session.scalars(
            select(SmsMessage)
            .where(SmsMessage.centre_id == centre.id)
            .order_by(SmsMessage.id.desc())
            .limit(limit)
        ).all()

    def sms_work_due(self, now: datetime) -> bool:
        """Whether a message is due now, or one has expired unsent."""
        late = _untaken(now) & (SmsMessage.expires_at <= now)
        return bool(self.session.scalar(select(exists().where(_due(now) | late))))

    def expire_late_sms(self, now: datetime) -> int:
        """Give up the queued messages past their usefulness; how many."""
        result = self.session.execute(
            update(SmsMessage)
            .where(_untaken(now), SmsMessage.expires_at <= now)
            .values(status="expired", lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount  # type: ignore[attr-defined,no-any-return]

    def due_sms_id(self, now: datetime) -> int | None:
        """The first message due now that no other worker has locked (SKIP LOCKED on PostgreSQL).

        SQLite ignores the row lock; there a writing transaction holds the whole database.
        """
        return self.session.scalar(
            select(SmsMessage.id)
            .where(_due(now))
            .order_by(SmsMessage.next_try_at, SmsMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )

    def claim_sms(self, message_id: int, now: datetime, lease_until: datetime) -> SmsMessage | None:
        """Take a due message for sending until `lease_until`, atomically; None if not due."""
        result = self.session.execute(
            update(SmsMessage)
            .where(SmsMessage.id == message_id, _due(now))
            .values(lease_until=lease_until, attempts=SmsMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return self.sms(message_id)

    def finish_sms(self, message_id: int, lease_until: datetime, values: dict) -> bool:
        """Record how a send went, only if this worker's lease still holds it; whether it did."""
        result = self.session.execute(
            update(SmsMessage)
            .where(
                SmsMessage.id == message_id,
                SmsMessage.status == QUEUED,
                SmsMessage.lease_until == lease_until,
            )
            .values(lease_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    def move_sms(self, from_status: str, to_status: str, now: datetime) -> int:
        """Move every untaken message of one status to another (held while no gateway)."""
        result = self.session.execute(
            update(SmsMessage)
            .where(
                SmsMessage.status == from_status,
                or_(SmsMessage.lease_until.is_(None), SmsMessage.lease_until < now),
            )
            .values(status=to_status, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount  # type: ignore[attr-defined,no-any-return]

    def requeue_failed_sms(self, message_id: int, now: datetime) -> bool:
        """Queue a failed message again, due now, if it still has a number and is still useful."""
        result = self.session.execute(
            update(SmsMessage)
            .where(
                SmsMessage.id == message_id,
                SmsMessage.status == "failed",
                SmsMessage.phone.is_not(None),
                SmsMessage.expires_at > now,
            )
            .values(status=QUEUED, next_try_at=now, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    def sms_by_gateway_id(self, gateway_id: str) -> SmsMessage | None:
        """The message the gateway knows by `gateway_id`."""
        return self.session.scalars(
            select(SmsMessage).where(SmsMessage.gateway_id == gateway_id).limit(1)
        ).one_or_none()

    def report_sms(self, message_id: int, values: dict) -> None:
        """Record a delivery report of a sent message (a final report is never undone)."""
        self.session.execute(
            update(SmsMessage)
            .where(SmsMessage.id == message_id, SmsMessage.status == "sent")
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def forget_sms_phones(self, before: datetime) -> None:
        """Delete the numbers of messages stored before `before` (kept 30 days at most).

        One still unsent by then (held, with no gateway all that time) is given up: it is far
        past its use, and the number must go.
        """
        self.session.execute(
            update(SmsMessage)
            .where(SmsMessage.created_at < before, SmsMessage.status.in_([HELD, QUEUED]))
            .values(status="expired", lease_until=None)
            .execution_options(synchronize_session=False)
        )
        self.session.execute(
            update(SmsMessage)
            .where(SmsMessage.created_at < before, SmsMessage.phone.is_not(None))
            .values(phone=None)
            .execution_options(synchronize_session=False)
        )

    def waiting_without_sms(
        self, centre: Centre, day: date, purpose: str, subject_prefix: str
    ) -> Sequence[Ticket]:
        """The centre's tickets waiting on `day` with a phone and no message of `purpose` yet
        (a ticket's messages have the subject `subject_prefix` + its public id)."""
        params = {"centre_id": centre.id, "day": day, "purpose": purpose}
        params["subject_prefix"] = subject_prefix
        return self.session.scalars(_WAITING_WITHOUT_SMS, params).all()
