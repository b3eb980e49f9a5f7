"""Use cases of feedback: a citizen rates a served visit; a tablet asks about the last one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..adapters.orm import Ticket
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.errors import Forbidden, InvalidState
from ..domain.events import Event, MoneyAskedReported
from ..domain.feedback import invite_at, require_feedback_allowed
from .common import (
    Clock,
    Notifier,
    Principal,
    require_access,
    require_centre,
    require_counter,
    require_ticket,
    today,
)
from .messages import queue_sms
from .views import iso

TABLET_ASKS_FOR = timedelta(minutes=10)
"""How long after a visit ends a counter's tablet still asks about it (the citizen may go)."""


@dataclass(frozen=True)
class Answer:
    """A citizen's answers (validated by the transport's schema)."""

    rating: int
    wait_ok: bool | None = None
    fee: str | None = None
    asked_for_money: str | None = None
    comment: str | None = None


def give_feedback(
    public_id: str, answer: Answer, *, uow: UnitOfWorkFactory, notifier: Notifier, clock: Clock
) -> dict[str, Any]:
    """Store the one answer about a served ticket; 'asked for money' alerts supervisors."""
    events: list[Event] = []
    with uow() as unit:
        repo = unit.repo
        ticket = require_ticket(repo, public_id)
        now = clock()
        given = repo.feedback_given(ticket.id)
        require_feedback_allowed(ticket.status, ticket.finished_at, given, now)
        counter_id, user_id = repo.last_served_by(ticket.id)
        stored = repo.add_feedback(
            {
                "ticket_id": ticket.id,
                "centre_id": ticket.centre_id,
                "service_id": ticket.service_id,
                "counter_id": counter_id,
                "user_id": user_id,
                "day": ticket.day,
                "rating": answer.rating,
                "wait_ok": answer.wait_ok,
                "fee": answer.fee,
                "asked_for_money": answer.asked_for_money,
                "comment": answer.comment,
                "given_at": now,
            }
        )
        if not stored:  # another answer for the same ticket committed first
            raise InvalidState("Feedback was already given for this ticket.", code="feedback_given")
        if answer.asked_for_money == "yes":
            events.append(_money_asked(ticket, now))
        result = {"ticket": ticket.public_id, "given_at": iso(now, ticket.centre.timezone)}
        unit.commit()
    notifier.publish(events)
    return result


def _money_asked(ticket: Ticket, now: datetime) -> MoneyAskedReported:
    """The supervisors' alert for an answer that says staff asked for money."""
    counter = ticket.counter.number if ticket.counter else None
    return MoneyAskedReported(ticket.centre.code, ticket.number, ticket.service.code, counter, now)


def tablet_question(
    principal: Principal, centre_code: str, number: int, *, uow: UnitOfWorkFactory, clock: Clock
) -> dict[str, Any]:
    """What a counter's feedback tablet asks about: the visit it last finished, until answered."""
    if principal.kind != "device" or principal.role != "feedback":
        raise Forbidden("Only a feedback tablet of this centre can ask for feedback here.")
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        require_access(principal, centre)
        counter = require_counter(unit.repo, centre, number)
        now = clock()
        ticket = unit.repo.last_done_at(counter, today(centre, now), now - TABLET_ASKS_FOR)
        if ticket is not None and unit.repo.feedback_given(ticket.id):
            ticket = None
        return {"centre": centre.code, "counter": counter.number, "ticket": _asked(ticket)}


def _asked(ticket: Ticket | None) -> dict[str, Any] | None:
    """The ticket a tablet asks about: its id (to answer with), number and service."""
    if ticket is None:
        return None
    service = ticket.service
    return {
        "id": ticket.public_id,
        "number": ticket.number,
        "service": service.code,
        "service_name": {"en": service.name_en, "sw": service.name_sw},
    }


INVITES_LOOK_BACK = timedelta(hours=1)
"""How far back a sweep looks for finished visits to invite (sweeps run every half minute)."""


def invite_feedback(base_url: str, *, uow: UnitOfWorkFactory, clock: Clock) -> int:
    """Queue one feedback_invite SMS per visit served lately with a phone, due 08:00-18:00.

    Run by the server's sweep; the outbox's key (purpose, ticket) makes a second pass store
    nothing, so several processes may sweep at once.
    """
    now = clock()
    queued = 0
    with uow() as unit:
        for centre in unit.repo.centres():
            since = now - INVITES_LOOK_BACK
            for ticket in unit.repo.served_with_phone(centre, today(centre, now), since):
                if ticket.phone is None:
                    continue
                queued += queue_sms(
                    unit.repo,
                    centre=centre,
                    purpose="feedback_invite",
                    subject=f"ticket:{ticket.public_id}",
                    phone=ticket.phone,
                    language=ticket.language,
                    params={
                        "centre": centre.code,
                        "number": ticket.number,
                        "url": f"{base_url.rstrip('/')}/track/{ticket.public_id}",
                    },
                    now=now,
                    send_at=invite_at(now, centre.timezone),
                )
        unit.commit()
    return queued
