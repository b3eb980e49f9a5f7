"""Feedback, a paused service, the supervisor's hall and the reports, on the real server.

The day is built through the API by the test itself, so the report's expected figures come
from the test's own actions (the times from the tickets the server returned).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests
import socketio

from tests.support.centres import KIOSK_TOKEN, make_config_file
from tests.support.clients import CounterClient, DisplayClient, _EventLog, issue, login
from tests.support.databases import BACKENDS, database_url
from tests.support.feedback import FEEDBACK_CONFIG, FEEDBACK_TOKEN, SUPERVISOR
from tests.support.server import ServerProcess

API = "/api/v1"
REASON = {"en": "The registration system is offline.", "sw": "Mfumo wa usajili haupatikani."}


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder: Path = tmp_path_factory.mktemp(f"feedback-{request.param}")
    with database_url(request.param, folder) as url:
        process = ServerProcess(url, folder, config=make_config_file(folder, FEEDBACK_CONFIG))
        process.start()
        yield process
        process.kill()


class SupervisorClient(_EventLog):
    """A supervisor's live hall on /supervisor."""

    def __init__(self, base: str, token: str, centre: str = "TST") -> None:
        super().__init__()
        self.sio = socketio.Client(reconnection=False)
        for name in ("hall", "service_changed", "money_asked"):
            self.sio.on(name, self._keeper(name), namespace="/supervisor")
        self.sio.connect(
            base,
            namespaces=["/supervisor"],
            auth={"token": token, "centre": centre},
            transports=["websocket"],
        )

    def close(self) -> None:
        self.sio.disconnect()


def call(server, method, path, token=None, **kw) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{server.url}{API}{path}", headers=headers, timeout=10, **kw)


