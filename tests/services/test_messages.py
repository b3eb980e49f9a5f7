"""The SMS outbox: stored with the change that causes it, once per purpose and subject."""

from __future__ import annotations

from datetime import timedelta

from queue_server.adapters.orm import SmsMessage
from queue_server.services.messages import queue_sms
from tests.services.conftest import MORNING

PHONE = "+254712345678"


def _queue(unit, subject: str, *, purpose: str = "ticket_called", phone: str = PHONE, **kw):
    params = {"centre": "TST", "number": "A001", "counter": 4}
    return queue_sms(
        unit.repo,
        centre=unit.repo.centre("TST"),
        purpose=purpose,
        subject=subject,
        phone=phone,
        language=kw.pop("language", "en"),
        params=kw.pop("params", params),
        now=kw.pop("now", MORNING),
        **kw,
    )


def _messages(uow) -> list[SmsMessage]:
    with uow(write=False) as unit:
        return list(reversed(unit.repo.centre_sms(unit.repo.centre("TST"), limit=100)))


def test_a_message_is_stored_once_per_purpose_and_subject(uow):
    with uow() as unit:
        assert _queue(unit, "ticket:1") is True
        assert _queue(unit, "ticket:1") is False
        assert (
            _queue(
                unit,
                "ticket:1",
                purpose="ticket_near",
                params={"centre": "TST", "number": "A001", "ahead": 3},
            )
            is True
        )
        unit.commit()
    with uow() as unit:
        assert _queue(unit, "ticket:1") is False  # also from another transaction
        unit.commit()
    stored = _messages(uow)
    assert [(m.purpose, m.status, m.attempts) for m in stored] == [
        ("ticket_called", "queued", 0),
        ("ticket_near", "queued", 0),
    ]
    assert stored[0].body == "Huduma TST: ticket A001, please go to counter 4 now."
    assert stored[0].phone == PHONE


def test_a_message_exists_only_if_the_change_that_caused_it_commits(uow):
    with uow() as unit:
        assert _queue(unit, "ticket:1") is True  # no commit: rolled back
    assert _messages(uow) == []
    with uow() as unit:
        assert _queue(unit, "ticket:1") is True
        unit.commit()
    assert len(_messages(uow)) == 1


def test_the_text_is_in_the_citizens_language(uow):
    with uow() as unit:
        _queue(unit, "ticket:1", language="sw")
        unit.commit()
    assert _messages(uow)[0].body == "Huduma TST: tiketi A001, tafadhali nenda dirisha 4 sasa."


def test_expiry_is_the_purposes_lifetime_after_it_is_due_unless_given(uow):
    later = MORNING + timedelta(hours=3)
    with uow() as unit:
        _queue(unit, "ticket:1")
        _queue(unit, "ticket:2", send_at=later)
        _queue(unit, "ticket:3", expires_at=MORNING + timedelta(minutes=1))
        unit.commit()
    first, deferred, given = _messages(uow)
    assert (first.next_try_at, first.expires_at) == (MORNING, MORNING + timedelta(minutes=15))
    assert (deferred.next_try_at, deferred.expires_at) == (later, later + timedelta(minutes=15))
    assert given.expires_at == MORNING + timedelta(minutes=1)


def test_a_sixth_message_to_one_number_within_an_hour_is_not_sent(uow):
    with uow() as unit:
        for n in range(6):
            assert _queue(unit, f"ticket:{n}", now=MORNING + timedelta(minutes=n)) is True
        _queue(unit, "other", phone="+254711000000", now=MORNING + timedelta(minutes=6))
        _queue(unit, "ticket:7", now=MORNING + timedelta(minutes=66))  # the six have aged out
        unit.commit()
    statuses = [(m.subject, m.status) for m in _messages(uow)]
    assert statuses == [(f"ticket:{n}", "queued") for n in range(5)] + [
        ("ticket:5", "failed"),
        ("other", "queued"),
        ("ticket:7", "queued"),
    ]
    assert "more than 5 messages" in (_messages(uow)[5].last_error or "")
