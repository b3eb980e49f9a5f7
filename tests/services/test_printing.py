"""Print jobs: stored with the ticket, claimed once, retried, recorded; agents; reprints."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from printer.backends import UNKNOWN_STATUS, send
from printer.jobs import Delivery, deliver
from queue_server.adapters.database import make_engine, migrate
from queue_server.adapters.orm import Device
from queue_server.adapters.unit_of_work import UnitOfWorkFactory
from queue_server.centre_config import parse_centre_config
from queue_server.domain.errors import Forbidden, InvalidState, NotFound
from queue_server.domain.events import PrintJobQueued
from queue_server.services import appointments, counters, tickets
from queue_server.services.counters import CounterRef
from queue_server.services.printing import agent as print_agent
from queue_server.services.printing import attempts as print_attempts
from queue_server.services.printing import staff as print_staff
from queue_server.services.printing import worker as print_worker
from queue_server.services.setup import apply_centre_config
from tests.services.conftest import clerk_principal
from tests.support.escpos import decode
from tests.support.fake_printer import FakePrinter
from tests.support.print_centre import (
    AGENT_KIOSK_TOKEN,
    CENTRE,
    CLERK,
    DISPLAY_TOKEN,
    OTHER_SUPERVISOR,
    PLAIN_KIOSK_TOKEN,
    PRINTER_AGENT_TOKEN,
    SUPERVISOR,
    TCP_KIOSKS,
    print_config,
    tcp_kiosk_token,
)

BASE_URL = "http://queue.test:5000/"
KIOSK_1 = tcp_kiosk_token(1)
QUICK_S = 0.3  # status timeout for silent printers: short, so the tests stay fast


@pytest.fixture
def fake() -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        yield printer


@pytest.fixture
def uow(db_url: str, fake: FakePrinter) -> Iterator[UnitOfWorkFactory]:
    """A database with centre PRN only (quicker to set up), every tcp kiosk on the fake printer."""
    engine = make_engine(db_url)
    migrate(engine)
    factory = UnitOfWorkFactory(engine)
    config = print_config([fake.url] * TCP_KIOSKS)
    apply_centre_config(parse_centre_config(config, "print test"), uow=factory)
    yield factory
    engine.dispose()


@pytest.fixture
def supervisor(auth):
    return clerk_principal(auth, SUPERVISOR)


def issue(auth, deps, token=KIOSK_1, **kw) -> dict:
    """Issue an ID ticket at the kiosk with `token`."""
    kiosk = auth.principal(token)
    return tickets.issue_ticket(kiosk, CENTRE, "ID", base_url=BASE_URL, **kw, **deps)


def print_due(uow, clock, timeout_s: float = 3.0) -> list[str]:
    """One pass of the print worker with the real printer code."""
    return print_worker.print_due_jobs(
        deliver=partial(deliver, timeout_s=timeout_s), uow=uow, clock=clock
    )


def job(supervisor, job_id: int, uow) -> dict:
    return print_staff.get_print_job(supervisor, job_id, uow=uow)


def kiosk_printer(auth, uow, token=KIOSK_1) -> dict:
    return print_staff.device_me(auth.principal(token), uow=uow)["printer"]


def test_a_kiosk_ticket_is_stored_with_its_print_job_and_printed_exactly(
    auth, deps, supervisor, fake, notifier
):
    ticket = issue(auth, deps)
    assert ticket["print"]["state"] == "pending"
    assert ticket["print"]["printer"] == {
        "url_kind": "tcp",
        "state": "unknown",
        "online": None,
        "paper": "unknown",
        "cover_open": None,
        "last_error": None,
        "checked_at": None,
        "pending_jobs": 1,
    }
    [queued] = notifier.of(PrintJobQueued)
    assert (queued.job_id, queued.by_agent, queued.number) == (ticket["print"]["id"], False, "A001")

    assert print_due(deps["uow"], deps["clock"]) == ["printed"]
    [data] = fake.wait_for_jobs(1)
    decoded = decode(data)
    assert decoded.names[0] == "init" and decoded.names[-1] == "cut"
    assert "A001" in decoded.lines
    assert decoded.qr_codes == [f"http://queue.test:5000/track/{ticket['id']}".encode()]
    assert fake.status_requests == [1, 2, 4]  # asked before printing
    printed = job(supervisor, ticket["print"]["id"], deps["uow"])
    assert (printed["state"], printed["attempts"], printed["reprint"]) == ("printed", 1, False)
    assert printed["printed_at"].endswith("+03:00")
    state = kiosk_printer(auth, deps["uow"])
    assert (state["state"], state["online"], state["paper"], state["pending_jobs"]) == (
        "ok",
        True,
        "ok",
        0,
    )
    assert print_due(deps["uow"], deps["clock"]) == []  # nothing prints twice


def test_a_checked_in_appointment_prints_as_one(auth, deps, fake):
    start = datetime(2026, 11, 23, 9, 15, tzinfo=ZoneInfo("Africa/Nairobi"))
    booked = appointments.book(CENTRE, "ID", start, uow=deps["uow"], clock=deps["clock"])
    ticket, _ = appointments.check_in(
        auth.principal(KIOSK_1), CENTRE, booked["ref"], base_url=BASE_URL, **deps
    )
    assert ticket["print"]["state"] == "pending"
    assert print_due(deps["uow"], deps["clock"]) == ["printed"]
    lines = decode(fake.wait_for_jobs(1)[0]).lines
    assert " APPOINTMENT / MIADI " in lines and f"Ref {booked['ref']}" in lines


def test_only_kiosks_with_printers_get_one_job_per_ticket(auth, deps, supervisor):
    uow = deps["uow"]
    assert "print" not in issue(auth, deps, PLAIN_KIOSK_TOKEN)
    staff = tickets.issue_ticket(supervisor, CENTRE, "ID", base_url=BASE_URL, **deps)
    assert "print" not in staff
    assert print_staff.list_print_jobs(supervisor, CENTRE, state=None, limit=50, uow=uow) == []
    assert print_staff.device_me(auth.principal(PLAIN_KIOSK_TOKEN), uow=uow)["printer"] is None
    first = issue(auth, deps, idempotency_key="tap-1")
    again = issue(auth, deps, idempotency_key="tap-1")
    assert again["print"]["id"] == first["print"]["id"]
    assert len(print_staff.list_print_jobs(supervisor, CENTRE, state=None, limit=50, uow=uow)) == 1


def test_a_printer_that_is_down_is_retried_with_backoff_and_prints_once(
    auth, deps, supervisor, fake
):
    uow, clock = deps["uow"], deps["clock"]
    fake.go_down()
    ticket = issue(auth, deps)
    assert print_due(uow, clock) == ["pending"]
    waiting = job(supervisor, ticket["print"]["id"], uow)
    assert waiting["attempts"] == 1 and "cannot be reached" in waiting["last_error"]
    state = kiosk_printer(auth, uow)
    assert (state["state"], state["online"], state["pending_jobs"]) == ("fault", False, 1)

    assert print_due(uow, clock) == []  # not due before its retry time
    clock.advance(1)
    assert print_due(uow, clock) == ["pending"]
    clock.advance(1)
    assert print_due(uow, clock) == []  # the second retry waits 2 s
    fake.come_up()
    clock.advance(1)
    assert print_due(uow, clock) == ["printed"]
    assert len(fake.wait_for_jobs(1)) == 1
    assert kiosk_printer(auth, uow)["state"] == "ok"


def test_a_new_ticket_makes_the_waiting_jobs_of_its_printer_due(auth, deps, fake):
    uow, clock = deps["uow"], deps["clock"]
    fake.go_down()
    issue(auth, deps)
    for _ in range(4):  # the retry delay grows to 8 s
        clock.advance(10)
        print_due(uow, clock)
    fake.come_up()
    issue(auth, deps)
    assert print_due(uow, clock) == ["printed"]
    assert print_due(uow, clock) == ["printed"]
    # The printer takes a job as finished once the connection closes, a moment after the send.
    jobs = fake.wait_for_jobs(2, timeout=10)
    numbers = [next(line for line in decode(d).lines if line.startswith("A0")) for d in jobs]
    assert numbers == ["A001", "A002"]  # in issue order, one job at a time per printer


def test_a_printer_reporting_a_fault_keeps_the_job_waiting(auth, deps, supervisor, fake):
    uow, clock = deps["uow"], deps["clock"]
    ticket = issue(auth, deps)
    for status, fault in [
        ({"paper": "out", "online": False}, "paper_out"),
        ({"cover_open": True}, "cover_open"),
    ]:
        fake.set_status(**status)
        assert print_due(uow, clock) == ["pending"]
        state = kiosk_printer(auth, uow)
        assert state["state"] == "fault" and fault in state["last_error"]
        assert state["paper"] == status.get("paper", "ok")
        assert state["cover_open"] is status.get("cover_open", False)
        clock.advance(10)
    assert fake.jobs == []
    assert job(supervisor, ticket["print"]["id"], uow)["state"] == "pending"


def test_a_printer_that_never_answers_status_is_unknown_and_not_printed(
    auth, deps, supervisor, fake
):
    fake.set_silent()
    ticket = issue(auth, deps)
    assert print_due(deps["uow"], deps["clock"], QUICK_S) == ["pending"]
    assert fake.jobs == []
    state = kiosk_printer(auth, deps["uow"])
    assert (state["state"], state["online"], state["paper"]) == ("unknown", None, "unknown")
    assert "did not answer" in state["last_error"]
    assert job(supervisor, ticket["print"]["id"], deps["uow"])["state"] == "pending"


def test_a_job_fails_after_its_last_attempt_and_a_supervisor_can_retry_it(
    auth, deps, supervisor, fake, monkeypatch
):
    uow, clock = deps["uow"], deps["clock"]
    monkeypatch.setattr(print_attempts, "MAX_ATTEMPTS", 2)
    fake.go_down()
    ticket = issue(auth, deps)
    job_id = ticket["print"]["id"]
    assert print_due(uow, clock) == ["pending"]
    clock.advance(1)
    assert print_due(uow, clock) == ["failed"]
    clock.advance(60)
    assert print_due(uow, clock) == []
    with pytest.raises(Forbidden):
        print_staff.retry_print_job(clerk_principal(auth, CLERK), job_id, **deps)
    fake.come_up()
    assert print_staff.retry_print_job(supervisor, job_id, **deps)["state"] == "pending"
    assert print_due(uow, clock) == ["printed"]
    with pytest.raises(InvalidState) as info:
        print_staff.retry_print_job(supervisor, job_id, **deps)
    assert info.value.code == "not_failed"


def test_a_printer_that_cannot_be_used_fails_the_job_at_once(auth, deps, supervisor):
    ticket = issue(auth, deps)
    with deps["uow"]() as unit:  # the kiosk's printer was taken out of the configuration
        unit.session.execute(
            update(Device).values(printer="none").where(Device.name == "kiosk-tcp-1")
        )
        unit.commit()
    assert print_due(deps["uow"], deps["clock"]) == ["failed"]
    assert "no printer" in job(supervisor, ticket["print"]["id"], deps["uow"])["last_error"]


def test_a_job_left_printing_by_a_dead_worker_comes_back_after_its_lease(auth, deps, supervisor):
    uow, clock = deps["uow"], deps["clock"]
    ticket = issue(auth, deps)
    [claimed] = print_worker.claim_due_jobs(uow=uow, clock=clock)  # and the worker dies
    assert job(supervisor, claimed.id, uow)["state"] == "printing"
    clock.advance(30)
    assert print_worker.claim_due_jobs(uow=uow, clock=clock) == []
    clock.advance(print_worker.LEASE.total_seconds())
    [again] = print_worker.claim_due_jobs(uow=uow, clock=clock)
    assert again.id == claimed.id == ticket["print"]["id"]
    assert job(supervisor, again.id, uow)["attempts"] == 2


def test_a_worker_that_dies_while_sending_never_gets_the_job_sent_again(
    auth, deps, supervisor, fake
):
    uow, clock = deps["uow"], deps["clock"]
    ticket = issue(auth, deps)
    [claimed] = print_worker.claim_due_jobs(uow=uow, clock=clock)

    class Died(Exception):
        """The worker's process ends right after the bytes went out."""

    def send_then_die(url: str, data: bytes) -> None:
        send(url, data)
        raise Died

    with pytest.raises(Died):
        print_worker.print_job(
            claimed,
            deliver=partial(deliver, timeout_s=3.0, write=send_then_die),
            uow=uow,
            clock=clock,
        )
    assert len(fake.wait_for_jobs(1)) == 1
    clock.advance(print_worker.LEASE.total_seconds() + 1)
    assert print_worker.claim_due_jobs(uow=uow, clock=clock) == []  # not sent a second time
    left = job(supervisor, ticket["print"]["id"], uow)
    assert left["state"] == "failed" and "may have printed" in left["last_error"]
    assert len(fake.jobs) == 1


