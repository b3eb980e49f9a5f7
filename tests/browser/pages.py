"""What the browser tests share: the browser's settings, opening the four pages, and doing
what their people do (a clerk signing in, a kiosk issuing), plus the accessibility checks."""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.support.centres import KIOSK_TOKEN, PASSWORD
from tests.support.server import ROOT, ServerProcess

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CENTRE = "TST"
VIEWPORTS: dict[str, ViewportSize] = {
    "kiosk": {"width": 1080, "height": 1920},
    "display": {"width": 1920, "height": 1080},
    "counter": {"width": 1366, "height": 900},
    "track": {"width": 390, "height": 844},
    "supervisor": {"width": 1440, "height": 1000},
    "tablet": {"width": 1024, "height": 1366},
}
CONTRACT_BUTTONS = (
    "Call next",
    "Recall",
    "Start",
    "Complete",
    "No-show",
    "Transfer",
    "Pause",
    "Resume",
    "Close",
)
MIN_TARGET_PX = 44


class Browsing:
    """Opens pages of one server, each in a fresh browser context, and notes script errors.

    Pages are served with a strict Content-Security-Policy; a page that breaks it, or that
    throws, is reported in `errors` (the fixture fails the test on any).
    """

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []

    def open(
        self, kind: str, path: str, *, fake_clock: bool = False, bypass_csp: bool = False
    ) -> Page:
        """Open `path` with the screen of a `kind` page (kiosk, display, counter, track).

        `bypass_csp` lets axe-core be injected; `fake_clock` lets a test move time on.
        """
        context = self.browser.new_context(
            viewport=VIEWPORTS[kind], base_url=self.base_url, bypass_csp=bypass_csp
        )
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{path}: {error}"))
        page.on("console", lambda message: self._console(path, message.type, message.text))
        if fake_clock:
            page.clock.install()
        page.goto(path)
        return page

    def _console(self, path: str, kind: str, text: str) -> None:
        if kind == "error" and "Content Security Policy" in text:
            self.errors.append(f"{path}: {text}")

    def close(self) -> None:
        """Close every context opened."""
        for context in self.contexts:
            context.close()


def sign_in_at_counter(page: Page, counter: int, username: str = "clerk1") -> None:
    """Sign in on the counter page and open `counter`, as a clerk does."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Counter").select_option(str(counter))
    page.get_by_role("button", name="Open counter").click()
    expect(page.get_by_role("heading", name=f"Counter {counter}")).to_be_visible()
    expect(page.locator("#counter-state")).to_have_text("Open")
    expect(page.get_by_role("button", name="Call next")).to_be_enabled()


def issue_ticket(
    server: ServerProcess,
    service: str,
    *,
    token: str = KIOSK_TOKEN,
    language: str = "en",
    priority: str = "none",
) -> dict:
    """Issue a ticket through the HTTP API, as a kiosk does."""
    response = requests.post(
        f"{server.url}/api/v1/centres/{CENTRE}/tickets",
        json={"service": service, "language": language, "priority": priority},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def ticket(server: ServerProcess, ticket_id: str) -> dict:
    """A ticket as GET /tickets/{id} shows it."""
    response = requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=10)
    response.raise_for_status()
    return response.json()


def waiting(server: ServerProcess) -> dict[str, int]:
    """How many wait for each service of the test centre."""
    response = requests.get(f"{server.url}/api/v1/centres/{CENTRE}/services", timeout=10)
    response.raise_for_status()
    return {service["code"]: service["waiting"] for service in response.json()}


def assert_accessible(page: Page, where: str) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    page.add_script_tag(path=AXE)
    results = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    serious = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{where}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in serious
    )


def assert_touch_targets(page: Page, where: str) -> None:
    """Every visible control is at least 44 by 44 CSS pixels."""
    small = page.evaluate(
        """(minimum) => [...document.querySelectorAll('button, a[href], input, select')]
            .filter((e) => e.offsetParent !== null)
            .map((e) => [e.id || e.textContent.trim(), e.getBoundingClientRect()])
            .filter(([, r]) => r.width < minimum || r.height < minimum)
            .map(([name, r]) => `${name}: ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        MIN_TARGET_PX,
    )
    assert not small, f"{where}: controls smaller than {MIN_TARGET_PX} px: {small}"
