"""SMS through the real server and a stand-in Africa's Talking gateway on a loopback port.

Messages are caused over the API (a ticket with a phone, then its call) and must reach the
gateway exactly once, whatever happens to the gateway or to the server process.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
import requests

from tests.support.centres import KIOSK_TOKEN, make_config_file
from tests.support.clients import CounterClient, issue, login
from tests.support.databases import database_url, require_redis
from tests.support.server import ServerProcess
from tests.support.sms_gateway import SmsGateway

FAST = {"QUEUE_TIME_SCALE": "20"}  # retries after 5 s, 10 s ... of the server's clock
WAIT_S = 30


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    stand_in = SmsGateway()
    yield stand_in
    stand_in.down()


def start(db_url: str, tmp_path, gateway: SmsGateway, **env: str) -> ServerProcess:
    server = ServerProcess(
        db_url, tmp_path, config=make_config_file(tmp_path), env={**gateway.env(), **env}
    )
    server.start()
    return server


def phone(n: int) -> str:
    return f"+2547{n:08d}"


def call_with_phones(base: str, count: int, first: int = 1) -> None:
    """Issue `count` tickets with phones (and consent) and call them all at counter 1."""
    for n in range(first, first + count):
        issue(base, KIOSK_TOKEN, "ID", phone=phone(n), consent=True)
    clerk = CounterClient(base, login(base, "clerk1"))
    try:
        assert clerk("open", {"centre": "TST", "counter": 1})["ok"]
        for _ in range(count):
            assert clerk("call_next")["ok"]
    finally:
        clerk.close()


def outbox(base: str) -> list[dict]:
    response = requests.get(
        f"{base}/api/v1/centres/TST/messages?limit=500",
        headers={"Authorization": f"Bearer {login(base, 'boss')}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()


def until(check: Callable[[], bool], timeout: float = WAIT_S) -> None:
    """Wait until the server's state satisfies `check` (read over its API)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def calls(base: str) -> list[dict]:
    """The outbox's ticket_called messages (a ticket with four ahead is also told when near)."""
    return [m for m in outbox(base) if m["purpose"] == "ticket_called"]


def sent_once(gateway: SmsGateway, count: int, first: int = 1) -> None:
    """Each of the numbers was sent its call message exactly once."""
    called = [a for a in gateway.accepted if "please go to counter" in a["message"]]
    assert Counter(a["to"] for a in called) == {phone(n): 1 for n in range(first, first + count)}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_gateway_down_then_up_delivers_once(db_url, tmp_path, gateway):
    server = start(db_url, tmp_path, gateway, **FAST)
    try:
        call_with_phones(server.url, 1)
        until(lambda: outbox(server.url)[0]["attempts"] >= 2)  # refused, and retried
        assert outbox(server.url)[0]["status"] == "queued"
        gateway.up()
        assert gateway.wait_for(lambda g: len(g.accepted) == 1)
        until(lambda: outbox(server.url)[0]["status"] == "sent")
        sent_once(gateway, 1)
        [message] = outbox(server.url)
        assert message["purpose"] == "ticket_called"
        assert message["to"] == "+2547*****001"
        assert "unreachable" in message["last_error"]
    finally:
        server.kill()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_http_500_for_a_while_then_delivered_once(db_url, tmp_path, gateway):
    gateway.fail_next = 3
    gateway.up()
    server = start(db_url, tmp_path, gateway, **FAST)
    try:
        call_with_phones(server.url, 1)
        until(lambda: outbox(server.url)[0]["status"] == "sent")
        assert len(gateway.requests) == 4
        sent_once(gateway, 1)
        assert outbox(server.url)[0]["attempts"] == 4
    finally:
        server.kill()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_403_number_is_tried_once_then_failed(db_url, tmp_path, gateway):
    gateway.recipient_status[phone(1)] = 403
    gateway.up()
    server = start(db_url, tmp_path, gateway, **FAST)
    try:
        call_with_phones(server.url, 2)
        until(lambda: {m["status"] for m in outbox(server.url)} == {"failed", "sent"})
        failed = next(m for m in outbox(server.url) if m["status"] == "failed")
        assert failed["attempts"] == 1 and "403" in failed["last_error"]
        assert [r["to"] for r in gateway.requests].count(phone(1)) == 1
    finally:
        server.kill()


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_killed_with_messages_queued_each_is_sent_once_after_restart(db_url, tmp_path, gateway):
    server = start(db_url, tmp_path, gateway, **FAST)
    try:
        call_with_phones(server.url, 5)
        until(lambda: all(m["attempts"] >= 1 for m in calls(server.url)))
        server.kill()  # kill -9 while all five are queued for a retry
        gateway.up()
        server.start()
        assert gateway.wait_for(lambda g: len(g.accepted) == 5)
        until(lambda: {m["status"] for m in calls(server.url)} == {"sent"})
        sent_once(gateway, 5)
    finally:
        server.kill()


