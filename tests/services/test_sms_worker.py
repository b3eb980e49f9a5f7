"""The SMS worker against a gateway that answers as Africa's Talking does (on a loopback port)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from queue_server.adapters.sms import AfricasTalking
from queue_server.domain.errors import Forbidden
from queue_server.services.messages import (
    claim_due_sms,
    hold_sms,
    queue_sms,
    record_delivery_report,
    send_due_sms,
    send_sms,
)
from tests.support.sms_gateway import API_KEY, USERNAME, SmsGateway

PHONE = "+254712345678"
KEY = "callback-key-0123456789"


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    stand_in = SmsGateway().up()
    yield stand_in
    stand_in.down()


@pytest.fixture
def adapter(gateway) -> AfricasTalking:
    return AfricasTalking(gateway.url, USERNAME, API_KEY, sender="HUDUMA")


def _queue(uow, clock, subject="ticket:1", phone=PHONE, **kw) -> None:
    with uow() as unit:
        queue_sms(
            unit.repo,
            centre=unit.repo.centre("TST"),
            purpose=kw.pop("purpose", "ticket_called"),
            subject=subject,
            phone=phone,
            language="en",
            params=kw.pop("params", {"centre": "TST", "number": "A001", "counter": 4}),
            now=clock(),
            **kw,
        )
        unit.commit()


def _statuses(uow) -> list[tuple[str, str, int]]:
    with uow(write=False) as unit:
        messages = unit.repo.centre_sms(unit.repo.centre("TST"), limit=100)
        return [(m.subject, m.status, m.attempts) for m in reversed(messages)]


def test_a_message_is_sent_as_africas_talking_expects(uow, clock, gateway, adapter):
    _queue(uow, clock)
    assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == ["sent"]
    [form] = gateway.requests
    assert form == {
        "username": USERNAME,
        "to": PHONE,
        "message": "Huduma TST: ticket A001, please go to counter 4 now.",
        "from": "HUDUMA",
        "apiKey": API_KEY,
        "accept": "application/json",
    }
    assert _statuses(uow) == [("ticket:1", "sent", 1)]
    assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == []  # never twice
    with uow(write=False) as unit:
        [message] = unit.repo.centre_sms(unit.repo.centre("TST"), limit=1)
    assert message.gateway_id == gateway.accepted[0]["messageId"]
    assert message.sent_at == clock()


def test_an_unreachable_gateway_is_retried_with_growing_delays_then_sent_once(
    uow, clock, gateway, adapter
):
    gateway.down()
    _queue(uow, clock)
    waits = []
    for _ in range(4):
        assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == ["queued"]
        with uow(write=False) as unit:
            [message] = unit.repo.centre_sms(unit.repo.centre("TST"), limit=1)
        waits.append((message.next_try_at - clock()).total_seconds())
        assert "unreachable" in (message.last_error or "")
        assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == []  # not due yet
        clock.advance(waits[-1])
    assert waits == [5, 10, 20, 40]
    gateway.up()
    assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == ["sent"]
    assert len(gateway.accepted) == 1
    assert _statuses(uow) == [("ticket:1", "sent", 5)]


def test_http_500_for_a_while_then_sent_once(uow, clock, gateway, adapter):
    gateway.fail_next = 3
    _queue(uow, clock)
    for delay in (5, 10, 20):
        assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == ["queued"]
        clock.advance(delay)
    assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == ["sent"]
    assert len(gateway.requests) == 4 and len(gateway.accepted) == 1


@pytest.mark.parametrize("code", [403, 406])
def test_a_refused_number_is_tried_once_then_failed(uow, clock, gateway, adapter, code):
    gateway.recipient_status[PHONE] = code
    _queue(uow, clock)
    _queue(uow, clock, subject="ticket:2", phone="+254711000000")
    assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == ["failed", "sent"]
    clock.advance(3600)
    assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == []
    assert _statuses(uow) == [("ticket:1", "failed", 1), ("ticket:2", "sent", 1)]
    assert len(gateway.requests) == 2


def test_wrong_credentials_are_a_final_failure(uow, clock, gateway):
    _queue(uow, clock)
    wrong = AfricasTalking(gateway.url, USERNAME, "not-the-key")
    assert send_due_sms(gateway=wrong, uow=uow, clock=clock) == ["failed"]


def test_a_message_too_late_to_be_useful_is_never_sent(uow, clock, gateway, adapter):
    _queue(uow, clock)
    _queue(uow, clock, subject="later", send_at=clock() + timedelta(minutes=30))
    clock.advance(15 * 60)
    assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == []
    clock.advance(15 * 60)
    assert send_due_sms(gateway=adapter, uow=uow, clock=clock) == ["sent"]  # the deferred one
    assert _statuses(uow) == [("ticket:1", "expired", 0), ("later", "sent", 1)]


def test_a_claimed_message_is_not_claimed_again_until_its_workers_lease_ends(
    uow, clock, gateway, adapter
):
    _queue(uow, clock)
    first = claim_due_sms(uow=uow, clock=clock)
    assert first is not None
    assert claim_due_sms(uow=uow, clock=clock) is None  # another worker finds nothing
    clock.advance(61)  # the first worker died (kill -9) while sending
    second = claim_due_sms(uow=uow, clock=clock)
    assert second is not None and second.id == first.id
    assert send_sms(second, gateway=adapter, uow=uow, clock=clock) == "sent"
    assert send_sms(first, gateway=adapter, uow=uow, clock=clock) == "lost_lease"
    assert _statuses(uow) == [("ticket:1", "sent", 2)]


def test_without_a_gateway_messages_are_held_and_queued_again_when_one_comes(uow, clock):
    _queue(uow, clock)
    assert hold_sms(gateway_configured=False, uow=uow, clock=clock) == 1
    assert _statuses(uow) == [("ticket:1", "held", 0)]
    clock.advance(3600)
    assert hold_sms(gateway_configured=False, uow=uow, clock=clock) == 0  # kept, not expired
    assert _statuses(uow) == [("ticket:1", "held", 0)]
    assert hold_sms(gateway_configured=True, uow=uow, clock=clock) == 1
    assert _statuses(uow) == [("ticket:1", "queued", 0)]


def test_delivery_reports_mark_sent_messages_delivered_or_failed(uow, clock, gateway, adapter):
    _queue(uow, clock)
    _queue(uow, clock, subject="ticket:2", phone="+254711000000")
    send_due_sms(gateway=adapter, uow=uow, clock=clock)
    first, second = (a["messageId"] for a in gateway.accepted)
    record_delivery_report(KEY, KEY, {"id": first, "status": "Success"}, uow=uow)
    record_delivery_report(
        KEY, KEY, {"id": second, "status": "Failed", "failureReason": "AbsentSubscriber"}, uow=uow
    )
    record_delivery_report(KEY, KEY, {"id": first, "status": "Failed"}, uow=uow)  # too late
    record_delivery_report(KEY, KEY, {"id": "ATXid_unknown", "status": "Success"}, uow=uow)
    assert _statuses(uow) == [("ticket:1", "delivered", 1), ("ticket:2", "failed", 1)]
    for key, expected in [("wrong", KEY), (None, KEY), (KEY, None), ("", "")]:
        with pytest.raises(Forbidden):
            record_delivery_report(key, expected, {"id": first, "status": "Failed"}, uow=uow)
