"""The real server process with real clients: a ticket's whole visit, and the hall screen."""

from __future__ import annotations

import pytest
import requests
import socketio

from tests.support.centres import KIOSK_TOKEN
from tests.support.clients import CounterClient, DisplayClient, issue, login


@pytest.fixture
def clerk(server):
    client = CounterClient(server.url, login(server.url, "clerk1"))
    yield client
    client.close()


@pytest.fixture
def display(server):
    client = DisplayClient(server.url)
    yield client
    client.close()


def test_a_visit_from_kiosk_to_counter_is_seen_on_the_display(server, clerk, display):
    snapshot = display.wait_for("snapshot")[0]
    assert snapshot["centre"] == "TST" and snapshot["now_serving"] == []
    assert snapshot["waiting"]["ID"] == 0
    ticket = issue(server.url, KIOSK_TOKEN, "ID", language="sw")
    assert (ticket["number"], ticket["status"], ticket["position"]) == ("A001", "waiting", 1)
    display.wait_for("queue_changed", lambda d: d["service"] == "ID" and d["waiting"] == 1)

    opened = clerk("open", {"centre": "TST", "counter": 2})
    assert opened == {
        "ok": True,
        "counter": {"number": 2, "services": ["ID", "BC"], "state": "open", "ticket": None},
    }
    called = clerk("call_next")
    assert (
        called["ok"] and called["ticket"]["number"] == "A001" and called["ticket"]["counter"] == 2
    )
    shown = display.wait_for("ticket_called")[0]
    assert shown["number"] == "A001" and shown["counter"] == 2 and shown["recall"] is False
    assert shown["service"] == "ID" and shown["called_at"].endswith("+03:00")

    assert clerk("recall")["ok"]
    display.wait_for("ticket_called", lambda d: d["recall"] is True)
    assert clerk("start")["ticket"]["status"] == "serving"
    tracked = requests.get(f"{server.url}/api/v1/tickets/{ticket['id']}", timeout=5).json()
    assert (tracked["status"], tracked["counter"], tracked["position"]) == ("serving", 2, None)
    assert clerk("complete")["ticket"]["status"] == "done"
    refused = clerk("complete")
    assert refused["ok"] is False and refused["error"]["code"] == "invalid_state"


def test_a_counter_hears_only_the_queues_it_serves(server, clerk):
    clerk("open", {"centre": "TST", "counter": 2})  # ID and BC
    issue(server.url, KIOSK_TOKEN, "KRA")
    issue(server.url, KIOSK_TOKEN, "ID")
    clerk.wait_for("queue_changed", lambda d: d["service"] == "ID" and d["waiting"] == 1)
    # Each process emits in order, so KRA's figures would have come first.
    assert {d["service"] for d in clerk.of("queue_changed")} <= {"ID", "BC"}

    heard_of_id = len([d for d in clerk.of("queue_changed") if d["service"] == "ID"])
    clerk("open", {"centre": "TST", "counter": 5})  # KRA only, from now on
    issue(server.url, KIOSK_TOKEN, "ID")
    issue(server.url, KIOSK_TOKEN, "KRA")
    clerk.wait_for("queue_changed", lambda d: d["service"] == "KRA" and d["waiting"] == 2)
    assert len([d for d in clerk.of("queue_changed") if d["service"] == "ID"]) == heard_of_id


