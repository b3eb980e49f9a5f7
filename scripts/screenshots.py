"""Screenshots of the pages for the README, taken from the demo centre in a busy moment.

    PYTHONPATH=. .venv/bin/python scripts/screenshots.py      (writes docs/*.png)

It starts `python -m queue_server --demo` on a fresh SQLite database, issues tickets at the
demo kiosk, has three clerks call from their counter pages, and photographs the kiosk (a
ticket just issued), the hall display, a counter serving and a citizen's track page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.pages import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS
from tests.support.server import ROOT, ServerProcess

DOCS = ROOT / "docs"
KIOSK_TOKEN = "demo-kiosk-1-token-not-secret"  # demo.toml's public demo values
PASSWORD = "huduma-demo"
QUEUE = ["ID", "ID", "IDR", "ID", "BC", "KRA", "KRA", "TAX", "GC", "DL", "SHA", "ID", "BC", "NSSF"]
QUEUE += ["IDC", "ID", "KRA", "ECI", "BN", "DC", "GC", "HELB", "ID", "ENQ", "IDR", "SHAC", "PP"]
CLERKS = [("otieno", 6), ("wanjiku", 4), ("kiptoo", 2), ("fatuma", 8), ("admin", 11)]
CLERKS += [("otieno", 10), ("wanjiku", 5), ("amina", 1)]
"""(clerk, counter): each calls once, so estimates still use the services' typical times.
The last one's page is photographed."""


def issue(server: ServerProcess, service: str, language: str = "en") -> dict:
    """A ticket from the demo kiosk."""
    response = requests.post(
        f"{server.url}/api/v1/centres/MSA/tickets",
        json={"service": service, "language": language},
        headers={"Authorization": f"Bearer {KIOSK_TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def open_page(
    browser: Browser, server: ServerProcess, kind: str, path: str, scale: int = 1
) -> Page:
    """A page in its own browser context, with the screen of its kind."""
    context = browser.new_context(
        viewport=VIEWPORTS[kind], device_scale_factor=scale, base_url=server.url
    )
    page = context.new_page()
    page.goto(path)
    return page


def serve_at(page: Page, clerk: str, counter: int) -> None:
    """Sign in, open the counter, call the next ticket and start serving it."""
    page.get_by_label("Username").fill(clerk)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Counter").select_option(str(counter))
    page.get_by_role("button", name="Open counter").click()
    page.get_by_role("button", name="Call next").click()
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#ticket-status")).to_have_text("Serving")


def photograph(browser: Browser, server: ServerProcess) -> None:
    """Make the busy moment and save the four screenshots."""
    tickets = [issue(server, service) for service in QUEUE]
    display = open_page(browser, server, "display", "/display/MSA")
    expect(display.locator("#centre-name")).to_have_text("Huduma Centre Mombasa")
    for clerk, counter in CLERKS:
        page = open_page(browser, server, "counter", "/counter/")
        serve_at(page, clerk, counter)
    expect(display.locator("#calls li")).to_have_count(8)
    expect(page.locator("#queues tr")).to_have_count(2)
    page.mouse.move(0, 0)
    page.screenshot(path=DOCS / "counter.png")
    display.wait_for_timeout(3000)  # let the latest call's highlight finish
    display.screenshot(path=DOCS / "display.png")

    kiosk = open_page(browser, server, "kiosk", f"/kiosk/MSA?token={KIOSK_TOKEN}")
    kiosk.get_by_role("button", name="Kenya Revenue Authority").click()
    kiosk.get_by_role("button", name="KRA PIN registration").click()
    kiosk.get_by_role("button", name="No SMS, get ticket").click()
    expect(kiosk.locator("#ticket-number")).not_to_be_empty()
    kiosk.wait_for_function("() => document.getElementById('ticket-qr').naturalWidth > 0")
    kiosk.screenshot(path=DOCS / "kiosk.png")

    waiting = next(t for t in reversed(tickets) if t["service"] == "ID")
    phone = open_page(browser, server, "track", f"/track/{waiting['id']}", scale=2)
    expect(phone.locator("#state")).to_have_text("Waiting")
    phone.screenshot(path=DOCS / "track.png")
    photograph_booking(browser, server)


def photograph_booking(browser: Browser, server: ServerProcess) -> None:
    """The booking page on a phone, just after booking a KRA PIN appointment."""
    phone = open_page(browser, server, "track", "/book/MSA", scale=2)
    phone.get_by_role("button", name="KRA PIN registration").click()
    phone.locator("#days button").first.click()
    phone.locator("#slots button").nth(2).click()
    phone.get_by_role("button", name="Book this time").click()
    expect(phone.locator("#ref")).not_to_be_empty()
    phone.wait_for_function("() => document.getElementById('ref-qr').naturalWidth > 0")
    phone.screenshot(path=DOCS / "book.png", full_page=True)


def main() -> None:
    """Start the demo server, take the screenshots, stop it."""
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        server = ServerProcess(f"sqlite:///{folder}/demo.db", Path(folder), extra_args=("--demo",))
        server.start()
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            photograph(browser, server)
        finally:
            browser.close()
            server.kill()
    for name in ("kiosk", "display", "counter", "track", "book"):
        print(DOCS / f"{name}.png")


if __name__ == "__main__":
    main()
