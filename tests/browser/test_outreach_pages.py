"""Huduma Mashinani pages: a sponsored site's kiosk and ticket page name the sponsor in both
languages, the site's supervisor sees what waits to be sent, and the sponsor report prints."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, expect

from tests.browser.pages import Browsing, assert_accessible
from tests.support.centres import PASSWORD, make_config_file
from tests.support.outreach import OUTREACH_CONFIG, SITE_KIOSK_TOKEN, SITE_TOKEN
from tests.support.server import ServerProcess

SITE_BANNER = (
    "Fees at this Huduma Mashinani are paid by Mombasa Cement"
    "Ada katika Huduma Mashinani hii zinalipwa na Mombasa Cement"
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[ServerProcess]:
    """An outreach site's own server (SQLite), with no central server to send to."""
    config = make_config_file(tmp_path, OUTREACH_CONFIG)
    server = ServerProcess(
        f"sqlite:///{tmp_path / 'site.db'}",
        tmp_path,
        config=config,
        extra_args=("--site-token", SITE_TOKEN),
    )
    server.start()
    yield server
    server.kill()


@pytest.fixture
def pages(browser: Browser, site: ServerProcess) -> Iterator[Browsing]:
    browsing = Browsing(browser, site.url)
    yield browsing
    browsing.close()
    assert not browsing.errors, "errors in the pages:\n" + "\n".join(browsing.errors)


def issue(site: ServerProcess, service: str, language: str) -> dict:
    response = requests.post(
        f"{site.url}/api/v1/centres/KBR/tickets",
        json={"service": service, "language": language},
        headers={"Authorization": f"Bearer {SITE_KIOSK_TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def test_the_sponsored_kiosk_names_the_sponsor_in_both_languages(pages: Browsing) -> None:
    kiosk = pages.open("kiosk", f"/kiosk/KBR?token={SITE_KIOSK_TOKEN}", bypass_csp=True)
    banner = kiosk.locator("#sponsor-banner")
    expect(banner).to_have_text(SITE_BANNER)
    expect(banner.locator(".second")).to_have_attribute("lang", "sw")
    assert_accessible(kiosk, "sponsored kiosk, start")

    kiosk.get_by_role("button", name="Kiswahili").click()
    expect(banner.locator(".first")).to_have_text(
        "Ada katika Huduma Mashinani hii zinalipwa na Mombasa Cement"
    )
    expect(banner.locator(".second")).to_have_attribute("lang", "en")
    kiosk.get_by_role("button", name="Registration of Persons", exact=True).click()  # one name
    kiosk.get_by_role("button", name="Kitambulisho cha Taifa", exact=True).click()
    kiosk.locator("#phone-skip").click()  # the optional phone step: no SMS
    fee = kiosk.locator("#ticket-sponsor")
    expect(fee).to_have_text(
        "Ada KES 100 imelipwa na Mombasa CementFee KES 100 paid by Mombasa Cement"
    )
    assert_accessible(kiosk, "sponsored kiosk, ticket in Kiswahili")


def test_the_ticket_page_says_the_sponsor_pays_in_both_languages(
    pages: Browsing, site: ServerProcess
) -> None:
    mine = issue(site, "BC", "sw")
    assert (mine["paid_by"], mine["fee_kes"], mine["sponsor"]) == ("sponsor", 50, "Mombasa Cement")
    phone = pages.open("track", f"/track/{mine['id']}", bypass_csp=True)
    fee = phone.locator("#sponsor")
    expect(fee).to_have_text(
        "Ada KES 50 imelipwa na Mombasa CementFee KES 50 paid by Mombasa Cement"
    )
    assert_accessible(phone, "sponsored ticket page in Kiswahili")
    phone.get_by_role("button", name="English").click()
    expect(fee.locator(".first")).to_have_text("Fee KES 50 paid by Mombasa Cement")
    expect(fee.locator(".second")).to_have_text("Ada KES 50 imelipwa na Mombasa Cement")


def test_the_site_shows_what_waits_to_be_sent(pages: Browsing, site: ServerProcess) -> None:
    issue(site, "ID", "en")
    issue(site, "BC", "en")
    waiting = requests.get(f"{site.url}/api/v1/sync/status", timeout=5).json()["pending"]
    assert waiting == 2
    status = pages.open("supervisor", "/outreach/sync", bypass_csp=True)
    expect(status.get_by_role("status")).to_have_text("Not sent yet, 2 waiting to be sent")
    expect(status.locator("#centre-name")).to_have_text("Huduma Mashinani KBR")
    assert_accessible(status, "site sync status")
    status.get_by_role("button", name="Kiswahili").click()
    expect(status.get_by_role("status")).to_have_text("Bado hazijatumwa, 2 zinasubiri kutumwa")


def test_the_sponsor_report_page_lists_the_services_served(
    pages: Browsing, site: ServerProcess
) -> None:
    report = pages.open("supervisor", "/outreach/KBR/sponsor", bypass_csp=True)
    report.get_by_label("Username").fill("mashinani-boss")
    report.get_by_label("Password").fill(PASSWORD)
    report.get_by_role("button", name="Sign in").click()
    expect(report.get_by_role("heading", name="Sponsor report")).to_be_visible()
    expect(report.locator("#report-sponsor")).to_have_text("Fees paid by Mombasa Cement")
    expect(report.locator("#report-rows tr")).to_have_count(2)
    expect(report.locator("#report-rows tr").first).to_contain_text("National ID card")
    expect(report.locator("#report-total")).to_have_text("0")
    assert_accessible(report, "sponsor report")
    expect(report.get_by_role("button", name="Print")).to_be_visible()
