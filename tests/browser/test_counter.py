"""The counter page: signing in, choosing a counter, every action by button or key, the
queues it serves, and coming back to the server's state after a reload."""

from __future__ import annotations

import json
import re

import requests
from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import (
    CENTRE,
    CONTRACT_BUTTONS,
    Browsing,
    issue_ticket,
    sign_in_at_counter,
    ticket,
)
from tests.support.server import ServerProcess

SESSION_KEY = "huduma.counter.session"  # where the page keeps its sign-in (counter.js)


def button(page: Page, name: str) -> Locator:
    """A control by its contract name, exactly."""
    return page.get_by_role("button", name=name, exact=True)


def expect_current(page: Page, number: str, status: str) -> None:
    """The counter holds `number` in `status` (as the page words it)."""
    expect(page.locator("#ticket-number")).to_have_text(number)
    expect(page.locator("#ticket-status")).to_have_text(status)


def test_counter_signs_in_and_serves_with_every_action(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    first, second = issue_ticket(live_server, "ID"), issue_ticket(live_server, "ID")
    third = issue_ticket(live_server, "BC")
    page = browsing.open("counter", "/counter/")
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    sign_in_at_counter(page, 1)

    for name in CONTRACT_BUTTONS:
        expect(button(page, name)).to_be_visible()
    expect(page.locator("#queues tr[data-service=ID] .waiting")).to_have_text("2")
    expect(page.locator("#queues tr[data-service=BC] .waiting")).to_have_text("1")
    expect(page.locator("#queues tr[data-service=ID] .longest")).to_have_text(
        re.compile(r"^\d+:\d\d$")
    )

    button(page, "Call next").click()
    expect_current(page, "A001", "Called, not yet here")
    expect(page.locator("#ticket-elapsed")).to_have_text(re.compile(r"^0:0\d since called$"))
    expect(page.locator("#queues tr[data-service=ID] .waiting")).to_have_text("1")
    button(page, "Recall").click()
    expect(page.locator("#message")).to_have_text("Called A001 again.")
    button(page, "Start").click()
    expect_current(page, "A001", "Serving")
    expect(button(page, "Recall")).to_be_disabled()
    button(page, "Complete").click()
    expect(page.locator("#message")).to_have_text("A001: done.")
    assert ticket(live_server, first["id"])["status"] == "done"

    page.keyboard.press("n")
    expect_current(page, "A002", "Called, not yet here")
    page.keyboard.press("a")
    expect(page.locator("#message")).to_have_text("A002: no-show.")
    assert ticket(live_server, second["id"])["status"] == "no_show"

    button(page, "Call next").click()
    expect_current(page, "B001", "Called, not yet here")
    page.get_by_label("Transfer to").select_option(label="KRA PIN")
    button(page, "Transfer").click()
    expect(page.locator("#message")).to_have_text("B001: transferred to KRA PIN.")
    moved = ticket(live_server, third["id"])
    assert (moved["service"], moved["status"], moved["number"]) == ("KRA", "waiting", "B001")

    button(page, "Call next").click()
    expect(page.locator("#message")).to_have_text("No one is waiting for your services.")
    button(page, "Pause").click()
    expect(page.locator("#counter-state")).to_have_text("Paused")
    expect(button(page, "Call next")).to_be_disabled()
    page.keyboard.press("p")
    expect(page.locator("#counter-state")).to_have_text("Open")

    issue_ticket(live_server, "BC")
    expect(page.locator("#queues tr[data-service=BC] .waiting")).to_have_text("1")
    button(page, "Call next").click()
    expect_current(page, "B002", "Called, not yet here")
    page.reload()  # the tab keeps its sign-in; the server gives back the counter's state
    expect(page.get_by_role("heading", name="Counter 1")).to_be_visible()
    expect_current(page, "B002", "Called, not yet here")
    expect(button(page, "Close")).to_be_disabled()  # not while a citizen is called

    button(page, "Complete").click()
    button(page, "Close").click()
    expect(page.get_by_text("Counter 1 is closed.")).to_be_visible()
    expect(page.get_by_label("Counter")).to_be_visible()
    expect(page.get_by_text("Connection lost")).to_be_hidden()  # left on purpose


def page_token(page: Page) -> str:
    """The token the counter page signed in with (kept in the tab's session storage)."""
    return json.loads(page.evaluate(f"window.sessionStorage.getItem('{SESSION_KEY}')"))["token"]


def sign_out_token(server: ServerProcess, token: str) -> None:
    """Revoke a token from elsewhere (`POST /auth/logout`), as another screen might."""
    response = requests.post(
        f"{server.url}/api/v1/auth/logout",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 204


def expect_signed_out(page: Page) -> None:
    """The page is back at the sign-in form, saying the session ended."""
    expect(page.get_by_text("Your session has ended. Please sign in again.")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_text("Connection lost")).to_be_hidden()
    assert page.evaluate(f"window.sessionStorage.getItem('{SESSION_KEY}')") is None


def test_a_counter_page_whose_token_was_revoked_signs_out_and_says_so(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    page = browsing.open("counter", "/counter/")
    sign_in_at_counter(page, 1)
    token = page_token(page)
    page.goto("about:blank")  # the tab keeps its session; the counter page is gone meanwhile
    sign_out_token(live_server, token)
    page.goto("/counter/")  # connects with the revoked token: refused, and the page signs out
    expect_signed_out(page)


def test_signing_out_of_a_counter_page_revokes_its_token(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    page = browsing.open("counter", "/counter/")
    sign_in_at_counter(page, 1)
    token = page_token(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    # A copy of the token left on a shared PC is worth nothing once the clerk signed out
    # (the page revokes it without waiting: ask again for a moment).
    counters = f"{live_server.url}/api/v1/centres/{CENTRE}/counters"
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [requests.get(counters, headers=headers, timeout=10).status_code]
    while statuses[-1] == 200 and len(statuses) < 50:
        page.wait_for_timeout(100)
        statuses.append(requests.get(counters, headers=headers, timeout=10).status_code)
    assert statuses[-1] == 401


def test_an_idle_counter_page_signs_out_as_soon_as_its_token_is_revoked(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    page = browsing.open("counter", "/counter/")
    sign_in_at_counter(page, 1)
    sign_out_token(live_server, page_token(page))  # the page sends nothing meanwhile
    expect_signed_out(page)
