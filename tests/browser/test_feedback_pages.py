"""The supervisor's page, the feedback tablet and the track page's feedback, in Chromium.

Set SCREENSHOTS_DIR to keep screenshots of each page (the README's come from here).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.pages import Browsing, assert_accessible, assert_touch_targets, issue_ticket
from tests.support.centres import KIOSK_TOKEN, PASSWORD, make_config_file
from tests.support.clients import CounterClient, login
from tests.support.databases import database_url
from tests.support.feedback import FEEDBACK_CONFIG, FEEDBACK_TOKEN, SUPERVISOR
from tests.support.server import ROOT, ServerProcess

REASON = ("The registration system is offline.", "Mfumo wa usajili haupatikani.")
CHART_JS = ROOT / "node_modules" / "chart.js" / "dist" / "chart.umd.js"


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The real server with a feedback tablet and a supervisor (overrides the usual one)."""
    with database_url("sqlite", tmp_path) as url:
        server = ServerProcess(url, tmp_path, config=make_config_file(tmp_path, FEEDBACK_CONFIG))
        server.start()
        yield server
        server.kill()


def keep(page: Page, name: str) -> None:
    """A screenshot for the README, when asked for."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def serve(server: ServerProcess, counter: int, tickets: int) -> None:
    """A clerk at `counter` calls and completes `tickets` tickets, one after another."""
    clerk = CounterClient(server.url, login(server.url, "clerk1"))
    try:
        assert clerk("open", {"centre": "TST", "counter": counter})["ok"]
        for _ in range(tickets):
            assert clerk("call_next")["ok"]
            assert clerk("complete")["ok"]
    finally:
        clerk.close()


def ready_document(server: ServerProcess) -> str:
    """Lodge a document and mark it ready, as staff do when a box arrives; its ref."""
    staff = {"Authorization": f"Bearer {login(server.url, SUPERVISOR)}"}
    lodged = requests.post(
        f"{server.url}/api/v1/centres/TST/documents",
        json={"service": "BC", "phone": "0712345678", "consent": True},
        headers=staff,
        timeout=10,
    )
    assert lodged.status_code == 201, lodged.text
    ref = lodged.json()["ref"]
    ready = requests.post(
        f"{server.url}/api/v1/centres/TST/documents/ready",
        json={"refs": [ref]},
        headers=staff,
        timeout=10,
    )
    assert ready.json()["ready"] == 1, ready.text
    return str(ref)


def test_the_supervisor_watches_the_hall_pauses_a_service_and_reads_reports(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    if not CHART_JS.exists():
        pytest.fail(f"{CHART_JS} is missing: npm ci (package.json lists chart.js)")
    for service in ("ID", "ID", "BC", "KRA"):
        issue_ticket(live_server, service)
    serve(live_server, 4, 1)
    ready_ref = ready_document(live_server)
    page = browsing.open("supervisor", "/supervisor/TST", bypass_csp=True)
    page.get_by_label("Username").fill("clerk2")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Only supervisors")

    page.get_by_label("Username").fill(SUPERVISOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    services = page.locator("#services")
    expect(services.get_by_role("row", name="National ID card")).to_contain_text("1")
    expect(page.locator("#counters")).to_contain_text("clerk1")
    expect(page.locator("#arrivals-chart")).to_be_visible()
    expect(page.locator("#appointments")).to_have_text("No appointments today.")
    expect(page.locator("#jobs")).to_have_text("No failed print jobs.")
    expect(page.locator("#documents")).to_contain_text(f"{ready_ref} · BC · ready since")
    assert page.evaluate("() => Chart.getChart('arrivals-chart').data.datasets[0].data") == [4]
    assert_accessible(page, "supervisor, live hall")
    assert_touch_targets(page, "supervisor, live hall")
    keep(page, "supervisor")

    kiosk = browsing.open("kiosk", f"/kiosk/TST?token={KIOSK_TOKEN}")
    display = browsing.open("display", "/display/TST")
    page.get_by_role("button", name="Pause National ID card").click()
    page.get_by_label("Reason (English)").fill(REASON[0])
    page.get_by_label("Reason (Kiswahili)").fill(REASON[1])
    page.get_by_role("button", name="Pause service").click()
    expect(services).to_contain_text(f"Paused: {REASON[0]}")
    expect(display.locator("#paused")).to_contain_text(REASON[0])
    expect(display.locator("#paused")).to_contain_text(REASON[1])
    kiosk.get_by_role("button", name="Registration of Persons").click()
    expect(kiosk.locator("#service-ID-info")).to_have_text(f"Closed now: {REASON[0]}")
    page.get_by_role("button", name="Resume National ID card").click()
    expect(display.locator("#paused")).to_be_hidden()
    expect(kiosk.locator("#service-ID-info")).not_to_contain_text("Closed")

    page.get_by_role("button", name="Reports").click()
    page.get_by_role("button", name="Show report").click()
    rows = page.locator("#report-services tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#report-counters")).to_contain_text("clerk1")
    with page.expect_download() as download:
        page.locator("#csv-services").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("date,service,issued,served")
    assert len(text.splitlines()) == 4
    assert_accessible(page, "supervisor, reports")
    check_quarterly_summary(page)
    page.get_by_role("button", name="Kiswahili").click()
    expect(page.get_by_role("button", name="Ripoti", exact=True)).to_be_visible()
    assert_accessible(page, "supervisor, reports in Kiswahili")


def check_quarterly_summary(page: Page) -> None:
    """The quarterly summary alone is printed, on one page (the browser's print, stubbed)."""
    page.evaluate("() => { window.print = () => {}; }")
    page.get_by_role("button", name="Print quarterly summary").click()
    page.wait_for_function("() => !document.getElementById('summary').hidden")
    page.emulate_media(media="print")
    expect(page.locator("#summary h1")).to_contain_text("quarterly summary")
    expect(page.locator("#summary-table tbody tr")).to_have_count(3)
    expect(page.locator("#view-work")).to_be_hidden()
    pdf = page.pdf(format="A4", landscape=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    page.emulate_media(media="screen")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")


def test_the_tablet_asks_once_about_the_last_visit_at_its_counter(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    unbound = browsing.open("tablet", "/feedback/TST/1")
    expect(unbound.get_by_role("alert")).to_have_text(
        "This tablet is not set up. A supervisor must open it once with its link."
    )
    tablet = browsing.open("tablet", f"/feedback/TST/1?token={FEEDBACK_TOKEN}", bypass_csp=True)
    expect(tablet).to_have_url(f"{live_server.url}/feedback/TST/1")  # the token left the address
    expect(tablet.get_by_role("heading", name="Thank you for visiting Huduma")).to_be_visible()
    assert_accessible(tablet, "tablet, waiting")

    issue_ticket(live_server, "BC")
    serve(live_server, 1, 1)
    expect(tablet.get_by_text("Ticket B001: Birth certificate")).to_be_visible()
    tablet.get_by_role("button", name="Kiswahili").click()
    expect(tablet.get_by_text("Tiketi B001: Cheti cha kuzaliwa")).to_be_visible()
    tablet.get_by_role("button", name="English").click()
    assert_accessible(tablet, "tablet, asking")
    assert_touch_targets(tablet, "tablet, asking")
    keep(tablet, "feedback-tablet")
    tablet.get_by_role("button", name="Send").click()
    expect(tablet.get_by_text("Please choose a face first.")).to_be_visible()
    tablet.get_by_label("Good", exact=True).check()
    wait = tablet.get_by_role("group", name="Was the waiting time acceptable?")
    wait.get_by_label("Yes", exact=True).check()
    tablet.get_by_label("The official fee", exact=True).check()
    money = tablet.get_by_role("group", name="Did anyone ask you for money")
    money.get_by_label("No", exact=True).check()
    tablet.get_by_role("button", name="Send").click()
    expect(tablet.get_by_role("status")).to_have_text(
        "Thank you! Your feedback helps us serve you better."
    )
    asked = requests.get(
        f"{live_server.url}/api/v1/centres/TST/counters/1/feedback",
        headers={"Authorization": f"Bearer {FEEDBACK_TOKEN}"},
        timeout=10,
    ).json()
    assert asked["ticket"] is None  # answered: the tablet waits for the next


def test_the_track_page_asks_for_feedback_once_the_ticket_is_done(
    browsing: Browsing, live_server: ServerProcess
) -> None:
    ticket = issue_ticket(live_server, "KRA", language="sw")
    phone = browsing.open("track", f"/track/{ticket['id']}", bypass_csp=True)
    expect(phone.locator("#number")).to_have_text("K001")
    expect(phone.locator("#feedback")).to_be_hidden()
    serve(live_server, 5, 1)
    form = phone.get_by_role("form", name="Ziara yako ilikuwaje?")
    expect(form).to_be_visible()
    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_role("form", name="How was your visit?")).to_be_visible()
    assert_accessible(phone, "track, feedback")
    assert_touch_targets(phone, "track, feedback")
    keep(phone, "track-feedback")
    phone.get_by_label("Very bad").check()
    phone.get_by_label("More than the official fee").check()
    money = phone.get_by_role("group", name="Did anyone ask you for money")
    money.get_by_label("Yes", exact=True).check()
    phone.get_by_label("Anything else? (optional)").fill("Niliombwa pesa.")
    phone.get_by_role("button", name="Send").click()
    expect(phone.locator("#feedback .fb-thanks")).to_have_text(
        "Thank you! Your feedback helps us serve you better."
    )
    supervisor = login(live_server.url, SUPERVISOR)
    hall = requests.get(
        f"{live_server.url}/api/v1/centres/TST/hall",
        headers={"Authorization": f"Bearer {supervisor}"},
        timeout=10,
    ).json()
    assert [m["number"] for m in hall["money_asked"]] == ["K001"]
