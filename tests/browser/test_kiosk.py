"""The kiosk: issuing in English and Kiswahili, the priority path, closed services, going
back to the start when idle, retrying without ever making a second ticket, and saying so
plainly when the server or the printer cannot be reached."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Route, expect

from tests.browser.pages import Browsing, ticket, waiting
from tests.support.centres import KIOSK_TOKEN, kiosk_token
from tests.support.server import ServerProcess

TOKEN_KEY = "huduma.kiosk.token:TST"
FAULTY_PRINTER = {
    "name": "kiosk-3",
    "kind": "kiosk",
    "centre": "TST",
    "printer": {
        "url_kind": "tcp",
        "state": "fault",
        "online": False,
        "paper": "unknown",
        "cover_open": None,
        "last_error": "connection refused",
        "checked_at": None,
        "pending_jobs": 1,
    },
}
"""GET /devices/me for a kiosk whose network printer does not answer."""


def choose(page: Page, category: str, service: str) -> None:
    """Touch a category, then a service, then "no SMS" on the optional phone step."""
    page.get_by_role("button", name=category, exact=True).click()
    page.get_by_role("button", name=service, exact=True).click()
    page.locator("#phone-skip").click()


def shown_ticket_id(page: Page) -> str:
    """The id of the ticket on the screen, read from its QR code's address."""
    qr = page.locator("#ticket-qr")
    expect(qr).to_have_attribute("src", re.compile(r"^/track/[\w-]+/qr\.svg$"))
    return str(qr.get_attribute("src")).split("/")[2]


def test_kiosk_binds_its_device_and_issues_in_english(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    page = browsing.open("kiosk", f"/kiosk/TST?token={KIOSK_TOKEN}")

    expect(page).to_have_url(f"{live_server.url}/kiosk/TST")
    assert page.evaluate(f"() => localStorage.getItem('{TOKEN_KEY}')") == KIOSK_TOKEN
    expect(page.locator("#centre-name")).to_have_text("Huduma Centre Test")
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()

    with page.expect_request(lambda r: r.method == "POST" and "/tickets" in r.url) as sent:
        choose(page, "Registration of Persons", "National ID card")
    headers = sent.value.headers
    assert headers["authorization"] == f"Bearer {KIOSK_TOKEN}"
    assert re.fullmatch(r"[0-9a-f]{32}", headers["idempotency-key"])

    expect(page.locator("#ticket-number")).to_have_text("A001")
    expect(page.locator("#ticket-service")).to_have_text("National ID card")
    expect(page.locator("#ticket-ahead")).to_have_text("0")
    expect(page.locator("#ticket-wait")).to_have_text("no wait")
    qr = page.get_by_role("img", name="QR code to follow your ticket on a phone")
    expect(qr).to_be_visible()
    page.wait_for_function("() => document.getElementById('ticket-qr').naturalWidth > 0")
    issued = ticket(live_server, shown_ticket_id(page))
    assert (issued["number"], issued["language"]) == ("A001", "en")
    assert "priority" not in issued  # the public ticket never says why one has priority

    page.get_by_role("button", name="Done").click()
    choose(page, "Registration of Persons", "National ID card")
    expect(page.locator("#ticket-number")).to_have_text("A002")
    expect(page.locator("#ticket-ahead")).to_have_text("1")
    expect(page.locator("#ticket-wait")).to_have_text(re.compile(r"^about \d+ min$"))

    page.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Other", exact=True).click()
    closed = page.get_by_role("button", name="Closed service", exact=True)
    expect(closed).to_have_attribute("aria-disabled", "true")
    expect(closed).to_contain_text("Closed now")
    closed.click(force=True)  # a finger touches it anyway: nothing is issued
    expect(page.get_by_role("heading", name="Other")).to_be_visible()
    assert waiting(live_server)["OLD"] == 0

    # Another screen, never bound or bound with a wrong token, says so instead of serving.
    for path in ("/kiosk/TST", "/kiosk/TST?token=not-a-kiosk-token-0123456789"):
        page = browsing.open("kiosk", path)
        expect(page.get_by_role("status")).to_have_text(
            "This kiosk is not set up yet. Please ask a member of staff."
        )
        expect(page.get_by_role("button", name="Registration of Persons")).to_be_hidden()


def test_kiosk_in_kiswahili_with_priority_then_back_to_the_start(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    page = browsing.open("kiosk", f"/kiosk/TST?token={kiosk_token(2)}", fake_clock=True)

    page.get_by_role("button", name="Kiswahili").click()
    expect(page.get_by_role("heading", name="Karibu")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sw")
    page.get_by_role("button", name="Huduma ya kipaumbele").click()
    page.get_by_role("button", name="Mzee").click()
    expect(page.get_by_text("Huduma ya kipaumbele: Mzee")).to_be_visible()
    choose(page, "Usajili wa Watu", "Kitambulisho cha Taifa")

    expect(page.locator("#ticket-number")).to_have_text("A001")
    expect(page.locator("#ticket-service")).to_have_text("Kitambulisho cha Taifa")
    expect(page.get_by_text("Kipaumbele", exact=True)).to_be_visible()
    expect(page.get_by_text("Watu walio mbele yako")).to_be_visible()
    expect(page.locator("#ticket-wait")).to_have_text("hakuna kusubiri")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    issued = ticket(live_server, shown_ticket_id(page))
    assert issued["language"] == "sw" and "priority" not in issued  # shown above, not public

    page.clock.fast_forward(16_000)  # nobody touches the screen
    expect(page.get_by_role("heading", name="Welcome")).to_be_visible()
    expect(page.get_by_role("button", name="Kiswahili")).to_be_visible()
    expect(page.get_by_role("button", name="Priority service")).to_be_visible()


def test_kiosk_retries_until_issued_and_never_issues_twice(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    page = browsing.open("kiosk", f"/kiosk/TST?token={kiosk_token(3)}")
    expect(page.get_by_role("button", name="Registration of Persons")).to_be_visible()

    live_server.kill()  # the server is down when the citizen touches a service
    choose(page, "Registration of Persons", "National ID card")
    expect(page.get_by_text("We cannot reach the server. Trying again…")).to_be_visible()
    expect(page.locator("#ticket-number")).to_be_empty()
    live_server.start()
    expect(page.locator("#ticket-number")).to_have_text("A001", timeout=15_000)

    keys: list[str] = []

    def lose_the_first_answer(route: Route) -> None:
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the server issues the ticket...
            route.abort("connectionreset")  # ...and its answer is lost on the way
        else:
            route.continue_()

    page.route("**/api/v1/centres/TST/tickets", lose_the_first_answer)
    page.route("**/api/v1/devices/me", lambda route: route.fulfill(json=FAULTY_PRINTER))
    page.get_by_role("button", name="Done").click()
    choose(page, "Registration of Persons", "National ID card")
    expect(page.locator("#ticket-number")).to_have_text("A002", timeout=15_000)
    assert len(keys) == 2 and keys[0] == keys[1]
    assert waiting(live_server)["ID"] == 2

    unprinted = page.get_by_role("alert").filter(has_text="The printer is not working")
    expect(unprinted).to_have_text(
        "The printer is not working: please remember your number, A002, or scan the QR code."
    )
    expect(page.get_by_role("status")).to_have_text(
        "The ticket printer is not working. Your number is shown on the screen."
    )
