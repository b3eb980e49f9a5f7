"""Track my Service through the real server: reminders on a fast clock, and bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.support.centres import KIOSK_TOKEN, make_config_file
from tests.support.clients import login
from tests.support.server import ServerProcess
from tests.support.sms_gateway import SmsGateway

WEEK_S = 7 * 86400
SCALE = 10000  # a week of the server's clock in about a minute (the most the server accepts)


def call(server, method, path, user="clerk1", token=None, **kw) -> requests.Response:
    token = token or login(server.url, user)
    headers = {"Authorization": f"Bearer {token}"}
    return requests.request(method, f"{server.url}/api/v1{path}", headers=headers, timeout=10, **kw)


def lodge(server, phone="0712345678", **kw) -> dict:
    body = {"service": "BC", "phone": phone, "consent": True} | kw
    response = call(server, "POST", "/centres/TST/documents", json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def gateway() -> Iterator[SmsGateway]:
    stand_in = SmsGateway().up()
    yield stand_in
    stand_in.down()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_ready_then_a_reminder_a_week_later_and_none_once_collected(db_url, tmp_path, gateway):
    env = {**gateway.env(), "QUEUE_TIME_SCALE": str(SCALE)}
    server = ServerProcess(db_url, tmp_path, config=make_config_file(tmp_path), env=env)
    server.start()
    try:
        ref = lodge(server, language="sw")["ref"]
        assert call(server, "POST", f"/documents/{ref}/status", json={"status": "ready"}).ok
        assert gateway.wait_for(lambda g: len(g.accepted) == 1, timeout=10)
        assert gateway.accepted[0]["message"].startswith(f"Huduma TST: hati yako {ref} iko tayari")
        # The first reminder comes 7 days (of the server's clock) later, about a minute here.
        assert gateway.wait_for(lambda g: len(g.accepted) == 2, timeout=WEEK_S / SCALE + 30)
        assert gateway.accepted[1]["message"].startswith(f"Huduma TST: kumbusho, hati {ref}")
        assert call(server, "POST", f"/documents/{ref}/status", json={"status": "collected"}).ok
        messages = call(server, "GET", "/centres/TST/messages", user="boss").json()
        assert [(m["purpose"], m["status"]) for m in reversed(messages)] == [
            ("document_ready", "sent"),
            ("document_reminder", "sent"),
            ("document_reminder", "expired"),
        ]
        assert len(gateway.requests) == 2
    finally:
        server.kill()


def test_bad_input_gets_a_clear_4xx_and_changes_nothing(shared_server):
    server = shared_server
    clerk = login(server.url, "clerk1")
    ref = lodge(server)["ref"]
    before = call(server, "GET", "/centres/TST/documents", token=clerk).json()
    cases = [
        (
            "POST",
            "/centres/TST/documents",
            {"service": "BC", "phone": "12345", "consent": True},
            422,
            "invalid_value",
        ),
        (
            "POST",
            "/centres/TST/documents",
            {"service": "BC", "phone": "0712345678"},
            422,
            "consent_required",
        ),
        (
            "POST",
            "/centres/TST/documents",
            {"service": "BC", "consent": True},
            422,
            "invalid_value",
        ),
        (
            "POST",
            "/centres/TST/documents",
            {"service": "NOPE", "phone": "0712345678", "consent": True},
            404,
            "unknown_service",
        ),
        ("POST", f"/documents/{ref}/status", {"status": "collected"}, 409, "invalid_state"),
        ("POST", f"/documents/{ref}/status", {"status": "lost"}, 422, "invalid_value"),
        ("POST", "/documents/00000-00000/status", {"status": "ready"}, 404, "unknown_document"),
        ("POST", "/centres/TST/documents/ready", {"refs": ["00000-00000"] * 501}, 413, "too_large"),
        ("POST", "/centres/TST/documents/ready", {"refs": "not a list"}, 422, "invalid_value"),
        ("POST", f"/centres/TST/documents/{ref}/collect", None, 409, "not_ready"),
        ("POST", "/centres/TST/documents/00000-00000/collect", None, 404, "unknown_document"),
        ("GET", "/centres/TST/documents?limit=0", None, 422, "invalid_value"),
        ("GET", "/centres/TST/messages", None, 403, "forbidden"),
    ]
    for method, path, body, status, code in cases:
        response = call(server, method, path, token=clerk, json=body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), path
    boss = login(server.url, "boss")
    response = call(server, "GET", "/centres/TST/messages?limit=abc", token=boss)
    assert response.status_code == 422
    kiosk = call(
        server,
        "POST",
        "/centres/TST/documents",
        token=KIOSK_TOKEN,
        json={"service": "BC", "phone": "0712345678", "consent": True},
    )
    assert kiosk.status_code == 403
    for suffix in ("679", "abc", ""):
        wrong = requests.get(f"{server.url}/api/v1/documents/{ref}?phone={suffix}", timeout=10)
        unknown = requests.get(f"{server.url}/api/v1/documents/00000-00001?phone=678", timeout=10)
        assert wrong.status_code == unknown.status_code == 404
        assert wrong.json() == unknown.json()
    report = requests.post(
        f"{server.url}/api/v1/sms/delivery-reports?key=wrong", data={"id": "x"}, timeout=10
    )
    assert report.status_code == 403
    assert call(server, "GET", "/centres/TST/documents", token=clerk).json() == before
