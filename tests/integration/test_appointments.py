"""Service by Appointment against the real server on SQLite and PostgreSQL: a rush on one slot,
idempotent replays, every error code of the contract over HTTP, check-in, and no-shows with
the clock running fast."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from queue_server.adapters.orm import SmsMessage
from tests.support.centres import KIOSK_TOKEN, OTHER_KIOSK_TOKEN
from tests.support.clients import login
from tests.support.server import ServerProcess

NAIROBI = ZoneInfo("Africa/Nairobi")


class Api:
    """The server's /api/v1 over one HTTP session per thread."""

    def __init__(self, base: str) -> None:
        self.base = f"{base}/api/v1"

    def __call__(
        self, method: str, path: str, token: str | None = None, **kw: object
    ) -> requests.Response:
        headers = dict(kw.pop("headers", {}) or {})  # type: ignore[call-overload]
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=30, **kw)  # type: ignore[arg-type]

    def book(
        self, start: str, service: str = "KRA", headers: dict | None = None, **fields: object
    ) -> requests.Response:
        body = {"service": service, "start": start, **fields}
        return self("POST", "/centres/TST/appointments", json=body, headers=headers)

    def first_free(self, service: str, day_index: int = 0, *, capacity: int = 0) -> dict:
        """The first free slot of a service on the `day_index`-th day with free places, or
        with `capacity` places on that day or a later one (which slots are left today
        depends on the hour the test runs)."""
        days = self("GET", f"/centres/TST/services/{service}/days").json()[day_index:]
        for day in days:
            slots = self("GET", f"/centres/TST/services/{service}/slots?date={day['date']}")
            for slot in slots.json():
                if slot["free"] and capacity in (0, slot["capacity"]):
                    return slot
            if not capacity:
                break
        raise AssertionError(f"no free {service} slot of capacity {capacity or 'any'}")


