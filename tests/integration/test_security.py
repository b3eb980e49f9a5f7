"""Security over the wire: signing out, revocation on open sockets, proxies, headers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
import socketio

from tests.support.centres import PASSWORD, TEST_CONFIG, kiosk_token, make_config_file
from tests.support.clients import (
    DROPPED_WITHIN_S,
    CounterClient,
    DisplayClient,
    SupervisorClient,
    issue,
    login,
    logout,
)
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


def _without(config: str, *usernames: str) -> str:
    """The test configuration without the [[user]] tables of `usernames`."""
    tables = config.split("\n[[user]]")
    kept = [t for t in tables[1:] if not any(f'"{name}"' in t for name in usernames)]
    return "\n[[user]]".join([tables[0], *kept])


def _start_without(database_url: str, tmp_path: Path, *usernames: str) -> None:
    """Start (and stop) a second server process on the same database, with a configuration
    that no longer names `usernames`: applying it at its start withdraws their access."""
    changed = tmp_path / "changed.toml"
    changed.write_text(_without(TEST_CONFIG, *usernames))
    assert all(f'"{name}"' not in changed.read_text() for name in usernames)
    folder = tmp_path / "other"
    folder.mkdir()
    other = ServerProcess(database_url, folder, config=changed)
    other.start()  # listening: its configuration has been applied
    other.kill()


def sign_out_drops_idle_screens(sign_in_at: str, screens_at: str) -> None:
    """clerk1 (at counter 1) and boss (watching TST) sign in at one server process and keep
    idle screens on another (or the same); both sign out. Both screens are dropped in time and
    told why, while the clerk's other sign-in (another screen) keeps its access."""
    clerk_token, boss_token = login(sign_in_at, "clerk1"), login(sign_in_at, "boss")
    clerk, boss = CounterClient(screens_at, clerk_token), SupervisorClient(screens_at, boss_token)
    other_screen = CounterClient(screens_at, login(sign_in_at, "clerk1"))
    try:
        assert clerk("open", {"centre": "TST", "counter": 1})["ok"]
        boss.wait_for("hall")
        logout(sign_in_at, clerk_token)
        logout(sign_in_at, boss_token)
        signed_out = {"code": "bad_token", "message": "This token signed out; sign in again."}
        assert clerk.dropped_for(DROPPED_WITHIN_S) == signed_out  # the screens sent nothing
        assert boss.dropped_for(DROPPED_WITHIN_S) == signed_out
        assert other_screen("open", {"centre": "TST", "counter": 2})["ok"]
        assert not other_screen.dropped.is_set()
    finally:
        for socket in (clerk, boss, other_screen):
            socket.close()


def test_idle_sockets_of_a_signed_out_token_are_dropped_at_once_and_told_why(server):
    sign_out_drops_idle_screens(server.url, server.url)


def test_idle_sockets_of_users_removed_by_another_process_are_dropped_and_told_why(
    server, tmp_path: Path
):
    clerk = CounterClient(server.url, login(server.url, "clerk1"))
    boss = SupervisorClient(server.url, login(server.url, "boss"))
    kept = CounterClient(server.url, login(server.url, "clerk2"))
    try:
        assert clerk("open", {"centre": "TST", "counter": 1})["ok"]
        assert kept("open", {"centre": "TST", "counter": 2})["ok"]
        boss.wait_for("hall")
        _start_without(server.database_url, tmp_path, "clerk1", "boss")
        removed = {"code": "bad_token", "message": "This account no longer exists."}
        assert clerk.dropped_for(DROPPED_WITHIN_S) == removed  # the screens sent nothing
        assert boss.dropped_for(DROPPED_WITHIN_S) == removed
        assert kept("pause")["ok"] and not kept.dropped.is_set()  # clerk2 is still named
    finally:
        for socket in (clerk, boss, kept):
            socket.close()


def test_an_event_on_a_socket_whose_access_was_withdrawn_is_refused(db_url: str, tmp_path: Path):
    # Checks of idle sockets far apart: the clerk's next event is what finds the change.
    process = ServerProcess(
        db_url, tmp_path, config=make_config_file(tmp_path), env={"QUEUE_ACCESS_CHECK_S": "600"}
    )
    process.start()
    token = login(process.url, "clerk1")
    clerk = CounterClient(process.url, token)
    try:
        assert clerk("open", {"centre": "TST", "counter": 1})["ok"]
        _start_without(process.database_url, tmp_path, "clerk1")
        removed = {"code": "bad_token", "message": "This account no longer exists."}
        assert clerk("call_next") == {"ok": False, "error": removed}
        assert clerk.dropped_for(10) == removed
        assert _counters(process.url, token).status_code == 401
    finally:
        clerk.close()
        process.kill()


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
