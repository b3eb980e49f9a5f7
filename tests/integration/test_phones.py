"""Phones on /ticket against the real server: each hears only of its own ticket, at once."""

from __future__ import annotations

import pytest
import socketio

from tests.integration.test_processes import two_servers  # noqa: F401 (a fixture)
from tests.support.centres import kiosk_token
from tests.support.clients import CounterClient, PhoneClient, issue, login


def test_a_phone_hears_its_place_then_its_call_and_nothing_of_other_tickets(server):
    token = kiosk_token(1)
    first, mine = issue(server.url, token, "ID"), issue(server.url, token, "ID")
    phone, other = PhoneClient(server.url, mine["id"]), PhoneClient(server.url, first["id"])
    clerk = CounterClient(server.url, login(server.url, "clerk1"))
    try:
        assert phone.wait_for("ticket")[0]["ahead"] == 1
        clerk("open", {"centre": "TST", "counter": 1})
        assert clerk("call_next")["ticket"]["id"] == first["id"]
        phone.wait_for("ticket", lambda t: t["ahead"] == 0)
        assert clerk("call_next")["ticket"]["id"] == mine["id"]
        called = phone.wait_for("ticket", lambda t: t["status"] == "called")[0]
        assert called["counter"] == 1 and called["number"] == mine["number"]
        other.wait_for("ticket", lambda t: t["status"] == "done")
    finally:
        for client in (phone, other, clerk):
            client.close()
    assert {t["id"] for t in phone.of("ticket")} == {mine["id"]}
    assert {t["id"] for t in other.of("ticket")} == {first["id"]}


@pytest.mark.parametrize("auth", [{"ticket": "no-such-ticket"}, {}, {"ticket": 5}])
def test_a_phone_for_an_unknown_ticket_is_refused(shared_server, auth):
    phone = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        phone.connect(
            shared_server.url, namespaces=["/ticket"], auth=auth, transports=["websocket"]
        )


def test_a_phone_on_one_process_hears_of_a_call_made_on_the_other(two_servers):  # noqa: F811
    a, b = two_servers
    issue(a.url, kiosk_token(1), "ID")
    mine = issue(a.url, kiosk_token(1), "ID")
    phone = PhoneClient(b.url, mine["id"])
    clerk = CounterClient(a.url, login(a.url, "clerk1"))
    try:
        assert phone.wait_for("ticket")[0]["ahead"] == 1
        clerk("open", {"centre": "TST", "counter": 1})
        clerk("call_next")
        phone.wait_for("ticket", lambda t: t["ahead"] == 0)
        clerk("call_next")
        phone.wait_for("ticket", lambda t: t["status"] == "called" and t["counter"] == 1)
    finally:
        phone.close()
        clerk.close()