def error_of(response: requests.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_fifty_citizens_rushing_one_slot_of_two_get_exactly_two_places(server: ServerProcess):
    api = Api(server.url)
    slot = api.first_free("ID", capacity=2)  # ID's morning slots hold two
    answers: list[int] = []
    barrier = threading.Barrier(50)

    def one() -> None:
        barrier.wait()
        answers.append(api.book(slot["start"], "ID").status_code)

    threads = [threading.Thread(target=one) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201] * 2 + [409] * 48
    day = slot["start"][:10]
    listed = api("GET", f"/centres/TST/services/ID/slots?date={day}").json()
    assert next(s for s in listed if s["start"] == slot["start"])["free"] == 0
    staff = login(server.url, "clerk1")
    booked = api("GET", f"/centres/TST/appointments?date={day}", staff).json()
    assert [a["start"] for a in booked if a["start"] == slot["start"]] == [slot["start"]] * 2


def test_idempotent_replays_and_every_error_code(server: ServerProcess):
    api = Api(server.url)
    slot = api.first_free("KRA")
    key = {"Idempotency-Key": "phone-tap-1"}
    first = api.book(slot["start"], headers=key)
    again = api.book(slot["start"], headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and first.json()["status"] == "booked"
    assert error_of(api.book(slot["start"], "ID", headers=key)) == (409, "idempotency_key_reused")

    # Today's first slot (KRA has them all day) has begun at any hour the test runs.
    begun = datetime.now(NAIROBI).replace(hour=0, minute=0, second=0, microsecond=0)
    assert error_of(api.book(begun.isoformat())) == (422, "slot_past")
    assert error_of(api.book((begun + timedelta(minutes=7)).isoformat())) == (422, "no_such_slot")
    assert error_of(api.book(slot["start"], "BC")) == (422, "no_such_slot")
    assert error_of(api.book("2026-13-01T10:00")) == (422, "invalid_value")
    assert api.book(slot["start"], "NOPE").status_code == 404
    phone = {"phone": "0712345678"}
    assert error_of(api.book(slot["start"], **phone)) == (422, "consent_required")
    assert api.book(slot["start"], **phone, consent=True).status_code == 201
    assert error_of(api.book(slot["start"], **phone, consent=True)) == (409, "already_booked")
    assert api.book(slot["start"]).status_code == 201
    assert error_of(api.book(slot["start"])) == (409, "slot_full")  # three places, all taken
    assert error_of(api("GET", "/centres/TST/services/KRA/slots?date=tomorrow")) == (
        422,
        "invalid_date",
    )
    assert api("GET", "/centres/TST/services/KRA/slots?date=2099-01-01").json() == []

    ref = first.json()["ref"]
    assert api("POST", f"/appointments/{ref.lower()}/cancel").json()["status"] == "cancelled"
    assert error_of(api("POST", f"/appointments/{ref}/cancel")) == (409, "invalid_state")
    assert api.book(slot["start"]).status_code == 201  # the cancelled place is free again

    staff = login(server.url, "clerk1")
    assert error_of(api("GET", "/centres/TST/appointments")) == (401, "no_credentials")
    assert api("GET", "/centres/TST/appointments", staff).status_code == 200
    closing = {"date": slot["start"][:10], "reason": "Staff training"}
    assert (
        api("POST", "/centres/TST/services/KRA/closed-days", staff, json=closing).status_code == 403
    )
    boss = login(server.url, "boss")
    closed = api("POST", "/centres/TST/services/KRA/closed-days", boss, json=closing)
    assert closed.status_code == 201 and closed.json()["cancelled"] == 3
    assert api("GET", f"/appointments/{ref}").json()["status"] == "cancelled"

    for attempt in range(20):
        assert error_of(api("GET", f"/appointments/0000-{attempt:04d}")) == (
            404,
            "unknown_appointment",
        )
    assert error_of(api("GET", "/appointments/0000-0099"))[0] == 429
    metrics = requests.get(f"{server.url}/metrics", timeout=10).text
    assert 'queue_appointments{state="cancelled"} 4.0' in metrics


def test_check_in_inside_before_and_after_the_window(server: ServerProcess):
    api = Api(server.url)
    soon = api.book(api.first_free("KRA")["start"]).json()
    checked = api("POST", f"/centres/TST/appointments/{soon['ref']}/check-in", KIOSK_TOKEN)
    assert checked.status_code == 201
    ticket = checked.json()
    assert (ticket["appointment"], ticket["late"], ticket["number"]) == (soon["ref"], False, "K001")
    again = api("POST", f"/centres/TST/appointments/{soon['ref']}/check-in", KIOSK_TOKEN)
    assert again.status_code == 200 and again.json()["id"] == ticket["id"]
    assert api("GET", f"/appointments/{soon['ref']}").json()["ticket"] == ticket["id"]

    # Two days on: a day away at the least, whatever the hour (tomorrow's first slot can be
    # within the check-in window late in the evening).
    later = api.book(api.first_free("KRA", day_index=2)["start"]).json()
    early = api("POST", f"/centres/TST/appointments/{later['ref']}/check-in", KIOSK_TOKEN)
    assert error_of(early) == (409, "too_early")
    other = api("POST", f"/centres/OTH/appointments/{later['ref']}/check-in", OTHER_KIOSK_TOKEN)
    assert error_of(other) == (404, "unknown_appointment")
    assert api("POST", f"/centres/TST/appointments/{later['ref']}/check-in").status_code == 401


def test_with_the_clock_running_fast_a_missed_slot_becomes_a_no_show(db_url, config_file, tmp_path):
    # 600 times faster: a quarter of an hour passes in under two seconds.
    server = ServerProcess(db_url, tmp_path, config=config_file, env={"QUEUE_TIME_SCALE": "600"})
    server.start()
    try:
        api = Api(server.url)
        missed = api.book(api.first_free("KRA")["start"]).json()
        deadline = time.monotonic() + 30
        status = "booked"
        while status == "booked" and time.monotonic() < deadline:
            status = api("GET", f"/appointments/{missed['ref']}").json()["status"]
        assert status == "no_show"
        staff = login(server.url, "clerk1")
        day = missed["start"][:10]
        listed = api("GET", f"/centres/TST/appointments?date={day}", staff).json()
        assert [(a["ref"], a["status"]) for a in listed] == [(missed["ref"], "no_show")]
        late = api("POST", f"/centres/TST/appointments/{missed['ref']}/check-in", KIOSK_TOKEN)
        assert late.status_code == 201 and late.json()["late"] is True

        # Reminders follow the server's clock: a day and two hours before the slot.
        ahead = api.first_free("KRA", day_index=2)
        reminded = api.book(ahead["start"], phone="0712345678", consent=True).json()
        start = datetime.fromisoformat(reminded["start"])
        assert due_reminders(db_url, reminded["ref"]) == [
            start - timedelta(days=1),
            start - timedelta(hours=2),
        ]
    finally:
        server.kill()


def due_reminders(db_url: str, ref: str) -> list[datetime]:
    """When the server's SMS outbox holds the reminders of a booking due, in order."""
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            return list(
                session.scalars(
                    select(SmsMessage.next_try_at)
                    .where(
                        SmsMessage.purpose == "appointment_reminder",
                        SmsMessage.subject.like(f"appointment:{ref.replace('-', '')}:%"),
                    )
                    .order_by(SmsMessage.next_try_at)
                )
            )
    finally:
        engine.dispose()