def code(response: requests.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_day_through_the_api_is_what_the_reports_say(server):
    boss, supervisor = login(server.url, "boss"), login(server.url, SUPERVISOR)
    clerk = CounterClient(server.url, login(server.url, "clerk2"))
    hall = SupervisorClient(server.url, supervisor)
    try:
        first = hall.wait_for("hall")[0]
        assert first["centre"] == "TST" and {s["code"] for s in first["services"]} >= {"KRA"}
        # Three KRA tickets: one served and rated, one absent, one left waiting.
        tickets = [issue(server.url, KIOSK_TOKEN, "KRA") for _ in range(3)]
        assert clerk("open", {"centre": "TST", "counter": 5})["ok"]
        served = clerk("call_next")["ticket"]
        assert clerk("complete")["ok"]
        absent = clerk("call_next")["ticket"]
        assert clerk("no_show")["ok"]
        rated = call(
            server,
            "POST",
            f"/tickets/{served['id']}/feedback",
            json={"rating": 2, "fee": "more", "asked_for_money": "yes", "wait_ok": False},
        )
        assert rated.status_code == 201
        alert = hall.wait_for("money_asked")[0]
        assert (alert["number"], alert["service"], alert["counter"]) == (served["number"], "KRA", 5)
        live = hall.sio.call("hall", {}, namespace="/supervisor", timeout=10)["hall"]
        kra = next(s for s in live["services"] if s["code"] == "KRA")
        assert kra["waiting"] == 1 and not kra["alert"]
        assert next(c for c in live["counters"] if c["number"] == 5)["clerk"] == "clerk2"

        day = tickets[0]["issued_at"][:10]
        query = {"from": day, "to": day}
        rows = call(server, "GET", "/centres/TST/reports/services", supervisor, params=query)
        assert rows.status_code == 200
        [row] = [r for r in rows.json() if r["service"] == "KRA"]
        waits = sorted(
            (at(t["called_at"]) - at(t["issued_at"])).total_seconds() for t in (served, absent)
        )
        assert {k: row[k] for k in ("date", "issued", "served", "no_show", "feedback")} == {
            "date": day,
            "issued": 3,
            "served": 1,
            "no_show": 1,
            "feedback": 1,
        }
        assert abs(row["wait_p50_s"] - waits[0]) <= 1 and abs(row["wait_p90_s"] - waits[1]) <= 1
        assert (row["rating_mean"], row["fee_more_pct"], row["asked_money_pct"]) == (2, 100, 100)

        text = call(
            server,
            "GET",
            "/centres/TST/reports/services",
            supervisor,
            params={**query, "format": "csv"},
        )
        assert text.headers["Content-Type"].startswith("text/csv")
        assert_csv_matches(text.text, rows.json())

        counters = call(server, "GET", "/centres/TST/reports/counters", supervisor, params=query)
        [at5] = [r for r in counters.json() if r["counter"] == 5]
        assert (at5["clerk"], at5["served"], at5["feedback"], at5["rating_mean"]) == (
            "clerk2",
            1,
            None,  # hidden below 20 answers
            None,
        )
        csv_counters = call(
            server,
            "GET",
            "/centres/TST/reports/counters",
            supervisor,
            params={**query, "format": "csv"},
        )
        assert_csv_matches(csv_counters.text, counters.json())

        national = call(server, "GET", "/reports/centres", boss, params=query)
        [tst] = [r for r in national.json() if r["centre"] == "TST"]
        assert tst["issued"] >= 3 and tst["served"] >= 1
        assert code(call(server, "GET", "/reports/centres", supervisor, params=query)) == (
            403,
            "forbidden",
        )
    finally:
        clerk.close()
        hall.close()


def assert_csv_matches(text: str, rows: list[dict]) -> None:
    """The CSV holds the JSON's rows, field by field (null as an empty field)."""
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == len(rows)
    for line, row in zip(parsed, rows, strict=True):
        assert list(line) == list(row)
        for key, value in row.items():
            assert line[key] == ("" if value is None else str(value)), key


def test_feedback_errors(server):
    waiting = issue(server.url, KIOSK_TOKEN, "BC")
    path = f"/tickets/{waiting['id']}/feedback"
    assert code(call(server, "POST", path, json={"rating": 4})) == (409, "not_served")
    assert code(call(server, "POST", "/tickets/nosuchticket0000/feedback", json={"rating": 4})) == (
        404,
        "unknown_ticket",
    )
    for bad in ({"rating": 6}, {"rating": 0}, {"rating": "5"}, {"rating": True}, {}):
        assert code(call(server, "POST", path, json=bad)) == (422, "invalid_value"), bad
    for bad in ({"rating": 3, "fee": "bribe"}, {"rating": 3, "comment": "x" * 501}):
        assert code(call(server, "POST", path, json=bad)) == (422, "invalid_value"), bad
    assert code(call(server, "POST", path, data="rating=3")) == (400, "malformed")
    clerk = CounterClient(server.url, login(server.url, "clerk3"))
    try:
        clerk("open", {"centre": "TST", "counter": 3})
        while clerk("call_next")["ticket"]["id"] != waiting["id"]:
            clerk("complete")
        clerk("complete")
    finally:
        clerk.close()
    assert call(server, "POST", path, json={"rating": 5, "comment": "Asante!"}).status_code == 201
    assert code(call(server, "POST", path, json={"rating": 1})) == (409, "feedback_given")


def test_the_tablet_is_bound_to_a_feedback_device(server):
    path = "/centres/TST/counters/4/feedback"
    assert call(server, "GET", path).status_code == 401
    assert code(call(server, "GET", path, KIOSK_TOKEN)) == (403, "forbidden")
    assert code(call(server, "GET", "/centres/TST/counters/99/feedback", FEEDBACK_TOKEN)) == (
        404,
        "unknown_counter",
    )
    assert code(call(server, "GET", "/centres/OTH/counters/1/feedback", FEEDBACK_TOKEN)) == (
        403,
        "forbidden",
    )
    ticket = issue(server.url, KIOSK_TOKEN, "KRA")
    clerk = CounterClient(server.url, login(server.url, "clerk4"))
    try:
        clerk("open", {"centre": "TST", "counter": 4})
        while clerk("call_next")["ticket"]["id"] != ticket["id"]:
            clerk("complete")
        clerk("complete")
    finally:
        clerk.close()
    asked = call(server, "GET", path, FEEDBACK_TOKEN).json()["ticket"]
    assert (asked["id"], asked["number"]) == (ticket["id"], ticket["number"])
    assert call(server, "POST", f"/tickets/{asked['id']}/feedback", json={"rating": 5}).ok
    assert call(server, "GET", path, FEEDBACK_TOKEN).json()["ticket"] is None


def test_a_paused_service_is_closed_on_kiosks_and_told_to_screens(server):
    supervisor, clerk = login(server.url, SUPERVISOR), login(server.url, "clerk1")
    display = DisplayClient(server.url)
    counter = CounterClient(server.url, clerk)
    try:
        display.wait_for("snapshot")
        display.sio.on("service_changed", display._keeper("service_changed"), namespace="/display")
        counter.sio.on("service_changed", counter._keeper("service_changed"), namespace="/counter")
        assert counter("open", {"centre": "TST", "counter": 1})["ok"]
        pause = "/centres/TST/services/ID/pause"
        assert code(call(server, "POST", pause, json={"reason": REASON})) == (401, "no_credentials")
        assert code(call(server, "POST", pause, clerk, json={"reason": REASON})) == (
            403,
            "forbidden",
        )
        assert code(call(server, "POST", pause, supervisor, json={"reason": {"en": "x"}})) == (
            422,
            "invalid_value",
        )
        assert (
            code(
                call(
                    server,
                    "POST",
                    "/centres/TST/services/NOPE/pause",
                    supervisor,
                    json={"reason": REASON},
                )
            )[0]
            == 404
        )
        paused = call(server, "POST", pause, supervisor, json={"reason": REASON})
        assert paused.json() == {"service": "ID", "open": False, "paused_reason": REASON}
        expected = {"service": "ID", "open": False, "paused_reason": REASON}
        assert display.wait_for("service_changed")[0] == expected
        assert counter.wait_for("service_changed")[0] == expected
        refused = call(server, "POST", "/centres/TST/tickets", KIOSK_TOKEN, json={"service": "ID"})
        assert code(refused) == (409, "service_paused")
        listed = call(server, "GET", "/centres/TST/services").json()
        assert next(s for s in listed if s["code"] == "ID")["paused_reason"] == REASON
        assert code(call(server, "POST", pause, supervisor, json={"reason": REASON}))[0] == 409
        resumed = call(server, "POST", "/centres/TST/services/ID/resume", supervisor)
        assert resumed.json() == {"service": "ID", "open": True, "paused_reason": None}
        display.wait_for("service_changed", lambda d: d["open"])
        assert issue(server.url, KIOSK_TOKEN, "ID")["status"] == "waiting"
    finally:
        display.close()
        counter.close()


def test_only_supervisors_watch_the_hall(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        SupervisorClient(server.url, login(server.url, "clerk1"))
    with pytest.raises(socketio.exceptions.ConnectionError):
        SupervisorClient(server.url, login(server.url, "othersuper"))
    assert (
        code(
            call(
                server,
                "GET",
                "/centres/TST/reports/services?from=2026-01-01&to=x",
                login(server.url, SUPERVISOR),
            )
        )[0]
        == 422
    )
