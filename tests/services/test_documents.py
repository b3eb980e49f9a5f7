"""Track my Service: lodge, move forward, tell the citizen, look up, collect, return."""

from __future__ import annotations

from datetime import timedelta

import pytest

from queue_server.centre_config import parse_centre_config
from queue_server.domain.errors import (
    Forbidden,
    InvalidState,
    InvalidValue,
    NotFound,
    TooLarge,
    TooManyAttempts,
)
from queue_server.domain.sms import CONSENT_TEXT
from queue_server.services import documents
from queue_server.services.setup import apply_centre_config
from tests.services.conftest import clerk_principal
from tests.support.centres import TEST_CONFIG

PHONE = "0712 345 678"
ADDRESS = "192.0.2.7"


@pytest.fixture
def deps(uow, notifier, clock) -> dict:
    """The test centres, where birth certificates (BC) are collected at the KRA desk."""
    text = TEST_CONFIG.replace('code = "BC"\n', 'code = "BC"\n  collect_service = "KRA"\n', 1)
    apply_centre_config(parse_centre_config(text, "test"), uow=uow)
    return {"uow": uow, "notifier": notifier, "clock": clock}


def lodge(clerk, deps, service="BC", **kw) -> dict:
    fields = {"phone": PHONE, "consent": True, "language": "en"} | kw
    return documents.lodge_document(
        clerk, "TST", service, uow=deps["uow"], clock=deps["clock"], **fields
    )


def move(clerk, deps, ref, status) -> dict:
    return documents.set_status(clerk, ref, status, uow=deps["uow"], clock=deps["clock"])


def look_up(deps, ref, last3, address=ADDRESS) -> dict:
    return documents.look_up(ref, last3, address, uow=deps["uow"], clock=deps["clock"])


def outbox(uow) -> list[tuple[str, str, str]]:
    with uow(write=False) as unit:
        found = unit.repo.centre_sms(unit.repo.centre("TST"), limit=100)
        return [(m.purpose, m.subject, m.status) for m in reversed(found)]


def test_a_lodged_document_has_a_random_ref_and_keeps_the_consent(clerk, deps, uow, clock):
    first, second = lodge(clerk, deps), lodge(clerk, deps, language="sw")
    assert first["status"] == "lodged" and first["service"] == "BC"
    for ref in (first["ref"], second["ref"]):
        assert len(ref) == 11 and ref[5] == "-"
        assert set(ref.replace("-", "")) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert first["ref"] != second["ref"]
    with uow(write=False) as unit:
        stored = unit.repo.document(second["ref"].replace("-", ""))
    assert stored.phone == "+254712345678"
    assert (stored.phone_consent_at, stored.phone_consent_text) == (
        clock(),
        {**CONSENT_TEXT, "shown": "sw"},
    )


def test_lodging_needs_staff_of_the_centre_a_phone_and_consent(clerk, kiosk, auth, deps):
    with pytest.raises(InvalidValue) as refused:
        lodge(clerk, deps, consent=False)
    assert refused.value.code == "consent_required"
    with pytest.raises(InvalidValue):
        lodge(clerk, deps, phone="12345")
    with pytest.raises(InvalidValue):
        lodge(clerk, deps, phone=None)
    with pytest.raises(Forbidden):
        lodge(kiosk, deps)
    with pytest.raises(Forbidden):
        lodge(clerk_principal(auth, "outsider"), deps)
    with pytest.raises(NotFound):
        lodge(clerk, deps, service="NOPE")
    with deps["uow"](write=False) as unit:
        assert unit.repo.centre_documents(unit.repo.centre("TST"), None, 10) == []


def test_statuses_only_move_forward(clerk, deps):
    ref = lodge(clerk, deps)["ref"]
    assert move(clerk, deps, ref.lower(), "in_process")["status"] == "in_process"
    for backwards in ("lodged", "in_process", "collected"):
        with pytest.raises(InvalidState):
            move(clerk, deps, ref, backwards)
    assert move(clerk, deps, ref.replace("-", ""), "ready")["status"] == "ready"
    assert move(clerk, deps, ref, "collected")["status"] == "collected"
    for later in ("ready", "returned", "collected"):
        with pytest.raises(InvalidState):
            move(clerk, deps, ref, later)
    with pytest.raises(InvalidValue):
        move(clerk, deps, ref, "lost")
    with pytest.raises(NotFound):
        move(clerk, deps, "00000-00000", "ready")


def test_ready_sends_one_sms_and_reminders_at_7_and_21_days_until_collected(
    clerk, deps, uow, clock
):
    ref = lodge(clerk, deps)["ref"]
    plain = ref.replace("-", "")
    move(clerk, deps, ref, "ready")
    assert outbox(uow) == [
        ("document_ready", f"document:{plain}", "queued"),
        ("document_reminder", f"document:{plain}:7", "queued"),
        ("document_reminder", f"document:{plain}:21", "queued"),
    ]
    with uow(write=False) as unit:
        ready, week, three_weeks = reversed(unit.repo.centre_sms(unit.repo.centre("TST"), 3))
    assert ready.body == (
        f"Huduma TST: your document {ref} is ready. Collect it with your receipt: "
        "press Collect a document at the kiosk."
    )
    assert week.next_try_at == clock() + timedelta(days=7)
    assert three_weeks.next_try_at == clock() + timedelta(days=21)
    assert "by 2027-01-22" in week.body  # 60 days after ready, the centre's local date
    clock.advance(8 * 86400)
    move(clerk, deps, ref, "collected")
    assert [status for *_, status in outbox(uow)] == ["queued", "expired", "expired"]


