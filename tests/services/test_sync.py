"""An outreach site's sync log, and the central server applying it once, in order."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.adapters.database import make_engine, migrate
from queue_server.adapters.unit_of_work import UnitOfWorkFactory
from queue_server.centre_config import parse_centre_config
from queue_server.domain.errors import Forbidden, InvalidValue, Malformed, NotFound
from queue_server.domain.sms import CONSENT_TEXT
from queue_server.services import counters, documents, sync, tickets
from queue_server.services.auth import Authenticator
from queue_server.services.common import Clock
from queue_server.services.counters import CounterRef
from queue_server.services.setup import apply_centre_config
from tests.services.conftest import clerk_principal
from tests.support.outreach import OTHER_SITE_TOKEN, OUTREACH_CONFIG, SITE_KIOSK_TOKEN, SITE_TOKEN

K1 = CounterRef("KBR", 1)


@pytest.fixture
def site(tmp_path: Path, clock) -> Iterator[dict]:
    """The site's own server: SQLite, its changes logged."""
    engine = make_engine(f"sqlite:///{tmp_path / 'site.db'}")
    migrate(engine)
    uow = UnitOfWorkFactory(engine)
    apply_centre_config(parse_centre_config(OUTREACH_CONFIG, "site"), uow=uow)
    uow.sync_log = frozenset({sync.site_centre(SITE_TOKEN, uow=uow).id})
    yield {"uow": uow, "auth": Authenticator(uow, clock, 3600), "clock": clock}
    engine.dispose()


@pytest.fixture
def central(uow) -> UnitOfWorkFactory:
    """The central server (SQLite and PostgreSQL), with the sites in its configuration."""
    apply_centre_config(parse_centre_config(OUTREACH_CONFIG, "central"), uow=uow)
    return uow


def a_day_at_the_site(site: dict, notifier) -> list[dict]:
    """Ten tickets issued, most called and finished, one transferred, one left waiting."""
    deps = {"uow": site["uow"], "notifier": notifier, "clock": site["clock"]}
    kiosk = site["auth"].principal(SITE_KIOSK_TOKEN)
    clerk = clerk_principal(site["auth"], "mashinani1")
    issued = [tickets.issue_ticket(kiosk, "KBR", code, **deps) for code in ["ID", "BC"] * 5]
    counters.open_counter(clerk, K1, **deps)
    for _ in range(6):
        site["clock"].advance(120)
        counters.call_next(clerk, K1, **deps)
        counters.start(clerk, K1, **deps)
    counters.transfer(clerk, K1, "ID", **deps)  # the sixth ticket is for BC
    counters.call_next(clerk, K1, **deps)
    counters.no_show(clerk, K1, **deps)
    counters.call_next(clerk, K1, **deps)
    counters.complete(clerk, K1, **deps)
    return issued


def site_batch(site: dict) -> dict:
    """The site's whole unsent log as one batch."""
    return sync.export_log("KBR", uow=site["uow"], clock=site["clock"])


def views(uow: UnitOfWorkFactory, ids: list[str], clock: Clock) -> list[dict]:
    """The tickets as `GET /tickets/{id}` shows them, but the estimate (which depends on the
    counters open there, live state that is not synced)."""
    return [
        {
            k: v
            for k, v in tickets.get_ticket(i, uow=uow, clock=clock).items()
            if k != "estimated_wait_s"
        }
        for i in ids
    ]


def test_every_change_at_the_site_is_logged_in_its_transaction(site, notifier):
    issued = a_day_at_the_site(site, notifier)
    entries = site_batch(site)["entries"]
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    snapshots = [e["data"] for e in entries if e["kind"] == "ticket"]
    assert {s["id"] for s in snapshots} == {t["id"] for t in issued}
    assert all("phone" not in s for s in snapshots)
    kinds = [e["data"]["kind"] for e in entries if e["kind"] == "ticket_event"]
    assert "transferred" in str(kinds) or len(kinds) >= 8
    status = sync.site_status("KBR", uow=site["uow"])
    assert status["pending"] == len(entries) and status["acked_seq"] == 0