def test_concurrent_workers_never_take_a_job_twice(auth, deps, db_url):
    uow, clock = deps["uow"], deps["clock"]
    for i in range(1, TCP_KIOSKS + 1):
        for _ in range(3):
            issue(auth, deps, tcp_kiosk_token(i))
    taken: list[int] = []
    lock = threading.Lock()

    def printed(url: str, data: bytes, **_: object) -> Delivery:
        return Delivery(True, UNKNOWN_STATUS, "unknown")

    def worker(factory: UnitOfWorkFactory) -> None:
        for _ in range(100):  # bounded, so a bug fails the test instead of hanging it
            if len(taken) >= 3 * TCP_KIOSKS:
                return
            for claimed in print_worker.claim_due_jobs(uow=factory, clock=clock):
                with lock:
                    taken.append(claimed.id)
                print_worker.print_job(claimed, deliver=printed, uow=factory, clock=clock)

    engines = [make_engine(db_url) for _ in range(4)]
    threads = [threading.Thread(target=worker, args=(UnitOfWorkFactory(e),)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert len(taken) == len(set(taken)) == 3 * TCP_KIOSKS
    assert print_worker.claim_due_jobs(uow=uow, clock=clock) == []


def test_agent_jobs_wait_for_the_agent_and_are_acknowledged(auth, deps, supervisor, notifier):
    uow, clock = deps["uow"], deps["clock"]
    first = issue(auth, deps, AGENT_KIOSK_TOKEN)
    second = issue(auth, deps, AGENT_KIOSK_TOKEN)
    assert [e.by_agent for e in notifier.of(PrintJobQueued)] == [True, True]
    assert print_due(uow, clock) == []  # the server does not print for agents
    kiosk = print_agent.agent_kiosk(auth.principal(AGENT_KIOSK_TOKEN), None, uow=uow)
    sent = print_agent.agent_jobs(kiosk, uow=uow, clock=clock)
    assert [j["id"] for j in sent] == [first["print"]["id"], second["print"]["id"]]
    assert "A001" in decode(base64.b64decode(sent[0]["data"])).lines

    failure = Delivery(False, UNKNOWN_STATUS, "fault", "usb printer not found")
    report = print_agent.agent_reported(kiosk, sent[0]["id"], failure, uow=uow, clock=clock)
    assert (report["job"]["state"], report["retry_in_s"]) == ("pending", 1.0)
    report = print_agent.agent_reported(kiosk, sent[0]["id"], failure, uow=uow, clock=clock)
    assert (report["job"]["attempts"], report["retry_in_s"]) == (2, 2.0)
    assert kiosk_printer(auth, uow, AGENT_KIOSK_TOKEN)["last_error"] == "usb printer not found"
    done = Delivery(True, UNKNOWN_STATUS, "unknown")
    report = print_agent.agent_reported(kiosk, sent[0]["id"], done, uow=uow, clock=clock)
    assert (report["job"]["state"], report["retry_in_s"]) == ("printed", None)
    assert [j["id"] for j in print_agent.agent_jobs(kiosk, uow=uow, clock=clock)] == [
        second["print"]["id"]
    ]
    broken = Delivery(False, UNKNOWN_STATUS, "fault", "no such device", permanent=True)
    report = print_agent.agent_reported(kiosk, sent[1]["id"], broken, uow=uow, clock=clock)
    assert report["job"]["state"] == "failed"

    other = issue(auth, deps)
    with pytest.raises(NotFound):
        print_agent.agent_reported(kiosk, other["print"]["id"], done, uow=uow, clock=clock)


def test_who_may_be_a_print_agent(auth, deps):
    uow = deps["uow"]
    agent = auth.principal(PRINTER_AGENT_TOKEN)
    assert print_agent.agent_kiosk(agent, "kiosk-agent", uow=uow).kiosk == "kiosk-agent"
    refusals = [
        (agent, None, InvalidState, "no_kiosk"),
        (agent, "kiosk-nope", NotFound, "unknown_kiosk"),
        (agent, "kiosk-tcp-1", InvalidState, "not_an_agent_printer"),
        (auth.principal(tcp_kiosk_token(1)), None, InvalidState, "not_an_agent_printer"),
        (auth.principal(DISPLAY_TOKEN), None, Forbidden, "forbidden"),
        (clerk_principal(auth, CLERK), None, Forbidden, "forbidden"),
    ]
    for principal, kiosk, error, code in refusals:
        with pytest.raises(error) as info:
            print_agent.agent_kiosk(principal, kiosk, uow=uow)
        assert info.value.code == code


def test_a_supervisor_reprints_an_open_ticket_and_nobody_else_may(auth, deps, supervisor, fake):
    uow, clock = deps["uow"], deps["clock"]
    ticket = issue(auth, deps)
    assert print_due(uow, clock) == ["printed"]
    for principal in [
        clerk_principal(auth, CLERK),
        clerk_principal(auth, OTHER_SUPERVISOR),
        auth.principal(tcp_kiosk_token(1)),
    ]:
        with pytest.raises(Forbidden):
            print_staff.reprint_ticket(
                principal, ticket["id"], kiosk=None, base_url=BASE_URL, **deps
            )
    again = print_staff.reprint_ticket(
        supervisor, ticket["id"], kiosk=None, base_url=BASE_URL, **deps
    )
    assert (again["reprint"], again["state"], again["kiosk"]) == (True, "pending", "kiosk-tcp-1")
    assert print_due(uow, clock) == ["printed"]
    first, second = fake.wait_for_jobs(2)
    assert decode(first).lines == decode(second).lines

    elsewhere = print_staff.reprint_ticket(
        supervisor, ticket["id"], kiosk="kiosk-tcp-2", base_url=BASE_URL, **deps
    )
    assert elsewhere["kiosk"] == "kiosk-tcp-2"
    for kiosk, code in [("kiosk-plain", "no_printer"), ("agent-1", "unknown_kiosk")]:
        with pytest.raises((InvalidState, NotFound)) as info:
            print_staff.reprint_ticket(
                supervisor, ticket["id"], kiosk=kiosk, base_url=BASE_URL, **deps
            )
        assert info.value.code == code


def test_a_reprint_needs_an_open_ticket_and_a_printer(auth, deps, supervisor):
    staff = tickets.issue_ticket(supervisor, CENTRE, "ID", base_url=BASE_URL, **deps)
    with pytest.raises(InvalidState) as info:
        print_staff.reprint_ticket(supervisor, staff["id"], kiosk=None, base_url=BASE_URL, **deps)
    assert info.value.code == "no_printer"
    clerk = clerk_principal(auth, CLERK)
    counter = CounterRef(CENTRE, 1)
    counters.open_counter(clerk, counter, **deps)
    counters.call_next(clerk, counter, **deps)
    counters.complete(clerk, counter, **deps)
    with pytest.raises(InvalidState) as info:
        print_staff.reprint_ticket(
            supervisor, staff["id"], kiosk="kiosk-tcp-1", base_url=BASE_URL, **deps
        )
    assert info.value.code == "ticket_closed"


def test_who_sees_which_print_jobs(auth, deps, supervisor):
    uow = deps["uow"]
    mine = issue(auth, deps, tcp_kiosk_token(1))["print"]["id"]
    theirs = issue(auth, deps, tcp_kiosk_token(2))["print"]["id"]
    everything = print_staff.list_print_jobs(supervisor, CENTRE, state=None, limit=50, uow=uow)
    assert [j["id"] for j in everything] == [theirs, mine]  # newest first
    assert print_staff.list_print_jobs(supervisor, CENTRE, state="printed", limit=50, uow=uow) == []
    kiosk = auth.principal(tcp_kiosk_token(1))
    own = print_staff.list_print_jobs(kiosk, CENTRE, state=None, limit=50, uow=uow)
    assert [j["id"] for j in own] == [mine]
    assert print_staff.get_print_job(kiosk, mine, uow=uow)["kiosk"] == "kiosk-tcp-1"
    with pytest.raises(NotFound):
        print_staff.get_print_job(kiosk, theirs, uow=uow)
    for principal in [clerk_principal(auth, CLERK), clerk_principal(auth, OTHER_SUPERVISOR)]:
        with pytest.raises(Forbidden):
            print_staff.list_print_jobs(principal, CENTRE, state=None, limit=50, uow=uow)
        with pytest.raises(Forbidden):
            print_staff.get_print_job(principal, mine, uow=uow)
    with pytest.raises(Forbidden):
        print_staff.device_me(supervisor, uow=uow)
    me = print_staff.device_me(kiosk, uow=uow)
    assert (me["name"], me["kind"], me["centre"]) == ("kiosk-tcp-1", "kiosk", CENTRE)


def _with_optional_status(uow, fake: FakePrinter) -> None:
    """kiosk-tcp-1's printer need not answer the status request (printer_status = optional)."""
    config = print_config([fake.url] * TCP_KIOSKS)
    marked = config.replace(
        f'name = "kiosk-tcp-1"\n  token = "{KIOSK_1}"\n  printer = "{fake.url}"\n',
        f'name = "kiosk-tcp-1"\n  token = "{KIOSK_1}"\n  printer = "{fake.url}"\n'
        '  printer_status = "optional"\n',
    )
    assert marked != config
    apply_centre_config(parse_centre_config(marked, "print test"), uow=uow)


def test_a_silent_printer_marked_optional_prints_and_its_state_stays_unknown(
    auth, deps, supervisor, fake
):
    _with_optional_status(deps["uow"], fake)
    fake.set_silent()
    ticket = issue(auth, deps)
    assert print_due(deps["uow"], deps["clock"], QUICK_S) == ["printed"]
    assert "A001" in decode(fake.wait_for_jobs(1)[0]).lines
    state = kiosk_printer(auth, deps["uow"])
    assert (state["state"], state["online"], state["paper"]) == ("unknown", None, "unknown")
    assert job(supervisor, ticket["print"]["id"], deps["uow"])["state"] == "printed"


def test_a_job_older_than_print_expiry_expires_and_is_listed_for_a_reprint(
    auth, deps, supervisor, fake, notifier
):
    uow, clock = deps["uow"], deps["clock"]
    fake.go_down()
    old = issue(auth, deps)
    assert print_due(uow, clock, QUICK_S) == ["pending"]
    clock.advance(301)  # the default print_expiry_s is 300
    fresh = issue(auth, deps)
    fake.come_up()
    assert print_due(uow, clock, QUICK_S) == ["printed"]  # only the fresh ticket prints
    assert ["A002" in decode(data).lines for data in fake.wait_for_jobs(1)] == [True]
    expired = print_staff.list_print_jobs(supervisor, CENTRE, state="expired", limit=10, uow=uow)
    assert [j["id"] for j in expired] == [old["print"]["id"]]
    assert "print_expiry_s" in expired[0]["last_error"]
    assert job(supervisor, fresh["print"]["id"], uow)["state"] == "printed"
    # A supervisor decides the citizen still needs it.
    retried = print_staff.retry_print_job(supervisor, old["print"]["id"], **deps)
    assert retried["state"] == "pending"
    assert print_due(uow, clock, QUICK_S) == ["printed"]