def test_two_processes_on_postgresql_and_redis_send_each_message_once(tmp_path, gateway):
    gateway.up()
    env = {
        **gateway.env(),
        "QUEUE_MESSAGE_QUEUE": require_redis(),
        "QUEUE_MESSAGE_QUEUE_CHANNEL": f"test-{uuid.uuid4().hex}",
    }
    config = make_config_file(tmp_path)
    with database_url("postgresql", tmp_path) as url:
        servers = []
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            servers.append(ServerProcess(url, tmp_path / name, config=config, env=env))
        try:
            for server in servers:
                server.start()
            a, b = servers
            call_with_phones(a.url, 10)
            call_with_phones(b.url, 10, first=11)
            assert gateway.wait_for(lambda g: len(g.accepted) >= 20)
            until(lambda: {m["status"] for m in calls(b.url)} == {"sent"})
            sent_once(gateway, 20)
            near = [m for m in outbox(b.url) if m["purpose"] == "ticket_near"]
            assert len(gateway.requests) == 20 + sum(m["status"] == "sent" for m in near)
        finally:
            for server in servers:
                server.kill()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_without_a_gateway_messages_are_held(db_url, config_file, tmp_path):
    server = ServerProcess(db_url, tmp_path, config=config_file)
    server.start()
    try:
        call_with_phones(server.url, 1)
        until(lambda: outbox(server.url)[0]["status"] == "held")
    finally:
        server.kill()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_delivery_reports(db_url, tmp_path, gateway):
    gateway.up()
    server = start(db_url, tmp_path, gateway)
    report_url = f"{server.url}/api/v1/sms/delivery-reports"
    try:
        call_with_phones(server.url, 1)
        assert gateway.wait_for(lambda g: len(g.accepted) == 1)
        until(lambda: outbox(server.url)[0]["status"] == "sent")
        report = {"id": gateway.accepted[0]["messageId"], "status": "Success"}
        for key in ("wrong", ""):
            refused = requests.post(report_url, params={"key": key}, data=report, timeout=10)
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "bad_callback_key"
        assert outbox(server.url)[0]["status"] == "sent"
        key = gateway.env()["QUEUE_SMS_CALLBACK_KEY"]
        unknown = {"id": "ATXid_nothing", "status": "Success"}
        assert requests.post(report_url, params={"key": key}, data=unknown, timeout=10).ok
        assert requests.post(report_url, params={"key": key}, data=report, timeout=10).ok
        assert outbox(server.url)[0]["status"] == "delivered"
    finally:
        server.kill()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_near_turn_then_called_in_the_holders_language(db_url, tmp_path, gateway):
    gateway.up()
    server = start(db_url, tmp_path, gateway)
    try:
        for _ in range(4):
            issue(server.url, KIOSK_TOKEN, "ID")
        issue(server.url, KIOSK_TOKEN, "ID", phone="0700 000 001", consent=True, language="sw")
        clerk = CounterClient(server.url, login(server.url, "clerk1"))
        try:
            assert clerk("open", {"centre": "TST", "counter": 1})["ok"]
            assert clerk("call_next")["ok"]  # four ahead become three: near
            assert gateway.wait_for(lambda g: len(g.accepted) == 1)
            for _ in range(4):
                assert clerk("call_next")["ok"]
            assert gateway.wait_for(lambda g: len(g.accepted) == 2)
        finally:
            clerk.close()
        assert [a["message"] for a in gateway.accepted] == [
            "Huduma TST: tiketi A005 inakaribia, 3 wako mbele yako. Tafadhali rudi ukumbini sasa.",
            "Huduma TST: tiketi A005, tafadhali nenda dirisha 1 sasa.",
        ]
    finally:
        server.kill()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_supervisor_sends_a_failed_message_again_once(db_url, tmp_path, gateway):
    gateway.recipient_status[phone(1)] = 403
    gateway.up()
    server = start(db_url, tmp_path, gateway, **FAST)
    try:
        call_with_phones(server.url, 1)
        until(lambda: outbox(server.url)[0]["status"] == "failed")
        [failed] = outbox(server.url)

        def retry(message_id: int, user: str = "boss") -> requests.Response:
            return requests.post(
                f"{server.url}/api/v1/messages/{message_id}/retry",
                headers={"Authorization": f"Bearer {login(server.url, user)}"},
                timeout=10,
            )

        assert retry(failed["id"], "clerk1").status_code == 403
        assert retry(10**6).json()["error"]["code"] == "unknown_message"
        del gateway.recipient_status[phone(1)]  # the number works again
        answer = retry(failed["id"])
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "queued"
        until(lambda: outbox(server.url)[0]["status"] == "sent")
        sent_once(gateway, 1)
        again = retry(failed["id"])
        assert (again.status_code, again.json()["error"]["code"]) == (409, "not_failed")
        assert [r["to"] for r in gateway.requests].count(phone(1)) == 2
    finally:
        server.kill()
