"""The hall display: calls shown and announced in English and Kiswahili, one announcement
after another (after one tap where the browser blocks sound); and a screen that says when it
lost the server and heals from the snapshot."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Browser, Locator, Page, Request, expect

from tests.browser.pages import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Browsing,
    assert_accessible,
    issue_ticket,
    sign_in_at_counter,
)
from tests.support.server import ServerProcess

ANNOUNCEMENTS_TIMEOUT_MS = 45_000  # two calls: each a chime and two spoken sentences


def waiting_count(page: Page, service: str) -> Locator:
    """The waiting count the display shows for a service (by its English name)."""
    return page.locator(".waiting-item", has_text=service).locator(".waiting-count")


def call_next(page: Page, number: str) -> None:
    """Press "Call next" at the counter page and see it call `number`."""
    page.get_by_role("button", name="Call next").click()
    expect(page.locator("#ticket-number")).to_have_text(number)


def check_a_browser_blocking_sound_is_asked_for_one_tap(browser: Browser, url: str) -> None:
    """A screen whose browser blocks sound until a tap shows the button, and the tap works."""
    args = [a for a in CHROMIUM_ARGS if not a.startswith("--autoplay-policy")]
    strict = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*args, "--autoplay-policy=document-user-activation-required"],
    )
    try:
        display = strict.new_page(base_url=url)
        display.goto("/display/TST")
        sound = display.get_by_role("button", name="Tap to enable sound / Gusa kuwasha sauti")
        expect(sound).to_be_visible()
        sound.click()
        expect(sound).to_be_hidden()
    finally:
        strict.close()


def test_display_shows_and_announces_each_call_in_both_languages(
    browser: Browser, browsing: Browsing, live_server: ServerProcess
) -> None:
    check_a_browser_blocking_sound_is_asked_for_one_tap(browser, live_server.url)
    issue_ticket(live_server, "BC")
    issue_ticket(live_server, "BC")
    display = browsing.open("display", "/display/TST")
    audio_asked: list[str] = []

    def note_audio(request: Request) -> None:
        if "/display/announcement.wav" in request.url:
            audio_asked.append(request.url)

    display.on("request", note_audio)
    expect(display.locator("#centre-name")).to_have_text("Huduma Centre Test")
    expect(display.get_by_text("Please wait for your number")).to_be_visible()
    expect(waiting_count(display, "Birth certificate")).to_have_text("2")

    counter = browsing.open("counter", "/counter/")
    sign_in_at_counter(counter, 3)
    call_next(counter, "B001")
    call_next(counter, "B002")  # at once: its announcement must wait for the first

    expect(display.locator("#latest-number")).to_have_text("B002")
    expect(display.locator("#latest-counter")).to_have_text("3")
    expect(display.locator("#calls li")).to_have_text(["B002Counter 3", "B001Counter 3"])
    expect(waiting_count(display, "Birth certificate")).to_have_text("0")

    played = display.locator("#announcements p[data-outcome=played]")
    expect(played).to_have_count(4, timeout=ANNOUNCEMENTS_TIMEOUT_MS)
    entries = display.eval_on_selector_all(
        "#announcements p", "(lines) => lines.map((p) => ({ ...p.dataset, text: p.textContent }))"
    )
    assert [e["text"] for e in entries] == [
        "Ticket B001, counter 3",
        "Tiketi B001, dirisha namba 3",
        "Ticket B002, counter 3",
        "Tiketi B002, dirisha namba 3",
    ]
    for earlier, later in zip(entries, entries[1:], strict=False):
        assert float(earlier["ended"]) <= float(later["started"]), "announcements overlapped"
    assert all(float(e["ended"]) - float(e["started"]) > 1000 for e in entries), "cut short"
    asked = {
        (q["number"][0], q["counter"][0], q["lang"][0])
        for q in (parse_qs(urlparse(url).query) for url in audio_asked)
    }
    assert asked == {(n, "3", lang) for n in ("B001", "B002") for lang in ("en", "sw")}


def test_display_and_counter_heal_after_the_server_restarts(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    issue_ticket(live_server, "ID")
    issue_ticket(live_server, "ID")
    display = browsing.open("display", "/display/TST", bypass_csp=True)
    counter = browsing.open("counter", "/counter/")
    sign_in_at_counter(counter, 2)
    call_next(counter, "A001")
    expect(display.locator("#latest-number")).to_have_text("A001")

    display.route("**/socket.io/**", lambda route: route.abort())  # keep the display away
    live_server.kill()
    expect(display.get_by_role("alert")).to_contain_text("Connection lost")
    expect(display.locator("#board")).to_be_hidden()
    assert_accessible(display, "display, connection lost")
    expect(counter.get_by_text("Connection lost. Reconnecting…")).to_be_visible()
    expect(counter.get_by_role("button", name="Call next")).to_be_disabled()

    live_server.start()
    expect(counter.get_by_text("Connection lost. Reconnecting…")).to_be_hidden(timeout=15_000)
    expect(counter.locator("#ticket-number")).to_have_text("A001")
    call_next(counter, "A002")  # while the display is still away, it misses this call

    display.unroute("**/socket.io/**")
    expect(display.locator("#lost")).to_be_hidden(timeout=15_000)
    expect(display.locator("#board")).to_be_visible()
    expect(display.locator("#latest-number")).to_have_text("A002")
    expect(display.locator("#latest-counter")).to_have_text("2")
    expect(waiting_count(display, "National ID card")).to_have_text("0")


def test_display_of_an_unknown_centre_says_so(browsing: Browsing) -> None:
    screen = browsing.open("display", "/display/NOPE")
    expect(screen.locator("#unknown")).to_be_visible()


def test_a_reloaded_display_lists_the_same_calls_as_before(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    for _ in range(3):
        issue_ticket(live_server, "BC")
    display = browsing.open("display", "/display/TST")
    counter = browsing.open("counter", "/counter/")
    sign_in_at_counter(counter, 3)
    for number in ("B001", "B002", "B003"):
        call_next(counter, number)
        expect(display.locator("#latest-number")).to_have_text(number)
    counter.get_by_role("button", name="Complete").click()
    expect(counter.get_by_role("button", name="Complete")).to_be_disabled()
    calls = display.locator("#calls .call-number")
    expect(calls).to_have_text(["B003", "B002", "B001"])
    before = display.locator("#calls").inner_text()

    display.reload()
    expect(calls).to_have_text(["B003", "B002", "B001"])  # all three finished, still listed
    expect(display.locator("#latest-number")).to_have_text("B003")
    assert display.locator("#calls").inner_text() == before
