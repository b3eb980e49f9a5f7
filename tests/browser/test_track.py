"""The track page: a citizen's phone follows the ticket live, from waiting to called."""

from __future__ import annotations

import math
import re

from playwright.sync_api import expect

from tests.browser.pages import Browsing, issue_ticket, sign_in_at_counter
from tests.support.server import ServerProcess


def test_track_page_follows_the_ticket_until_it_is_called(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    issue_ticket(live_server, "BC")
    mine = issue_ticket(live_server, "BC", language="sw")
    phone = browsing.open("track", f"/track/{mine['id']}")

    expect(phone.locator("#number")).to_have_text("B002")
    fetched: list[str] = []  # the page follows its ticket on /ticket, fetching nothing per event
    phone.on("request", lambda r: fetched.append(r.url) if "/api/v1/tickets" in r.url else None)
    expect(phone.locator("html")).to_have_attribute("lang", "sw")  # as chosen at the kiosk
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("#service")).to_have_text("Birth certificate")
    expect(phone.locator("#state")).to_have_text("Waiting")
    expect(phone.locator("#ahead")).to_have_text("1")
    minutes = max(1, math.ceil(mine["estimated_wait_s"] / 60))
    expect(phone.locator("#wait")).to_have_text(f"about {minutes} min")
    expect(phone.get_by_role("alert")).to_be_hidden()

    counter = browsing.open("counter", "/counter/")
    sign_in_at_counter(counter, 3)
    counter.get_by_role("button", name="Call next").click()
    expect(phone.locator("#ahead")).to_have_text("0")
    expect(phone.locator("#wait")).to_have_text("You are next")

    counter.get_by_role("button", name="Call next").click()
    expect(phone.locator("#state")).to_have_text("Called")
    called = phone.get_by_role("alert")
    expect(called).to_be_visible()
    expect(called).to_have_text("Please go to Counter 3")
    expect(phone.locator("#figures")).to_be_hidden()

    counter.get_by_role("button", name="Start").click()
    expect(phone.locator("#state")).to_have_text("Being served")
    expect(phone.locator("#at-counter")).to_have_text("You are at counter 3")
    assert fetched == []


def test_track_page_of_an_unknown_ticket_says_so(browsing: Browsing) -> None:
    phone = browsing.open("track", "/track/no-such-ticket-123")
    expect(phone.get_by_role("alert")).to_have_text(re.compile("ticket", re.IGNORECASE))
    expect(phone.locator("#ticket")).to_be_hidden()
