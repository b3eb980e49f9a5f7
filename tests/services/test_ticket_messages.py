"""A ticket holder's phone: taken with consent only, told when near and when called."""

from __future__ import annotations

import pytest

from queue_server.domain.errors import InvalidValue
from queue_server.domain.phone import consented_phone
from queue_server.domain.sms import CONSENT_TEXT
from queue_server.services import counters, tickets
from queue_server.services.counters import CounterRef
from queue_server.services.messages import NearTurnProjection

C1 = CounterRef("TST", 1)


def issue(kiosk, deps, phone=None, language="en"):
    return tickets.issue_ticket(kiosk, "TST", "ID", phone=phone, language=language, **deps)


def _messages(uow) -> list[tuple[str, str, str]]:
    with uow(write=False) as unit:
        found = unit.repo.centre_sms(unit.repo.centre("TST"), limit=100)
        return [(m.purpose, m.phone or "", m.body) for m in reversed(found)]


def test_a_phone_is_taken_only_with_consent():
    assert consented_phone(None, None) is None
    assert consented_phone("0712 345 678", True) == "+254712345678"
    for consent in (None, False):
        with pytest.raises(InvalidValue) as refused:
            consented_phone("0712345678", consent)
        assert refused.value.code == "consent_required"
    with pytest.raises(InvalidValue) as malformed:
        consented_phone("12345", True)
    assert malformed.value.code == "invalid_value"


def test_the_consent_text_and_time_are_kept_with_the_number(kiosk, deps, uow, clock):
    ticket = issue(kiosk, deps, phone="+254712345678", language="sw")
    with uow(write=False) as unit:
        stored = unit.repo.ticket(ticket["id"])
    assert stored.phone == "+254712345678"
    assert stored.phone_consent_at == clock()
    assert stored.phone_consent_text == {**CONSENT_TEXT, "shown": "sw"}
    assert "phone" not in ticket


def test_a_call_queues_one_sms_with_the_counter_in_the_holders_language(kiosk, clerk, deps, uow):
    issue(kiosk, deps, phone="0712345678", language="sw")
    issue(kiosk, deps)  # no phone: no message
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    assert _messages(uow) == [
        (
            "ticket_called",
            "+254712345678",
            "Huduma TST: tiketi A001, tafadhali nenda dirisha 1 sasa.",
        )
    ]


def test_near_turn_is_sent_once_when_ahead_reaches_notify_ahead(kiosk, clerk, deps, uow):
    for _ in range(4):
        issue(kiosk, deps)
    watched = issue(kiosk, deps, phone="0712345678")  # 4 ahead; notify_ahead is 3
    near = NearTurnProjection(uow, deps["clock"])
    near.project("TST")
    assert _messages(uow) == []
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    near.project("TST")
    near.project("TST")
    counters.call_next(clerk, C1, **deps)
    near.project("TST")
    assert _messages(uow) == [
        (
            "ticket_near",
            "+254712345678",
            "Huduma TST: ticket A005 is near, 3 ahead of you. Please come back to the hall now.",
        )
    ]
    assert watched["number"] == "A005"


def test_a_ticket_far_at_issue_first_looked_at_once_near_still_gets_its_message(
    kiosk, clerk, deps, uow
):
    for _ in range(4):
        issue(kiosk, deps)
    issue(kiosk, deps, phone="0712345678")  # 4 ahead; notify_ahead is 3
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)  # 3 ahead before any look (a late pass, a restart)
    near = NearTurnProjection(uow, deps["clock"])
    near.project("TST")
    near.project("TST")
    assert [purpose for purpose, _, _ in _messages(uow)] == ["ticket_near"]


def test_a_ticket_issued_already_near_gets_no_near_turn_message(kiosk, deps, uow):
    issue(kiosk, deps, phone="0712345678")
    near = NearTurnProjection(uow, deps["clock"])
    near.project("TST")
    near.project("TST")
    assert _messages(uow) == []


def test_a_near_turn_message_not_sent_before_the_call_is_never_sent(kiosk, clerk, deps, uow):
    for _ in range(4):
        issue(kiosk, deps)
    issue(kiosk, deps, phone="0712345678")
    near = NearTurnProjection(uow, deps["clock"])
    near.project("TST")
    counters.open_counter(clerk, C1, **deps)
    counters.call_next(clerk, C1, **deps)
    near.project("TST")
    for _ in range(4):
        counters.call_next(clerk, C1, **deps)
    with uow(write=False) as unit:
        found = unit.repo.centre_sms(unit.repo.centre("TST"), limit=10)
        assert sorted((m.purpose, m.status) for m in found) == [
            ("ticket_called", "queued"),
            ("ticket_near", "expired"),
        ]
