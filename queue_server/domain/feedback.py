"""Feedback rules: which tickets may be rated, and when an invitation may be sent."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import InvalidState
from .model import TicketStatus

FEEDBACK_WINDOW = timedelta(days=7)
INVITE_FROM, INVITE_UNTIL = time(8, 0), time(18, 0)
"""Feedback invitations by SMS are sent in these local hours only."""


def require_feedback_allowed(
    status: str, finished_at: datetime | None, answered: bool, now: datetime
) -> None:
    """InvalidState unless the ticket was served in the last 7 days and has no answer yet."""
    if status != TicketStatus.DONE or finished_at is None or now - finished_at > FEEDBACK_WINDOW:
        raise InvalidState(
            "Feedback is taken for a visit served in the last 7 days.", code="not_served"
        )
    if answered:
        raise InvalidState("Feedback was already given for this ticket.", code="feedback_given")


def invite_at(now: datetime, timezone: str) -> datetime:
    """The first moment at or after `now` inside the centre's local 08:00-18:00."""
    local = now.astimezone(ZoneInfo(timezone))
    if local.time() < INVITE_FROM:
        return local.replace(hour=8, minute=0, second=0, microsecond=0)
    if local.time() >= INVITE_UNTIL:
        tomorrow = local + timedelta(days=1)
        return tomorrow.replace(hour=8, minute=0, second=0, microsecond=0)
    return local
