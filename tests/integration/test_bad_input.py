"""A table of bad requests: each gets the contract's error body and status, and changes nothing."""

from __future__ import annotations

import pytest
import requests

from tests.support.centres import DISPLAY_TOKEN, KIOSK_TOKEN, OTHER_KIOSK_TOKEN
from tests.support.clients import login

KIOSK = {"Authorization": f"Bearer {KIOSK_TOKEN}"}
JSON = {"Content-Type": "application/json"}

CASES = [
    # (method, path, headers, body, status, code)
    ("POST", "/api/v1/centres/TST/tickets", {}, {"service": "ID"}, 401, "no_credentials"),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        {"Authorization": "Bearer wrong"},
        {"service": "ID"},
        401,
        "bad_token",
    ),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        {"Authorization": "Basic abc"},
        {"service": "ID"},
        401,
        "bad_credentials",
    ),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        {"Authorization": f"Bearer {OTHER_KIOSK_TOKEN}"},
        {"service": "ID"},
        403,
        "forbidden",
    ),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        {"Authorization": f"Bearer {DISPLAY_TOKEN}"},
        {"service": "ID"},
        403,
        "forbidden",
    ),
    ("POST", "/api/v1/centres/TST/tickets", KIOSK, "not json", 400, "malformed"),
    ("POST", "/api/v1/centres/TST/tickets", KIOSK, [1, 2], 400, "malformed"),
    ("POST", "/api/v1/centres/TST/tickets", KIOSK, {}, 422, "invalid_value"),
    ("POST", "/api/v1/centres/TST/tickets", KIOSK, {"service": 7}, 422, "invalid_value"),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        KIOSK,
        {"service": "ID", "priority": "vip"},
        422,
        "invalid_value",
    ),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        KIOSK,
        {"service": "ID", "language": "fr"},
        422,
        "invalid_value",
    ),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        KIOSK,
        {"service": "ID", "phone": "12345", "consent": True},
        422,
        "invalid_value",
    ),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        KIOSK,
        {"service": "ID", "phone": "0712345678"},
        422,
        "consent_required",
    ),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        KIOSK,
        {"service": "ID", "phone": "0712345678", "consent": False},
        422,
        "consent_required",
    ),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        KIOSK,
        {"service": "ID", "phone": "0712345678", "consent": "yes"},
        422,
        "invalid_value",
    ),
    ("POST", "/api/v1/centres/TST/tickets", KIOSK, {"service": "x" * 5000}, 422, "invalid_value"),
    ("POST", "/api/v1/centres/TST/tickets", KIOSK, {"service": "NOPE"}, 404, "unknown_service"),
    ("POST", "/api/v1/centres/TST/tickets", KIOSK, {"service": "OLD"}, 409, "service_closed"),
    ("POST", "/api/v1/centres/NOPE/tickets", KIOSK, {"service": "ID"}, 404, "unknown_centre"),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        {**KIOSK, "Idempotency-Key": "k" * 200},
        {"service": "ID"},
        422,
        "invalid_value",
    ),
    (
        "POST",
        "/api/v1/centres/TST/tickets",
        KIOSK,
        {"service": "ID", "pad": "x" * 70_000},
        413,
        "too_large",
    ),
    ("GET", "/api/v1/centres/NOPE/services", {}, None, 404, "unknown_centre"),
    ("GET", "/api/v1/tickets/nope", {}, None, 404, "unknown_ticket"),
    ("GET", "/api/v1/nothing-here", {}, None, 404, "not_found"),
    ("DELETE", "/api/v1/centres", {}, None, 405, "method_not_allowed"),
    ("POST", "/api/v1/auth/login", {}, {"username": "clerk1"}, 422, "invalid_value"),
    (
        "POST",
        "/api/v1/auth/login",
        {},
        {"username": "clerk1", "password": "wrong"},
        401,
        "bad_credentials",
    ),
    ("POST", "/api/v1/auth/login", {}, {"username": ["x"], "password": "p"}, 422, "invalid_value"),
    ("POST", "/api/v1/auth/login", {}, "{", 400, "malformed"),
    # Numbers past a database integer in a path: not found, never a 500.
    ("GET", "/api/v1/centres/TST/counters/99999999999999999999/queues", {}, None, 404, "not_found"),
    ("GET", "/api/v1/print-jobs/2147483648", KIOSK, None, 404, "not_found"),
    ("POST", "/api/v1/print-jobs/99999999999999999999/retry", KIOSK, None, 404, "not_found"),
    ("GET", "/api/v1/centres/TST/counters/2147483648/feedback", {}, None, 404, "not_found"),
    # NUL, which PostgreSQL can neither store nor compare: never a 500 (found by schemathesis).
    ("GET", "/api/v1/centres/T%00ST/services", {}, None, 404, "not_found"),
    ("GET", "/api/v1/tickets/ab%00cd", {}, None, 404, "not_found"),
    ("GET", "/api/v1/sync/T%00ST", {}, None, 404, "not_found"),
    (
        "POST",
        "/api/v1/auth/login",
        {},
        {"username": "a\x00", "password": "p"},
        422,
        "invalid_value",
    ),
    ("POST", "/api/v1/centres/TST/tickets", KIOSK, {"service": "I\x00D"}, 422, "invalid_value"),
]


@pytest.mark.parametrize(("method", "path", "headers", "body", "status", "code"), CASES)
def test_bad_requests_get_the_contract_error(
    shared_server, method, path, headers, body, status, code
):
    if isinstance(body, str):
        kwargs = {"data": body, "headers": {**JSON, **headers}}
    else:
        kwargs = {"json": body, "headers": headers}
    base = shared_server.url
    response = requests.request(method, base + path, timeout=10, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert "Traceback" not in response.text
    # No bad request issued anything (this module never issues a ticket).
    services = requests.get(f"{base}/api/v1/centres/TST/services", timeout=10).json()
    assert all(s["waiting"] == 0 for s in services)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/centres/TST/services/ID/pause", {"reason": {"en": "a\x00", "sw": "b"}}),
        ("/api/v1/centres/TST/services/ID/closed-days", {"date": "2099-01-01", "reason": "\x00"}),
        ("/api/v1/centres/TST/documents/ready", {"refs": ["ABCDE-\x00FGHI"]}),
    ],
)
def test_text_holding_nul_is_refused_before_the_database(shared_server, path, body):
    token = login(shared_server.url, "boss")
    response = requests.post(
        shared_server.url + path,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_value"
    assert "NUL" in response.json()["error"]["message"]


def test_failed_sign_ins_are_rate_limited(shared_server):
    server = shared_server
    for _ in range(5):
        response = requests.post(
            f"{server.url}/api/v1/auth/login",
            json={"username": "clerk4", "password": "nope"},
            timeout=10,
        )
        assert response.status_code == 401
    response = requests.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": "clerk4", "password": "nope"},
        timeout=10,
    )
    assert response.status_code == 429 and response.json()["error"]["code"] == "too_many_attempts"