def test_no_show_and_transfer_keep_the_number(server, clerk, display):
    first = issue(server.url, KIOSK_TOKEN, "ID")
    issue(server.url, KIOSK_TOKEN, "ID")
    clerk("open", {"centre": "TST", "counter": 1})
    clerk("call_next")
    assert clerk("no_show")["ticket"]["status"] == "no_show"
    assert clerk("call_next")["ticket"]["number"] == "A002"
    moved = clerk("transfer", {"service": "KRA"})
    assert (
        moved["ok"] and moved["ticket"]["number"] == "A002" and moved["ticket"]["service"] == "KRA"
    )
    display.wait_for("queue_changed", lambda d: d["service"] == "KRA" and d["waiting"] == 1)
    kra = CounterClient(server.url, login(server.url, "clerk2"))
    try:
        kra("open", {"centre": "TST", "counter": 5})
        assert kra("call_next")["ticket"]["number"] == "A002"
    finally:
        kra.close()
    display.wait_for("ticket_called", lambda d: d["number"] == "A002" and d["counter"] == 5)
    assert (
        requests.get(f"{server.url}/api/v1/tickets/{first['id']}", timeout=5).json()["status"]
        == "no_show"
    )


def test_queue_empty_pause_and_resume(server, clerk):
    clerk("open", {"centre": "TST", "counter": 3})
    empty = clerk("call_next")
    assert empty == {
        "ok": False,
        "error": {"code": "queue_empty", "message": empty["error"]["message"]},
    }
    assert clerk("pause")["counter"]["state"] == "paused"
    issue(server.url, KIOSK_TOKEN, "BC")
    assert clerk("call_next")["error"]["code"] == "invalid_state"
    assert clerk("resume")["counter"]["state"] == "open"
    assert clerk("call_next")["ticket"]["number"] == "B001"


def test_the_display_gets_a_full_snapshot_on_every_reconnect(server, clerk):
    issue(server.url, KIOSK_TOKEN, "BC")
    issue(server.url, KIOSK_TOKEN, "BC")
    clerk("open", {"centre": "TST", "counter": 3})
    clerk("call_next")
    display = DisplayClient(server.url, reconnection=True)
    try:
        first = display.wait_for("snapshot")[0]
        assert (
            first["now_serving"][0]["number"] == "B001" and first["now_serving"][0]["counter"] == 3
        )
        assert first["waiting"]["BC"] == 1
        server.kill()
        server.start()
        second = display.wait_for("snapshot", count=2)[1]
        assert (
            second["now_serving"] == first["now_serving"] and second["waiting"] == first["waiting"]
        )
    finally:
        display.close()


def test_a_ticket_page_hears_of_its_own_ticket(server, clerk):
    ticket = issue(server.url, KIOSK_TOKEN, "ID")
    page = DisplayClient(server.url, ticket=ticket["id"])
    try:
        clerk("open", {"centre": "TST", "counter": 1})
        clerk("call_next")
        assert page.wait_for("ticket_changed")[0] == {"id": ticket["id"], "status": "called"}
    finally:
        page.close()


def test_sockets_refuse_missing_or_wrong_credentials(server):
    for auth in (None, {}, {"token": "nonsense"}, {"token": KIOSK_TOKEN}):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(
                server.url,
                namespaces=["/counter"],
                auth=auth,
                transports=["websocket"],
                wait_timeout=5,
            )
    for auth in (None, {"centre": "NOPE"}, {"centre": 7}):
        client = socketio.Client(reconnection=False)
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(
                server.url,
                namespaces=["/display"],
                auth=auth,
                transports=["websocket"],
                wait_timeout=5,
            )


def test_counter_events_validate_their_payloads(server, clerk):
    assert clerk("call_next")["error"]["code"] == "counter_not_open"
    for bad in (
        [],
        "TST",
        {"centre": "TST"},
        {"centre": "TST", "counter": "1"},
        {"centre": "TST", "counter": 0},
    ):
        answer = clerk("open", bad)
        assert answer["ok"] is False and answer["error"]["code"] in ("malformed", "invalid_value")
    assert clerk("open", {"centre": "NOPE", "counter": 1})["error"]["code"] == "unknown_centre"
    assert clerk("open", {"centre": "OTH", "counter": 1})["error"]["code"] == "forbidden"
    assert clerk("open", {"centre": "TST", "counter": 1})["ok"]
    assert clerk("transfer", {"service": 5})["error"]["code"] == "invalid_value"
    assert clerk("transfer", {})["error"]["code"] == "invalid_value"