def test_a_batch_marks_documents_ready_once(clerk, auth, deps, uow):
    outsider = clerk_principal(auth, "outsider")
    refs = [lodge(clerk, deps)["ref"] for _ in range(3)]
    move(clerk, deps, refs[1], "in_process")
    batch = [refs[0].lower(), refs[1].replace("-", ""), "NOPE-NOPE", "00000-00000"]
    mark = documents.mark_batch_ready
    first = mark(clerk, "TST", batch, uow=deps["uow"], clock=deps["clock"])
    assert first == {"ready": 2, "unknown": ["NOPE-NOPE", "00000-00000"]}
    again = mark(clerk, "TST", batch, uow=deps["uow"], clock=deps["clock"])
    assert again == first
    assert sum(p == "document_ready" for p, *_ in outbox(uow)) == 2
    with pytest.raises(TooLarge):
        mark(clerk, "TST", [refs[2]] * 501, uow=deps["uow"], clock=deps["clock"])
    with pytest.raises(Forbidden):
        mark(outsider, "TST", [refs[2]], uow=deps["uow"], clock=deps["clock"])
    with uow(write=False) as unit:
        assert unit.repo.document(refs[2].replace("-", "")).status == "lodged"


def test_a_citizen_looks_up_by_ref_and_the_last_three_digits(clerk, deps):
    ref = lodge(clerk, deps)["ref"]
    found = look_up(deps, ref.lower().replace("-", ""), "678")
    assert found == {
        "ref": ref,
        "centre": "TST",
        "service": "BC",
        "status": "lodged",
        "updated_at": found["updated_at"],
    }
    with pytest.raises(NotFound) as wrong_suffix:
        look_up(deps, ref, "677")
    with pytest.raises(NotFound) as unknown:
        look_up(deps, "00000-00000", "678")
    assert (wrong_suffix.value.code, wrong_suffix.value.message) == (
        unknown.value.code,
        unknown.value.message,
    )


def test_ten_wrong_look_ups_of_a_ref_lock_it_for_an_hour(clerk, deps, clock):
    ref = lodge(clerk, deps)["ref"]
    for n in range(10):
        with pytest.raises(NotFound):
            look_up(deps, ref, f"{n:03d}", address=f"192.0.2.{n}")
    with pytest.raises(TooManyAttempts):
        look_up(deps, ref, "678", address="198.51.100.1")  # even the right digits
    clock.advance(3601)
    assert look_up(deps, ref, "678")["ref"] == ref


def test_twenty_failed_look_ups_from_one_address_are_refused_for_ten_minutes(clerk, deps, clock):
    ref = lodge(clerk, deps)["ref"]
    for n in range(20):
        with pytest.raises(NotFound):
            look_up(deps, f"{n:05d}-00000", "678")
    with pytest.raises(TooManyAttempts):
        look_up(deps, ref, "678")
    assert look_up(deps, ref, "678", address="198.51.100.1")["ref"] == ref
    clock.advance(601)
    assert look_up(deps, ref, "678")["ref"] == ref


def test_a_ready_document_gets_a_collection_ticket_at_its_collect_service(clerk, kiosk, auth, deps):
    ref = lodge(clerk, deps)["ref"]
    collect = documents.collect
    with pytest.raises(InvalidState) as early:
        collect(kiosk, "TST", ref, language=None, base_url="http://x/", **deps)
    assert early.value.code == "not_ready"
    move(clerk, deps, ref, "ready")
    ticket = collect(kiosk, "TST", ref.lower(), language="sw", base_url="http://x/", **deps)
    assert (ticket["service"], ticket["document"], ticket["status"]) == ("KRA", ref, "waiting")
    assert ticket["number"] == "K001" and ticket["language"] == "sw"
    again = collect(kiosk, "TST", ref, language=None, base_url="http://x/", **deps)
    assert again["id"] == ticket["id"]
    with pytest.raises(Forbidden):
        collect(kiosk, "OTH", ref, language=None, base_url="http://x/", **deps)
    admin = clerk_principal(auth, "boss")
    with pytest.raises(NotFound):  # another centre's document is unknown there
        collect(admin, "OTH", ref, language=None, base_url="http://x/", **deps)


def test_a_document_not_collected_in_60_days_is_returned_and_its_phone_later_forgotten(
    clerk, deps, uow, clock
):
    ref = lodge(clerk, deps)["ref"]
    move(clerk, deps, ref, "ready")
    clock.advance(59 * 86400)
    assert documents.return_uncollected(uow=uow, clock=clock) == 0
    clock.advance(86400 + 1)
    assert documents.return_uncollected(uow=uow, clock=clock) == 1
    assert look_up(deps, ref, "678")["status"] == "returned"
    clock.advance(30 * 86400 + 1)
    documents.return_uncollected(uow=uow, clock=clock)
    with uow(write=False) as unit:
        stored = unit.repo.document(ref.replace("-", ""))
        messages = unit.repo.centre_sms(unit.repo.centre("TST"), 10)
    assert stored.phone is None
    assert {m.phone for m in messages} == {None}
    with pytest.raises(NotFound):
        look_up(deps, ref, "678")
