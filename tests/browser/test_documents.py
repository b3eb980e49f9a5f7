"""The kiosk's phone step and "Collect a document", the citizen's look-up page and the staff's
documents page, in English and Kiswahili, each checked with axe-core."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from tests.browser.pages import Browsing, assert_accessible, assert_touch_targets
from tests.support.centres import KIOSK_TOKEN, PASSWORD
from tests.support.clients import CounterClient, login
from tests.support.server import ServerProcess


def api(server: ServerProcess, method: str, path: str, user: str = "clerk1", **kw) -> dict:
    headers = {"Authorization": f"Bearer {login(server.url, user)}"}
    response = requests.request(method, f"{server.url}/api/v1{path}", headers=headers, **kw)
    assert response.ok, response.text
    return response.json()


def ready_document(server: ServerProcess, phone: str = "0712345678") -> str:
    """Lodge a birth certificate for a citizen and mark it ready; its ref."""
    body = {"service": "BC", "phone": phone, "consent": True}
    ref = api(server, "POST", "/centres/TST/documents", json=body, timeout=10)["ref"]
    api(server, "POST", f"/documents/{ref}/status", json={"status": "ready"}, timeout=10)
    return ref


def type_on_keypad(page: Page, keypad: str, text: str) -> None:
    for key in text.replace("-", "").replace(" ", ""):
        page.locator(f"#{keypad}").get_by_role("button", name=key, exact=True).click()


def test_kiosk_phone_step_with_consent_in_english(browsing: Browsing, live_server):
    page = browsing.open("kiosk", f"/kiosk/TST?token={KIOSK_TOKEN}", bypass_csp=True)
    page.get_by_role("button", name="Registration of Persons").click()
    page.get_by_role("button", name="National ID card").click()
    expect(page.get_by_role("heading", name="An SMS when your turn is near?")).to_be_visible()
    consent = page.get_by_label("I agree that Huduma may keep this phone number")
    expect(consent).not_to_be_checked()
    assert_accessible(page, "kiosk phone step")
    assert_touch_targets(page, "kiosk phone step")
    type_on_keypad(page, "phone-keys", "0712345679")
    page.locator("#phone-keys").get_by_role("button", name="Delete").click()
    type_on_keypad(page, "phone-keys", "8")
    expect(page.get_by_label("Phone number", exact=True)).to_have_value("0712345678")
    page.get_by_role("button", name="Get ticket with SMS").click()
    expect(page.get_by_role("alert")).to_have_text("Tick the box to agree, or choose No SMS.")
    consent.check()
    page.get_by_role("button", name="Get ticket with SMS").click()
    expect(page.locator("#ticket-number")).to_have_text("A001")

    clerk = CounterClient(live_server.url, login(live_server.url, "clerk1"))
    try:
        clerk("open", {"centre": "TST", "counter": 1})
        assert clerk("call_next")["ok"]
    finally:
        clerk.close()
    [message] = api(live_server, "GET", "/centres/TST/messages", user="boss", timeout=10)
    assert (message["purpose"], message["to"]) == ("ticket_called", "+2547*****678")


def test_kiosk_phone_step_in_kiswahili_can_be_skipped(browsing: Browsing, live_server):
    page = browsing.open("kiosk", f"/kiosk/TST?token={KIOSK_TOKEN}", bypass_csp=True)
    page.get_by_role("button", name="Kiswahili").click()
    page.get_by_role("button", name="Usajili wa Watu").click()
    page.get_by_role("button", name="Kitambulisho cha Taifa").click()
    expect(page.get_by_role("heading", name="SMS zamu yako ikikaribia?")).to_be_visible()
    expect(page.get_by_label("Nakubali Huduma ihifadhi nambari hii")).not_to_be_checked()
    type_on_keypad(page, "phone-keys", "12345")
    page.get_by_label("Nakubali Huduma ihifadhi nambari hii").check()
    page.get_by_role("button", name="Pata tiketi na SMS").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Andika nambari ya simu ya Kenya kama 0712 345 678."
    )
    page.get_by_role("button", name="Bila SMS, pata tiketi").click()
    expect(page.locator("#ticket-number")).to_have_text("A001")
    assert api(live_server, "GET", "/centres/TST/messages", user="boss", timeout=10) == []


def test_kiosk_collects_a_ready_document_in_both_languages(browsing: Browsing, live_server):
    ref = ready_document(live_server)
    page = browsing.open("kiosk", f"/kiosk/TST?token={KIOSK_TOKEN}", bypass_csp=True)
    page.get_by_role("button", name="Collect a document").click()
    expect(page.get_by_role("heading", name="Collect a document")).to_be_visible()
    assert_accessible(page, "kiosk collection keypad")
    assert_touch_targets(page, "kiosk collection keypad")
    type_on_keypad(page, "collect-keys", ref)
    expect(page.get_by_label("Document ref")).to_have_value(ref)
    page.get_by_role("button", name="Get a ticket").click()
    expect(page.locator("#ticket-number")).to_have_text("B001")
    expect(page.locator("#ticket-service")).to_have_text("Birth certificate")

    page.get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Kiswahili").click()
    page.get_by_role("button", name="Chukua hati").click()
    type_on_keypad(page, "collect-keys", "ABCDE12345")
    page.get_by_role("button", name="Pata tiketi").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Hatukupata nambari hii. Iangalie kisha ujaribu tena."
    )
    assert_accessible(page, "kiosk collection, unknown ref, in Kiswahili")


def test_citizen_looks_up_a_document_on_a_phone(browsing: Browsing, live_server):
    ref = ready_document(live_server, phone="+254 711 222 333")
    page = browsing.open("track", "/documents/TST", bypass_csp=True)
    expect(page.get_by_role("heading", name="Is my document ready?")).to_be_visible()
    assert_accessible(page, "document look-up")
    assert_touch_targets(page, "document look-up")
    page.get_by_label("Document ref").fill(ref.lower())
    page.get_by_label("Last three digits of your phone").fill("334")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("alert")).to_contain_text("We found no document")
    page.get_by_label("Last three digits of your phone").fill("333")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("heading", name=f"Document {ref}")).to_be_visible()
    expect(page.get_by_text("Your document is ready.")).to_be_visible()
    page.get_by_role("button", name="Kiswahili").click()
    expect(page.get_by_role("heading", name=f"Hati {ref}")).to_be_visible()
    expect(page.get_by_text("Hati yako iko tayari.")).to_be_visible()
    assert_accessible(page, "document look-up, ready, in Kiswahili")


def test_staff_lodge_then_mark_a_batch_ready(browsing: Browsing, live_server):
    page = browsing.open("supervisor", "/documents/TST/staff", bypass_csp=True)
    assert_accessible(page, "documents staff sign-in")
    page.get_by_label("Username").fill("clerk1")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Service").select_option("BC")
    page.get_by_label("Citizen's phone number").fill("0712 345 678")
    page.get_by_role("button", name="Lodge").click()
    expect(page.get_by_role("alert")).to_contain_text("consent")
    page.get_by_label("The citizen agrees to SMS").check()
    page.get_by_role("button", name="Lodge").click()
    shown = page.locator("#lodged-ref")
    expect(shown).to_contain_text("-")
    ref = shown.text_content() or ""
    assert len(ref) == 11
    expect(page.locator("#list")).to_contain_text(ref)
    assert_accessible(page, "documents staff page")
    assert_touch_targets(page, "documents staff page")

    page.get_by_label("Refs").fill(f"{ref.lower()}\nNOPE-NOPE")
    page.get_by_role("button", name="Mark ready").click()
    expect(page.get_by_role("status")).to_have_text("1 ready. Unknown refs: NOPE-NOPE")
    expect(page.locator("#list tr", has_text=ref)).to_contain_text("Ready")
    page.get_by_role("button", name=f"Collected {ref}").click()
    expect(page.locator("#list tr", has_text=ref)).to_contain_text("Collected")
    page.get_by_role("button", name="Kiswahili").click()
    expect(page.locator("#list tr", has_text=ref)).to_contain_text("Imechukuliwa")
    assert_accessible(page, "documents staff page, in Kiswahili")
