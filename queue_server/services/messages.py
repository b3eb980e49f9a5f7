"""Use cases of the SMS channel: storing messages in the outbox, and what staff see of it.

A message is stored in the transaction of the change that causes it (so it exists only if that
change commits), at most once per purpose and subject, and sent afterwards by the SMS worker.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from ..adapters.orm import Centre, SmsMessage, Ticket
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.errors import Forbidden, InvalidState, NotFound
from ..domain.phone import mask_phone
from ..domain.sms import LANGUAGES, LIFETIME, PER_NUMBER_PER_HOUR, render, retry_delay
from .common import Clock, Principal, require_centre, require_supervisor, today
from .views import QueueFigures, iso

LEASE = timedelta(seconds=60)  # far longer than one send: a 3 s connect and a 10 s answer
TOO_MANY = f"not sent: more than {PER_NUMBER_PER_HOUR} messages to this number in an hour"


def queue_sms(
    repo: Repository,
    *,
    centre: Centre,
    purpose: str,
    subject: str,
    phone: str,
    language: str,
    params: dict[str, str | int],
    now: datetime,
    expires_at: datetime | None = None,
    send_at: datetime | None = None,
) -> bool:
    """Store one message in the caller's transaction; False if (purpose, subject) was stored.

    `phone` is E.164 (domain/phone.py) and given with consent; the text is the catalogue's for
    `purpose` in `language` (domain/sms.py). `send_at` defers it; `expires_at` (default: the
    purpose's lifetime after it is due) is when it stops being worth sending. A number that
    already had PER_NUMBER_PER_HOUR messages in the last hour gets this one stored as failed.
    """
    due = send_at or now
    flooded = repo.count_sms_to(phone, now - timedelta(hours=1)) >= PER_NUMBER_PER_HOUR
    return repo.store_sms(
        {
            "centre_id": centre.id,
            "purpose": purpose,
            "subject": subject,
            "phone": phone,
            "language": language if language in LANGUAGES else "en",
            "body": render(purpose, language, params),
            "status": "failed" if flooded else "queued",
            "attempts": 0,
            "next_try_at": due,
            "expires_at": expires_at or due + LIFETIME[purpose],
            "created_at": now,
            "last_error": TOO_MANY if flooded else None,
        }
    )


# -- the SMS worker --------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """What the gateway said of one message: its outcome (sent, retry, failed), id and error."""

    outcome: str
    gateway_id: str | None = None
    error: str | None = None


class SmsGateway(Protocol):
    """Sends one SMS to one number (adapters/sms.py speaks Africa's Talking's API)."""

    def send(self, phone: str, text: str) -> Sent: ...


@dataclass(frozen=True)
class ClaimedSms:
    """A message a worker took for sending, with what it needs outside the transaction."""

    id: int
    phone: str
    body: str
    attempts: int
    lease_until: datetime


def claim_due_sms(*, uow: UnitOfWorkFactory, clock: Clock) -> ClaimedSms | None:
    """Expire what is too late, then take the first due message, atomically; None if none.

    Row locks (SKIP LOCKED) on PostgreSQL and SQLite's single writer mean that of several
    processes only one takes a message; its lease gives it back if that process dies.
    """
    now = clock()
    with uow(write=False) as unit:  # most passes find nothing: no need for SQLite's write lock
        if not unit.repo.sms_work_due(now):
            return None
    with uow() as unit:
        repo = unit.repo
        repo.expire_late_sms(now)
        message_id = repo.due_sms_id(now)
        message = None if message_id is None else repo.claim_sms(message_id, now, now + LEASE)
        unit.commit()
    if message is None or message.phone is None:
        return None
    return ClaimedSms(message.id, message.phone, message.body, message.attempts, now + LEASE)


def send_sms(
    message: ClaimedSms, *, gateway: SmsGateway, uow: UnitOfWorkFactory, clock: Clock
) -> str:
    """Send a claimed message and record how it went; its status afterwards."""
    sent = gateway.send(message.phone, message.body)
    now = clock()
    # An earlier attempt's error stays after a success: supervisors see why it was late.
    values: dict[str, object] = {} if sent.error is None else {"last_error": sent.error}
    if sent.outcome == "sent":
        values |= {"status": "sent", "sent_at": now, "gateway_id": sent.gateway_id}
    elif sent.outcome == "retry":
        values |= {"next_try_at": now + retry_delay(message.attempts)}
    else:
        values |= {"status": "failed"}
    with uow() as unit:
        recorded = unit.repo.finish_sms(message.id, message.lease_until, values)
        unit.commit()
    return str(values.get("status", "queued")) if recorded else "lost_lease"


def send_due_sms(*, gateway: SmsGateway, uow: UnitOfWorkFactory, clock: Clock) -> list[str]:
    """Send every due message, one after another; their statuses afterwards."""
    statuses = []
    while (message := claim_due_sms(uow=uow, clock=clock)) is not None:
        statuses.append(send_sms(message, gateway=gateway, uow=uow, clock=clock))
    return statuses


def hold_sms(*, gateway_configured: bool, uow: UnitOfWorkFactory, clock: Clock) -> int:
    """Without a gateway, keep queued messages as held; with one, queue the held again."""
    moves = ("held", "queued") if gateway_configured else ("queued", "held")
    with uow() as unit:
        moved = unit.repo.move_sms(*moves, clock())
        unit.commit()
    return moved


# -- delivery reports and what supervisors see -----------------------------------------------

REPORTED = {"Success": "delivered", "Failed": "failed", "Rejected": "failed"}
"""A delivery report's final statuses; the others (Sent, Submitted, Buffered) change nothing."""


def record_delivery_report(
    key: str | None,
    callback_key: str | None,
    report: dict[str, str],
    *,
    uow: UnitOfWorkFactory,
) -> None:
    """Record the gateway's delivery report of a sent message; Forbidden for a wrong key.

    An unknown message id is accepted and ignored, so the gateway does not send it again.
    """
    if not callback_key or not hmac.compare_digest((key or "").encode(), callback_key.encode()):
        raise Forbidden("Wrong or missing delivery-report key.", code="bad_callback_key")
    status = REPORTED.get(report.get("status", ""))
    if status is None or not report.get("id"):
        return
    with uow() as unit:
        message = unit.repo.sms_by_gateway_id(report["id"])
        if message is not None:
            reason = report.get("failureReason") or None
            values = {"status": status}
            if status == "failed":
                values["last_error"] = f"not delivered: {reason or 'no reason given'}"[:500]
            unit.repo.report_sms(message.id, values)
        unit.commit()


def centre_messages(
    principal: Principal, centre_code: str, *, limit: int, uow: UnitOfWorkFactory
) -> list[dict[str, object]]:
    """A centre's messages for its supervisors, newest first, with numbers masked."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        require_supervisor(principal, centre)
        return [message_view(m, centre.timezone) for m in unit.repo.centre_sms(centre, limit)]


def retry_sms(
    principal: Principal, message_id: int, *, uow: UnitOfWorkFactory, clock: Clock
) -> dict[str, object]:
    """Send a failed message again, due now (a supervisor's decision, as for print jobs)."""
    now = clock()
    with uow() as unit:
        message = unit.repo.sms(message_id)
        if message is None:
            raise NotFound("There is no such message.", code="unknown_message")
        centre = message.centre
        require_supervisor(principal, centre)
        if not unit.repo.requeue_failed_sms(message_id, now):
            raise InvalidState(
                "Only a failed message that is still useful and still has its number can be"
                " sent again.",
                code="not_failed",
            )
        unit.commit()
        message = unit.repo.sms(message_id)
        assert message is not None
        return message_view(message, centre.timezone)


def message_view(message: SmsMessage, timezone: str) -> dict[str, object]:
    """A message as supervisors see it: never the whole number, never the text."""
    return {
        "id": message.id,
        "purpose": message.purpose,
        "to": mask_phone(message.phone) if message.phone else None,
        "status": message.status,
        "attempts": message.attempts,
        "created_at": iso(message.created_at, timezone),
        "sent_at": iso(message.sent_at, timezone),
        "last_error": message.last_error,
    }


# -- ticket messages -------------------------------------------------------------------------


TICKET_SUBJECT = "ticket:"


def ticket_subject(ticket: Ticket) -> str:
    """The subject of a ticket's messages: one near-turn and one call message per ticket."""
    return TICKET_SUBJECT + ticket.public_id


def sms_ticket_called(repo: Repository, ticket: Ticket, counter: int, now: datetime) -> None:
    """In the call's transaction: tell a ticket holder with a phone which counter calls them."""
    if ticket.phone is None:
        return
    repo.expire_sms("ticket_near", ticket_subject(ticket))  # no "come back" once called
    _queue_ticket_sms(repo, ticket, "ticket_called", now, counter=counter)


def _queue_ticket_sms(
    repo: Repository, ticket: Ticket, purpose: str, now: datetime, **params: str | int
) -> None:
    """Store a message about a ticket to its holder's phone, in the holder's language."""
    if ticket.phone is not None:
        queue_sms(
            repo,
            centre=ticket.centre,
            purpose=purpose,
            subject=ticket_subject(ticket),
            phone=ticket.phone,
            language=ticket.language,
            params={"centre": ticket.centre.code, "number": ticket.number, **params},
            now=now,
        )


class NearTurnProjection:
    """After a commit: ticket_near to each waiting holder with a phone whose turn came near.

    A ticket is near when at most the centre's `notify_ahead` tickets will be called before it;
    the message goes when it falls to that, so a ticket issued already near gets none (its
    holder is in the hall). Each process remembers the tickets it saw far; a ticket first seen
    already near (the first look came late, or after a restart) gets its message if it had
    more than `notify_ahead` before it when issued. It runs after commits, never inside the
    call's transaction; the outbox's unique (purpose, subject) keeps it to one message per
    ticket, whichever process sees it first.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock
        self.far: dict[str, set[str]] = {}  # per centre: waiting tickets seen not yet near
        self.seen: dict[str, set[str]] = {}  # per centre: the waiting tickets looked at last

    def project(self, centre: str) -> None:
        """Queue ticket_near for the centre's tickets that came near since the last look."""
        now = self.clock()
        with self.uow(write=False) as unit:
            found = unit.repo.centre(centre, with_services=False)
            if found is None:
                return
            day = today(found, now)
            tickets = unit.repo.waiting_without_sms(found, day, "ticket_near", TICKET_SUBJECT)
            if not tickets:  # no phone waiting for the message: nothing to figure
                self.far[centre], self.seen[centre] = set(), set()
                return
            figures = QueueFigures(unit.repo, found, day, now=now)
            ahead = {t.public_id: figures.ticket_ahead(t) for t in tickets}
            notify_ahead = found.notify_ahead
            seen = self.seen.get(centre, set())
            was_far = self.far.get(centre, set()) | {
                t.public_id
                for t in tickets
                if t.public_id not in seen
                and ahead[t.public_id] <= notify_ahead
                and unit.repo.ahead_at_issue(t, figures.related(t.service_id)) > notify_ahead
            }
        self.seen[centre] = set(ahead)
        self.far[centre] = {ticket for ticket, n in ahead.items() if n > notify_ahead}
        near = [(t, n) for t, n in ahead.items() if n <= notify_ahead and t in was_far]
        if near:
            self._queue(near, now)

    def _queue(self, near: list[tuple[str, int]], now: datetime) -> None:
        """Store the near-turn messages of (ticket id, ahead), if still waiting."""
        with self.uow() as unit:
            for public_id, ahead in near:
                ticket = unit.repo.ticket(public_id)
                if ticket is not None and ticket.status == "waiting":
                    _queue_ticket_sms(unit.repo, ticket, "ticket_near", now, ahead=ahead)
            unit.commit()