def test_a_change_rolled_back_leaves_no_entry(site, notifier):
    deps = {"uow": site["uow"], "notifier": notifier, "clock": site["clock"]}
    kiosk = site["auth"].principal(SITE_KIOSK_TOKEN)
    issued = tickets.issue_ticket(kiosk, "KBR", "ID", **deps)
    with site["uow"]() as unit:  # changed and flushed, then left without a commit
        unit.repo.ticket(issued["id"]).status = "cancelled"
        unit.repo.flush()
    assert [e["data"]["status"] for e in site_batch(site)["entries"]] == ["waiting"]


def test_the_central_server_applies_the_log_and_shows_the_same_tickets(site, central, notifier):
    issued = a_day_at_the_site(site, notifier)
    batch = site_batch(site)
    principal = Authenticator(central, site["clock"], 3600).principal(SITE_TOKEN)
    answer = sync.receive_batch(principal, "KBR", batch, uow=central, clock=site["clock"])
    assert answer == {"acked_seq": len(batch["entries"])}
    ids = [t["id"] for t in issued]
    assert views(central, ids, site["clock"]) == views(site["uow"], ids, site["clock"])


def test_entries_twice_or_out_of_order_are_applied_once_in_order(site, central, notifier):
    issued = a_day_at_the_site(site, notifier)
    entries = site_batch(site)["entries"]
    principal = Authenticator(central, site["clock"], 3600).principal(SITE_TOKEN)

    def send(part: list[dict]) -> int:
        body = {"sent_at": site["clock"]().isoformat(), "entries": part}
        return sync.receive_batch(principal, "KBR", body, uow=central, clock=site["clock"])[
            "acked_seq"
        ]

    late, rest = entries[:3], entries[3:]
    shuffled = random.Random(7).sample(rest, len(rest))
    assert send(shuffled) == 0  # held: the first three are missing
    assert send(late[1:]) == 0
    assert send(late) == len(entries)
    assert send(entries) == len(entries)  # the whole batch again changes nothing
    ids = [t["id"] for t in issued]
    assert views(central, ids, site["clock"]) == views(site["uow"], ids, site["clock"])
    with central(write=False) as unit:
        from sqlalchemy import func, select

        from queue_server.adapters.orm import TicketEvent

        events = unit.session.scalar(select(func.count()).select_from(TicketEvent))
    assert events == sum(e["kind"] == "ticket_event" for e in entries)


def test_only_the_sites_own_token_uploads(site, central, notifier):
    a_day_at_the_site(site, notifier)
    batch = site_batch(site)
    auth = Authenticator(central, site["clock"], 3600)
    for who in (auth.principal(OTHER_SITE_TOKEN), clerk_principal(auth, "mashinani1")):
        with pytest.raises(Forbidden):
            sync.receive_batch(who, "KBR", batch, uow=central, clock=site["clock"])
    assert sync.central_status(auth.principal(SITE_TOKEN), "KBR", uow=central)["acked_seq"] == 0


def test_malformed_entries_are_refused_and_change_nothing(site, central, notifier):
    a_day_at_the_site(site, notifier)
    good = site_batch(site)
    principal = Authenticator(central, site["clock"], 3600).principal(SITE_TOKEN)
    bad_bodies = [
        [],
        {"entries": []},
        {**good, "entries": [{**good["entries"][0], "kind": "sms"}]},
        {**good, "entries": [{**good["entries"][0], "seq": 0}]},
        {**good, "entries": [{**good["entries"][0], "data": {"id": "x"}}]},
        {**good, "sent_at": "yesterday"},
    ]
    for body in bad_bodies:
        with pytest.raises((Malformed, InvalidValue)):
            sync.receive_batch(principal, "KBR", body, uow=central, clock=site["clock"])
    assert sync.central_status(principal, "KBR", uow=central)["acked_seq"] == 0


