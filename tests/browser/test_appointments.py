"""Service by Appointment in Chromium: the booking page from the service to the ref in both
languages (and a time filled meanwhile), and the kiosk's check-in on its keypad; axe-core on
every screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    Browsing,
    assert_accessible,
    assert_touch_targets,
    sign_in_at_counter,
)
from tests.support.centres import KIOSK_TOKEN, make_config_file
from tests.support.databases import database_url
from tests.support.server import ServerProcess
from tests.support.zones import daytime_zone, in_zone

REF = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The usual server with the test centre where it is mid-morning (overrides the usual one).

    Today then has slots to come at whatever hour the tests run, so what is booked for the
    first free slot is today's, and in the check-in window or before it as each test needs.
    """
    with database_url("sqlite", tmp_path) as url:
        config = make_config_file(tmp_path, in_zone(daytime_zone()))
        server = ServerProcess(url, tmp_path, config=config)
        server.start()
        yield server
        server.kill()


def api(server: ServerProcess, path: str, method: str = "GET", **kw: object) -> requests.Response:
    return requests.request(method, f"{server.url}/api/v1{path}", timeout=10, **kw)  # type: ignore[arg-type]


def first_free_slot(server: ServerProcess, service: str = "KRA") -> dict:
    """The first free slot of a service (the test centre's KRA has slots all day)."""
    day = api(server, f"/centres/TST/services/{service}/days").json()[0]["date"]
    slots = api(server, f"/centres/TST/services/{service}/slots?date={day}").json()
    return next(s for s in slots if s["free"])


def book_api(server: ServerProcess, start: str, service: str = "KRA") -> dict:
    response = api(
        server, "/centres/TST/appointments", "POST", json={"service": service, "start": start}
    )
    assert response.status_code == 201, response.text
    return response.json()


def choose_first(page: Page, container: str) -> None:
    page.locator(f"#{container} button").first.click()


