"""Every page, in each of its states, passes axe-core without serious or critical
violations, names every control, and gives fingers targets of at least 44 px."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.pages import (
    CONTRACT_BUTTONS,
    Browsing,
    assert_accessible,
    assert_touch_targets,
    issue_ticket,
    sign_in_at_counter,
)
from tests.support.centres import KIOSK_TOKEN
from tests.support.server import ServerProcess


def test_every_page_is_accessible_in_each_state(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    display = browsing.open("display", "/display/TST", bypass_csp=True)
    expect(display.get_by_text("Please wait for your number")).to_be_visible()
    assert_accessible(display, "display before any call")
    check_kiosk_and_track(browsing)
    check_counter_and_display(browsing, live_server, display)


def check_kiosk_and_track(browsing: Browsing) -> None:
    """The kiosk's screens, then the track page of the ticket it issued, waiting and called."""
    kiosk = browsing.open("kiosk", f"/kiosk/TST?token={KIOSK_TOKEN}", bypass_csp=True)
    expect(kiosk.get_by_role("button", name="Registration of Persons")).to_be_visible()
    assert_accessible(kiosk, "kiosk start")
    assert_touch_targets(kiosk, "kiosk start")
    kiosk.get_by_role("button", name="Priority service").click()
    assert_accessible(kiosk, "kiosk priority")
    kiosk.get_by_role("button", name="Back").click()
    kiosk.get_by_role("button", name="Other").click()
    expect(kiosk.get_by_role("button", name="Closed service")).to_be_visible()
    assert_accessible(kiosk, "kiosk services with a closed one")
    assert_touch_targets(kiosk, "kiosk services")
    kiosk.get_by_role("button", name="Back").click()
    kiosk.get_by_role("button", name="Kiswahili").click()
    kiosk.get_by_role("button", name="Usajili wa Watu").click()
    kiosk.get_by_role("button", name="Kitambulisho cha Taifa").click()
    expect(kiosk.get_by_role("heading", name="SMS zamu yako ikikaribia?")).to_be_visible()
    assert_accessible(kiosk, "kiosk phone step, in Kiswahili")
    assert_touch_targets(kiosk, "kiosk phone step")
    kiosk.get_by_role("button", name="Bila SMS, pata tiketi").click()
    expect(kiosk.locator("#ticket-number")).to_have_text("A001")
    assert_accessible(kiosk, "kiosk ticket, in Kiswahili")
    assert_touch_targets(kiosk, "kiosk ticket")
    ticket_id = str(kiosk.locator("#ticket-qr").get_attribute("src")).split("/")[2]

    phone = browsing.open("track", f"/track/{ticket_id}", bypass_csp=True)
    expect(phone.locator("#state")).to_have_text("Unasubiri")
    assert_accessible(phone, "track, waiting")
    assert_touch_targets(phone, "track")
    counter = browsing.open("counter", "/counter/")
    sign_in_at_counter(counter, 1, username="clerk3")
    counter.get_by_role("button", name="Call next").click()
    expect(phone.get_by_role("alert")).to_be_visible()
    assert_accessible(phone, "track, called")


def check_counter_and_display(
    browsing: Browsing, live_server: ServerProcess, display: Page
) -> None:
    """The counter page signing in and serving; the display with a call and its sound switch."""
    issue_ticket(live_server, "KRA")
    counter = browsing.open("counter", "/counter/", bypass_csp=True)
    expect(counter.get_by_role("button", name="Sign in")).to_be_visible()
    assert_accessible(counter, "counter sign-in")
    assert_touch_targets(counter, "counter sign-in")
    counter.get_by_label("Username").fill("clerk2")
    counter.get_by_label("Password").fill("wrong password")
    counter.get_by_role("button", name="Sign in").click()
    expect(counter.get_by_role("alert")).to_have_text("Wrong username or password.")
    assert_accessible(counter, "counter sign-in refused")

    sign_in_at_counter(counter, 5, username="clerk2")
    counter.get_by_role("button", name="Call next").click()
    expect(counter.locator("#ticket-number")).to_have_text("K001")
    for name in CONTRACT_BUTTONS:
        expect(counter.get_by_role("button", name=name, exact=True)).to_have_count(1)
    expect(counter.get_by_label("Transfer to")).to_be_visible()
    assert_accessible(counter, "counter serving")
    assert_touch_targets(counter, "counter serving")

    expect(display.locator("#latest-number")).to_have_text("K001")
    display.evaluate("() => { document.getElementById('enable-sound').hidden = false; }")
    sound = display.get_by_role("button", name="Tap to enable sound / Gusa kuwasha sauti")
    expect(sound).to_be_visible()
    assert_accessible(display, "display with a call and the sound switch")
    assert_touch_targets(display, "display")
