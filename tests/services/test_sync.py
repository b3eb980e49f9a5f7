"""An outreach site's sync log, and the central server applying it once, in order."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.adapters.database import make_engine, migrate
from queue_server.adapters.unit_of_work import UnitOfWorkFactory
from queue_server.centre_config import parse_centre_config
from queue_server.domain.errors import Forbidden, InvalidValue, Malformed
from queue_server.services import counters, sync, tickets
from queue_server.services.auth import Authenticator
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


def views(uow: UnitOfWorkFactory, ids: list[str]) -> list[dict]:
    """The tickets as `GET /tickets/{id}` shows them, but the estimate (which depends on the
    counters open there, live state that is not synced)."""
    return [
        {k: v for k, v in tickets.get_ticket(i, uow=uow).items() if k != "estimated_wait_s"}
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
    assert views(central, ids) == views(site["uow"], ids)


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
    assert views(central, ids) == views(site["uow"], ids)
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
    served = [t for t in views(site["uow"], [t["id"] for t in issued]) if t["status"] == "done"]
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
