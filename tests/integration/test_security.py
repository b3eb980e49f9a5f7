"""Security over the wire: signing out, revocation on open sockets, proxies, headers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.support.centres import PASSWORD, TEST_CONFIG, kiosk_token, make_config_file
from tests.support.clients import CounterClient, DisplayClient, issue, login
from tests.support.server import ServerProcess


def _counters(base: str, token: str) -> requests.Response:
    return requests.get(
        f"{base}/api/v1/centres/TST/counters",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_logout_answers_204_and_the_token_is_refused_after(server):
    token = login(server.url, "clerk1")
    assert _counters(server.url, token).status_code == 200
    out = requests.post(
        f"{server.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert out.status_code == 204
    refused = _counters(server.url, token)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "bad_token"
    again = requests.post(
        f"{server.url}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert again.status_code == 401


def _without_clerk1(config: str) -> str:
    tables = config.split("\n[[user]]")
    return "\n[[user]]".join([tables[0]] + [t for t in tables[1:] if '"clerk1"' not in t])


def test_a_user_removed_by_another_process_is_refused_on_an_open_socket(server, tmp_path: Path):
    token = login(server.url, "clerk1")
    clerk = CounterClient(server.url, token)
    dropped = threading.Event()
    clerk.sio.on("disconnect", dropped.set, namespace="/counter")
    try:
        assert clerk("open", {"centre": "TST", "counter": 1})["ok"]
        # Another process starts with a configuration that no longer names clerk1.
        changed = tmp_path / "changed.toml"
        changed.write_text(_without_clerk1(TEST_CONFIG))
        assert "clerk1" not in changed.read_text() and "clerk2" in changed.read_text()
        other_folder = tmp_path / "other"
        other_folder.mkdir()
        other = ServerProcess(server.database_url, other_folder, config=changed)
        other.start()
        other.kill()
        answer = clerk("call_next")
        assert answer == {
            "ok": False,
            "error": {"code": "bad_token", "message": "Your access has changed; sign in again."},
        }
        assert dropped.wait(10)
        assert _counters(server.url, token).status_code == 401
    finally:
        clerk.close()


def _refusal(base: str, namespace: str, auth: dict) -> dict:
    """Connect to `namespace` expecting a refusal; the `data` the client is told it with."""
    client = socketio.Client(reconnection=False)
    told: list[dict] = []
    client.on("connect_error", told.append, namespace=namespace)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(base, namespaces=[namespace], auth=auth, transports=["websocket"])
    [refusal] = told
    return refusal["data"]


@pytest.mark.parametrize(
    ("namespace", "auth", "code"),
    [
        ("/counter", {}, "no_credentials"),
        ("/counter", {"token": "no-such-token"}, "bad_token"),
        ("/counter", {"token": kiosk_token(1)}, "forbidden"),
        ("/printer", {"token": "no-such-token"}, "bad_token"),
        ("/printer", {"token": kiosk_token(1)}, "not_an_agent_printer"),
        ("/supervisor", {"token": "no-such-token", "centre": "TST"}, "bad_token"),
        ("/display", {}, "invalid_value"),
        ("/ticket", {"ticket": "no-such-ticket"}, "unknown_ticket"),
    ],
)
def test_every_namespace_refuses_with_a_code_and_message_the_pages_read(
    shared_server, namespace, auth, code
):
    refusal = _refusal(shared_server.url, namespace, auth)
    assert refusal["code"] == code and isinstance(refusal["message"], str) and refusal["message"]


def _fail_logins(base: str, times: int, **headers: str) -> None:
    for i in range(times):
        response = requests.post(
            f"{base}/api/v1/auth/login",
            json={"username": f"nobody{i}", "password": "wrong password"},
            headers=headers,
            timeout=10,
        )
        assert response.status_code == 401


def _login_status(base: str, **headers: str) -> int:
    return requests.post(
        f"{base}/api/v1/auth/login",
        json={"username": "clerk1", "password": PASSWORD},
        headers=headers,
        timeout=10,
    ).status_code


def _server(tmp_path: Path, name: str, **env: str) -> ServerProcess:
    folder = tmp_path / name
    folder.mkdir()
    process = ServerProcess(
        f"sqlite:///{folder / 'q.db'}", folder, config=make_config_file(folder), env=env
    )
    process.start()
    return process


def test_a_trusted_proxy_is_believed_and_limits_count_per_client(tmp_path: Path):
    process = _server(
        tmp_path,
        "trusted",
        QUEUE_TRUSTED_PROXIES="10.0.0.0/8 127.0.0.1",
        QUEUE_PUBLIC_URL="https://queue.example.org",
    )
    try:
        _fail_logins(process.url, 20, **{"X-Forwarded-For": "203.0.113.9, 10.1.2.3"})
        assert _login_status(process.url, **{"X-Forwarded-For": "203.0.113.9"}) == 429
        assert _login_status(process.url, **{"X-Forwarded-For": "198.51.100.4"}) == 200
        assert _login_status(process.url) == 200  # the proxy's own address is not locked
        headers = requests.get(f"{process.url}/api/v1/centres", timeout=10).headers
        assert headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        process.kill()


def test_an_untrusted_forwarded_for_is_ignored(tmp_path: Path):
    process = _server(tmp_path, "untrusted", QUEUE_TRUSTED_PROXIES="10.0.0.0/8")
    try:
        _fail_logins(process.url, 20, **{"X-Forwarded-For": "203.0.113.9"})
        # The direct client (127.0.0.1) is locked out whatever address it claims.
        assert _login_status(process.url, **{"X-Forwarded-For": "198.51.100.4"}) == 429
        assert (
            "Strict-Transport-Security"
            not in requests.get(f"{process.url}/api/v1/centres", timeout=10).headers
        )
    finally:
        process.kill()


def test_api_static_and_error_answers_carry_the_security_headers(server):
    for path in ("/api/v1/centres", "/api/v1/nothing-here", "/common/static/client.js", "/healthz"):
        headers = requests.get(f"{server.url}{path}", timeout=10).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "no-referrer", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Frame-Options"] == "DENY", path


def test_the_public_ticket_does_not_say_why_someone_has_priority(server):
    issued = issue(server.url, kiosk_token(1), "ID", priority="disability")
    assert issued["priority"] == "disability"  # the kiosk that issued it (and staff) may see it
    public = requests.get(f"{server.url}/api/v1/tickets/{issued['id']}", timeout=10).json()
    assert "priority" not in public and public["number"] == issued["number"]


def test_anonymous_renders_are_limited_per_address_and_cached_ones_spend_nothing(
    tmp_path: Path,
):
    process = _server(tmp_path, "renders", QUEUE_RENDERS_PER_MINUTE="3")

    def qr(i: int) -> int:
        return requests.get(f"{process.url}/track/{'t' * 20}{i}/qr.svg", timeout=10).status_code

    try:
        assert [qr(0), qr(0), qr(0), qr(0), qr(1), qr(2)] == [200] * 6  # three made, three kept
        assert qr(3) == 429  # a fourth new one this minute
        announcement = requests.get(
            f"{process.url}/display/announcement.wav?number=A001&counter=1&lang=en", timeout=10
        )
        assert announcement.status_code == 429
        assert _login_status(process.url) == 200  # other routes are not limited by it
    finally:
        process.kill()


def test_anonymous_display_connections_are_limited_per_address(tmp_path: Path):
    process = _server(tmp_path, "displays", QUEUE_DISPLAY_CONNECTIONS_PER_ADDRESS="2")
    screens = [DisplayClient(process.url), DisplayClient(process.url)]
    try:
        assert _refusal(process.url, "/display", {"centre": "TST"})["code"] == (
            "too_many_connections"
        )
        screens.pop().close()
        _wait_until_displays_open(process.url, 1)  # the server has seen the close
        screens.append(DisplayClient(process.url))  # a place came free
        screens[-1].wait_for("snapshot")
    finally:
        for screen in screens:
            screen.close()
        process.kill()


def _wait_until_displays_open(base: str, count: int) -> None:
    """Poll this process's /metrics until it counts `count` open /display sockets."""
    wanted = f'queue_open_sockets{{namespace="/display"}} {float(count)}'
    for _ in range(100):
        if wanted in requests.get(f"{base}/metrics", timeout=10).text.splitlines():
            return
        time.sleep(0.05)  # the close arrives on its own socket; no event to await here
    raise AssertionError(f"the server never counted {count} open displays")