def test_booking_page_from_service_to_ref_in_english(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    page = browsing.open("track", "/book/TST", bypass_csp=True)
    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
    expect(page.locator("#centre-name")).to_have_text("Huduma Centre Test")
    services = page.locator("#services button")
    expect(services).to_have_count(2)  # ID and KRA have slots; BC and the closed one do not
    assert_accessible(page, "book: services")
    assert_touch_targets(page, "book: services")

    page.get_by_role("button", name="KRA PIN").click()
    expect(page.get_by_role("heading", name="Choose a day")).to_be_visible()
    expect(page.locator("#days button").first).to_contain_text("free")
    assert_accessible(page, "book: days")
    choose_first(page, "days")
    expect(page.get_by_role("heading", name="Choose a time")).to_be_visible()
    assert_accessible(page, "book: times")
    assert_touch_targets(page, "book: times")
    choose_first(page, "slots")

    expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
    consent = page.get_by_label("Yes, send me SMS")
    expect(consent).not_to_be_checked()
    page.get_by_label("Phone number (optional)").fill("0712 345 678")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Tick the box"))
    assert_accessible(page, "book: details with an error")
    consent.check()
    page.get_by_role("button", name="Book this time").click()

    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
    ref = page.locator("#ref").inner_text()
    assert REF.match(ref)
    assert api(live_server, f"/appointments/{ref}").json()["status"] == "booked"
    expect(page.locator("#ref-qr")).to_have_js_property("complete", True)
    assert page.locator("#ref-qr").evaluate("(img) => img.naturalWidth") > 0
    calendar = requests.get(
        f"{live_server.url}{page.locator('#ics').get_attribute('href')}", timeout=10
    )
    assert calendar.headers["Content-Type"].startswith("text/calendar")
    assert calendar.text.startswith("BEGIN:VCALENDAR\r\n") and f"({ref})" in calendar.text
    expect(page.locator("#checkin-hint")).to_contain_text("from 60 minutes before")
    assert_accessible(page, "book: booked")
    assert_touch_targets(page, "book: booked")

    page.get_by_role("button", name="Cancel this booking").click()
    page.get_by_role("button", name="Yes, cancel it").click()
    expect(page.locator("#done-status")).to_have_text("This booking is cancelled.")
    assert api(live_server, f"/appointments/{ref}").json()["status"] == "cancelled"


def test_booking_page_in_kiswahili(browsing: Browsing, live_server: ServerProcess) -> None:
    page = browsing.open("track", "/book/TST", bypass_csp=True)
    page.get_by_role("button", name="Kiswahili").click()
    expect(page.get_by_role("heading", name="Weka miadi")).to_be_visible()
    page.get_by_role("button", name="Kitambulisho cha Taifa").click()
    expect(page.get_by_role("heading", name="Chagua siku")).to_be_visible()
    expect(page.locator("#days button").first).to_contain_text("nafasi")
    choose_first(page, "days")
    expect(page.get_by_role("heading", name="Chagua saa")).to_be_visible()
    choose_first(page, "slots")
    page.get_by_role("button", name="Weka saa hii").click()
    expect(page.get_by_role("heading", name="Miadi yako imewekwa")).to_be_visible()
    ref = page.locator("#ref").inner_text()
    assert REF.match(ref)
    booked = api(live_server, f"/appointments/{ref}").json()
    assert (booked["service"], booked["status"]) == ("ID", "booked")
    expect(page.get_by_role("button", name="Ghairi miadi hii")).to_be_visible()
    assert_accessible(page, "book: booked, in Kiswahili")


def test_a_time_filled_meanwhile_offers_the_nearest_free_ones(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    page = browsing.open("track", "/book/TST", bypass_csp=True)
    page.get_by_role("button", name="KRA PIN").click()
    choose_first(page, "days")
    chosen = page.locator("#slots button").first.locator(".choice-name").inner_text()
    choose_first(page, "slots")
    slot = first_free_slot(live_server)
    assert slot["start"][11:16] == chosen[:5]
    for _ in range(slot["free"]):  # others take every place left
        book_api(live_server, slot["start"])
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("just been filled"))
    offered = page.locator("#slots button")
    expect(offered).to_have_count(3)
    expect(offered.first).not_to_contain_text(chosen)
    assert_accessible(page, "book: nearest free times")
    offered.first.click()
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", name="You are booked")).to_be_visible()


def test_kiosk_checks_in_a_ref_typed_on_its_keypad(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    booked = book_api(live_server, first_free_slot(live_server)["start"])
    page = browsing.open("kiosk", f"/kiosk/TST?token={KIOSK_TOKEN}", bypass_csp=True)
    page.get_by_role("button", name="I have an appointment").click()
    expect(page.get_by_role("heading", name="Check in for your appointment")).to_be_visible()
    check_in = page.get_by_role("button", name="Check in", exact=True)
    expect(check_in).to_be_disabled()
    assert_accessible(page, "kiosk: appointment keypad")
    assert_touch_targets(page, "kiosk: appointment keypad")

    for key in "0000000":
        page.get_by_role("button", name=key, exact=True).click()
    page.get_by_role("button", name="Z", exact=True).click()
    expect(page.locator("#ref-typed")).to_have_text("0000-000Z")
    check_in.click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("cannot find this ref"))

    for _ in range(8):
        page.get_by_role("button", name="Delete").click()
    expect(page.locator("#ref-typed")).to_have_text("····-····")
    for key in booked["ref"].replace("-", ""):
        page.get_by_role("button", name=key, exact=True).click()
    check_in.click()
    expect(page.locator("#ticket-number")).to_have_text("K001")
    expect(page.locator("#ticket-appointment")).to_have_text(f"Appointment {booked['ref']}")
    assert api(live_server, f"/appointments/{booked['ref']}").json()["status"] == "checked_in"
    assert_accessible(page, "kiosk: appointment ticket")

    # In Kiswahili, from a scanner typing the ref: the same ticket again.
    page.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Kiswahili").click()
    page.get_by_role("button", name="Nina miadi").click()
    page.keyboard.type(booked["ref"].lower())
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-number")).to_have_text("K001")
    expect(page.locator("#ticket-appointment")).to_have_text(f"Miadi {booked['ref']}")
    expect(page.locator("#ticket-priority")).to_be_hidden()


def test_the_counter_page_lists_todays_appointments(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    coming = book_api(live_server, first_free_slot(live_server)["start"])
    arrived = book_api(live_server, first_free_slot(live_server)["start"])
    api(
        live_server,
        f"/centres/TST/appointments/{arrived['ref']}/check-in",
        "POST",
        headers={"Authorization": f"Bearer {KIOSK_TOKEN}"},
    )
    page = browsing.open("counter", "/counter/", bypass_csp=True)
    sign_in_at_counter(page, 4, username="clerk2")  # ID, BC and KRA
    rows = page.locator("#appointments tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#appointments tr", has_text=coming["ref"])).to_contain_text("Booked")
    expect(page.locator("#appointments tr", has_text=arrived["ref"])).to_contain_text("Checked in")
    assert_accessible(page, "counter with today's appointments")
