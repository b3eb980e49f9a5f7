"""The SMS outbox: messages stored once per purpose and subject, claimed atomically."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update

from ..orm import Centre, SmsMessage
from .base import Queries

HELD, QUEUED = "held", "queued"


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