def test_the_clock_skew_is_measured_and_flagged_above_five_minutes(site, central, clock):
    principal = Authenticator(central, clock, 3600).principal(SITE_TOKEN)
    from datetime import timedelta

    body = {"sent_at": (clock() + timedelta(minutes=7)).isoformat(), "entries": []}
    sync.receive_batch(principal, "KBR", body, uow=central, clock=clock)
    status = sync.central_status(principal, "KBR", uow=central)
    assert status["clock_skew_s"] == 420 and status["clock_flagged"]
    body["sent_at"] = (clock() - timedelta(minutes=2)).isoformat()
    sync.receive_batch(principal, "KBR", body, uow=central, clock=clock)
    assert not sync.central_status(principal, "KBR", uow=central)["clock_flagged"]


def test_a_sponsored_sites_tickets_are_paid_by_the_sponsor(site, central, notifier):
    issued = a_day_at_the_site(site, notifier)
    assert {(t["paid_by"], t["sponsor"]) for t in issued} == {("sponsor", "Mombasa Cement")}
    assert {t["fee_kes"] for t in issued} <= {100, 50}


def test_the_sites_of_a_centre_are_listed_with_their_last_upload(central, clock):
    auth = Authenticator(central, clock, 3600)
    sites = sync.outreach_sites(clerk_principal(auth, "mashinani-boss"), uow=central)
    assert [s["centre"] for s in sites] == ["KBR", "LKN"]
    assert sites[0]["sponsor"] == "Mombasa Cement" and sites[0]["last_upload_at"] is None


def test_the_services_report_at_the_centre_equals_the_sites_after_the_day_closed(
    site, central, notifier
):
    from datetime import date

    from queue_server.services import feedback, reports

    issued = a_day_at_the_site(site, notifier)
    deps = {"uow": site["uow"], "notifier": notifier, "clock": site["clock"]}
    served = [
        t
        for t in views(site["uow"], [t["id"] for t in issued], site["clock"])
        if t["status"] == "done"
    ]
    for rating, ticket in enumerate(served, start=1):
        answer = feedback.Answer(rating=min(rating, 5), fee="no_fee", asked_for_money="no")
        feedback.give_feedback(ticket["id"], answer, **deps)
    site["clock"].advance(24 * 3600)  # the day is over: its figures can be stored
    entries = site_batch(site)["entries"]
    assert {"ticket", "ticket_event", "feedback"} <= {e["kind"] for e in entries}
    auth = Authenticator(central, site["clock"], 3600)
    boss = clerk_principal(auth, "mashinani-boss")
    days = (date(2026, 11, 23), date(2026, 11, 23))

    def report(uow: UnitOfWorkFactory) -> list[dict]:
        return reports.services_report(boss, "KBR", days, uow=uow, clock=site["clock"])

    principal = auth.principal(SITE_TOKEN)
    half = {"sent_at": site["clock"]().isoformat(), "entries": entries[: len(entries) // 2]}
    sync.receive_batch(principal, "KBR", half, uow=central, clock=site["clock"])
    assert report(central) != report(site["uow"])  # read for the closed day, incomplete
    sync.receive_batch(principal, "KBR", site_batch(site), uow=central, clock=site["clock"])
    rows = report(central)
    assert rows == report(site["uow"])
    assert sum(r["fees_sponsored_kes"] for r in rows) == sum(r["fees_kes"] for r in rows) > 0
    assert sum(r["feedback"] for r in rows) == len(served)


# --- Documents lodged at the site (Track my Service) ---------------------------------------

PHONE = "0712 345 678"


def lodge_at(site: dict, service: str = "BC", who: str = "mashinani1") -> str:
    """A document lodged at the site's desk; its ref."""
    clerk = clerk_principal(site["auth"], who)
    lodged = documents.lodge_document(
        clerk,
        "KBR",
        service,
        phone=PHONE,
        consent=True,
        language="sw",
        uow=site["uow"],
        clock=site["clock"],
    )
    return lodged["ref"]


def move_at(uow: UnitOfWorkFactory, auth: Authenticator, clock, ref: str, status: str) -> dict:
    boss = clerk_principal(auth, "mashinani-boss")
    return documents.set_status(boss, ref, status, uow=uow, clock=clock)


def shown_to_citizen(uow: UnitOfWorkFactory, clock, ref: str) -> dict:
    """`GET /documents/{ref}?phone=678` on that server."""
    return documents.look_up(ref, PHONE[-3:], "192.0.2.7", uow=uow, clock=clock)


def document_entries(site: dict) -> list[dict]:
    return [e["data"] for e in site_batch(site)["entries"] if e["kind"] == "document"]


def upload(central: UnitOfWorkFactory, site: dict, batch: dict | None = None) -> int:
    """The site's log (or `batch`) received by the central server; its `acked_seq`."""
    principal = Authenticator(central, site["clock"], 3600).principal(SITE_TOKEN)
    body = batch or site_batch(site)
    return sync.receive_batch(principal, "KBR", body, uow=central, clock=site["clock"])["acked_seq"]


def test_a_document_lodged_and_moved_on_at_the_site_is_logged_with_its_consent(site):
    ref = lodge_at(site)
    site["clock"].advance(3600)
    move_at(site["uow"], site["auth"], site["clock"], ref, "ready")
    lodged, ready = document_entries(site)
    assert (lodged["status"], ready["status"]) == ("lodged", "ready")
    assert {lodged["ref"], ready["ref"]} == {ref.replace("-", "")}
    assert ready["phone"] == "+254712345678" and ready["language"] == "sw"
    assert ready["phone_consent_text"] == {**CONSENT_TEXT, "shown": "sw"}
    assert ready["phone_consent_at"] == lodged["lodged_at"] == "2026-11-23T06:00:00+00:00"
    assert ready["ready_at"] == ready["updated_at"] == "2026-11-23T07:00:00+00:00"
    assert ready["lodged_by"] == "mashinani1" and ready["service"] == "BC"
    assert not {"name", "id_number", "id"} & ready.keys()


def test_a_document_change_rolled_back_leaves_no_entry(site):
    ref = lodge_at(site)
    with site["uow"]() as unit:  # changed and flushed, then left without a commit
        unit.repo.document(ref.replace("-", "")).status = "ready"
        unit.repo.flush()
    assert [d["status"] for d in document_entries(site)] == ["lodged"]


def test_the_central_server_answers_for_a_sites_document_as_the_site_does(site, central):
    ref = lodge_at(site)
    other = lodge_at(site, "ID")
    site["clock"].advance(3600)
    move_at(site["uow"], site["auth"], site["clock"], ref, "ready")
    upload(central, site)
    for each in (ref, other):
        shown = shown_to_citizen(central, site["clock"], each)
        assert shown == shown_to_citizen(site["uow"], site["clock"], each)
    assert shown_to_citizen(central, site["clock"], ref)["status"] == "ready"
    with pytest.raises(NotFound):  # the phone's digits are checked there as at the site
        documents.look_up(ref, "000", "192.0.2.8", uow=central, clock=site["clock"])
    with central(write=False) as unit:  # the site queued the ready message, not the centre
        assert unit.repo.centre_sms(unit.repo.centre("KBR"), limit=10) == []


def test_a_document_moved_on_at_the_centre_is_never_moved_back_by_the_site(site, central):
    ref = lodge_at(site)
    upload(central, site)
    central_auth = Authenticator(central, site["clock"], 3600)
    site["clock"].advance(60)
    move_at(central, central_auth, site["clock"], ref, "ready")  # the box came to the parent
    site["clock"].advance(60)
    move_at(site["uow"], site["auth"], site["clock"], ref, "in_process")  # not known there yet
    upload(central, site)
    assert shown_to_citizen(central, site["clock"], ref)["status"] == "ready"
    with central(write=False) as unit:
        messages = unit.repo.centre_sms(unit.repo.centre("KBR"), limit=10)
        assert {(m.purpose, m.phone) for m in messages} == {
            ("document_ready", "+254712345678"),
            ("document_reminder", "+254712345678"),
        }
    site["clock"].advance(60)
    for status in ("ready", "collected"):  # the citizen collects at the tent
        move_at(site["uow"], site["auth"], site["clock"], ref, status)
    upload(central, site)
    assert shown_to_citizen(central, site["clock"], ref) == shown_to_citizen(
        site["uow"], site["clock"], ref
    )


def test_document_entries_twice_or_out_of_order_are_applied_once(site, central):
    refs = [lodge_at(site, code) for code in ("ID", "BC") * 3]
    for ref in refs[:4]:
        move_at(site["uow"], site["auth"], site["clock"], ref, "ready")
    move_at(site["uow"], site["auth"], site["clock"], refs[0], "collected")
    entries = site_batch(site)["entries"]
    body = {"sent_at": site["clock"]().isoformat()}
    shuffled = random.Random(3).sample(entries[1:], len(entries) - 1)
    assert upload(central, site, {**body, "entries": shuffled}) == 0
    assert upload(central, site, {**body, "entries": entries}) == len(entries)
    assert upload(central, site, {**body, "entries": entries}) == len(entries)
    with central(write=False) as unit:
        held = unit.repo.centre_documents(unit.repo.centre("KBR"), None, 100)
        assert sorted(d.status for d in held) == ["collected", "lodged", "lodged"] + ["ready"] * 3
    for ref in refs:
        assert shown_to_citizen(central, site["clock"], ref) == shown_to_citizen(
            site["uow"], site["clock"], ref
        )


def test_a_document_entry_naming_another_centres_document_is_refused(site, central, clock):
    tst_clerk = clerk_principal(Authenticator(central, clock, 3600), "clerk1")
    theirs = documents.lodge_document(
        tst_clerk, "TST", "BC", phone=PHONE, consent=True, language="en", uow=central, clock=clock
    )["ref"]
    lodge_at(site)
    batch = site_batch(site)
    entry = batch["entries"][0]
    forged = {**entry, "data": {**entry["data"], "ref": theirs.replace("-", "")}}
    with pytest.raises(InvalidValue) as refused:
        upload(central, site, {**batch, "entries": [forged]})
    assert refused.value.code == "foreign_document"
    no_consent = {**entry, "data": {**entry["data"], "phone_consent_at": None}}
    with pytest.raises(InvalidValue):
        upload(central, site, {**batch, "entries": [no_consent]})
    assert sync.central_status(
        Authenticator(central, clock, 3600).principal(SITE_TOKEN), "KBR", uow=central
    ) == {"centre": "KBR", "acked_seq": 0, "last_upload_at": None} | {
        "clock_skew_s": None,
        "clock_flagged": False,
    }


def test_the_site_keeps_its_log_only_until_the_central_server_acknowledges_it(site, central):
    lodge_at(site)
    first = site_batch(site)
    lodge_at(site)
    acked = upload(central, site, first)
    sync.record_upload("KBR", acked_seq=acked, error=None, uow=site["uow"], clock=site["clock"])
    left = site_batch(site)["entries"]
    assert [e["seq"] for e in left] == [acked + 1]
    with site["uow"](write=False) as unit:
        assert unit.repo.sync_entries_waiting() == {"waiting": 1}
    assert sync.site_status("KBR", uow=site["uow"])["pending"] == 1


def test_the_sweep_returning_a_document_and_forgetting_its_number_is_logged(site, central):
    ref = lodge_at(site)
    move_at(site["uow"], site["auth"], site["clock"], ref, "ready")
    upload(central, site)
    site["clock"].advance(61 * 86400)  # past the default document_return_days (60)
    assert documents.return_uncollected(uow=site["uow"], clock=site["clock"]) == 1
    site["clock"].advance(31 * 86400)  # 30 days after it was returned, the number goes
    documents.return_uncollected(uow=site["uow"], clock=site["clock"])
    returned, forgotten = document_entries(site)[-2:]
    assert (returned["status"], returned["phone"]) == ("returned", "+254712345678")
    assert (forgotten["status"], forgotten["phone"]) == ("returned", None)
    upload(central, site)
    with central(write=False) as unit:
        document = unit.repo.document(ref.replace("-", ""))
        assert document is not None
        assert (document.status, document.phone) == ("returned", None)
