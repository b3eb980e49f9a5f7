"""Use cases of Track my Service: lodge a document, move it forward, tell the citizen, collect.

A document is lodged by staff with the citizen's phone (given with consent) and followed by a
random ref printed on the receipt. `ready` queues one SMS and two reminders (7 and 21 days);
collecting or returning it cancels the reminders; a document not collected in the centre's
`document_return_days` is returned. Citizens look it up by ref and their phone's last three
digits, and take a collection ticket at the kiosk.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..adapters.orm import Centre, Document, LoginFailure, Ticket
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.appointments import format_ref, new_ref, parse_ref
from ..domain.documents import (
    CLOSED,
    DOCUMENT_REF_LENGTH,
    PHONE_KEPT_DAYS,
    DocumentStatus,
    phone_matches,
    reminders_due,
    require_forward,
    returned_by,
)
from ..domain.errors import (
    Forbidden,
    InvalidState,
    InvalidValue,
    NotFound,
    TooLarge,
    TooManyAttempts,
)
from ..domain.events import Event
from ..domain.phone import consented_phone
from ..domain.sms import consent_record
from .common import (
    Clock,
    Notifier,
    Principal,
    require_access,
    require_centre,
    require_service,
    today,
)
from .lookups import note_failed_lookup, require_lookups_left
from .messages import queue_sms
from .tickets import add_ticket, read_ticket, require_issuer
from .views import iso

REF_FAILURES_ALLOWED = 10
REF_FAILURE_WINDOW = timedelta(hours=1)
MOST_IN_BATCH = 500


def document_view(document: Document) -> dict[str, Any]:
    """The contract's `document` object, for staff."""
    return {
        "id": document.id,
        "ref": format_ref(document.ref),
        "centre": document.centre.code,
        "service": document.service.code,
        "status": document.status,
        "updated_at": iso(document.updated_at, document.centre.timezone),
    }


def public_view(document: Document) -> dict[str, Any]:
    """What a citizen's look-up shows: where the document is, nothing about them."""
    view = document_view(document)
    del view["id"]
    return view


# -- staff -------------------------------------------------------------------------------------


def lodge_document(
    principal: Principal,
    centre_code: str,
    service_code: str,
    *,
    phone: str | None,
    consent: bool,
    language: str,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> dict[str, Any]:
    """Record a citizen's application: a new document with a random ref, `lodged`."""
    e164 = consented_phone(phone, consent)
    if e164 is None:
        raise InvalidValue("phone: the citizen's phone number is needed to tell them.")
    with uow() as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        _require_staff(principal, centre)
        service = require_service(centre, service_code)
        now = clock()
        document = Document(
            ref=_unused_ref(repo),
            centre=centre,
            service=service,
            status=DocumentStatus.LODGED.value,
            language=language,
            phone=e164,
            phone_consent_at=now,
            phone_consent_text=consent_record(language),
            lodged_by=principal.id,
            lodged_at=now,
            updated_at=now,
        )
        repo.add(document)
        repo.flush()
        view = document_view(document)
        unit.commit()
    return view


def _unused_ref(repo: Repository) -> str:
    """A random ref no document has (32^10 refs: a clash is rare, never derived from anything)."""
    while repo.document(ref := new_ref(DOCUMENT_REF_LENGTH)) is not None:
        pass
    return ref


def set_status(
    principal: Principal, ref_text: str, status: str, *, uow: UnitOfWorkFactory, clock: Clock
) -> dict[str, Any]:
    """Move a document forward (never back); `ready` tells the citizen by SMS."""
    wanted = _status(status)
    with uow() as unit:
        document = _staff_document(unit.repo, principal, ref_text)
        _move(unit.repo, document, wanted, clock())
        view = document_view(document)
        unit.commit()
    return view


def mark_batch_ready(
    principal: Principal,
    centre_code: str,
    refs: Sequence[str],
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> dict[str, Any]:
    """A box of documents arrived: mark each ready (once; a ready one stays as it is).

    Answers how many of the refs are ready now, and the refs that name no document of the
    centre; collected or returned ones are left alone.
    """
    if len(refs) > MOST_IN_BATCH:
        raise TooLarge(f"A batch holds at most {MOST_IN_BATCH} refs; send the rest in another.")
    parsed = {text: parse_ref(text, DOCUMENT_REF_LENGTH) for text in refs}
    with uow() as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        _require_staff(principal, centre)
        now = clock()
        found = {d.ref: d for d in repo.documents_by_ref(centre, [r for r in parsed.values() if r])}
        ready = 0
        for document in found.values():
            if document.status in (DocumentStatus.LODGED, DocumentStatus.IN_PROCESS):
                _move(repo, document, DocumentStatus.READY, now)
            ready += document.status == DocumentStatus.READY
        unit.commit()
    return {"ready": ready, "unknown": [t for t, ref in parsed.items() if ref not in found]}


def list_documents(
    principal: Principal,
    centre_code: str,
    *,
    status: str | None,
    limit: int,
    uow: UnitOfWorkFactory,
) -> list[dict[str, Any]]:
    """A centre's documents for its staff, most recently changed first."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        _require_staff(principal, centre)
        return [document_view(d) for d in unit.repo.centre_documents(centre, status, limit)]


def _status(text: str) -> DocumentStatus:
    """A document status from text, or InvalidValue."""
    try:
        return DocumentStatus(text)
    except ValueError:
        known = ", ".join(s.value for s in DocumentStatus)
        raise InvalidValue(f"status must be one of {known}.") from None


def _require_staff(principal: Principal, centre: Centre) -> None:
    """Forbidden unless a signed-in member of staff of this centre acts."""
    if not principal.is_user:
        raise Forbidden("Only a member of staff can do this.")
    require_access(principal, centre)


def _staff_document(repo: Repository, principal: Principal, ref_text: str) -> Document:
    """The document a member of staff names, in a centre of theirs; NotFound else."""
    ref = parse_ref(ref_text, DOCUMENT_REF_LENGTH)
    document = repo.document(ref) if ref else None
    if document is None:
        raise _unknown()
    _require_staff(principal, document.centre)
    return document


def _move(repo: Repository, document: Document, wanted: DocumentStatus, now: datetime) -> None:
    """Move the document forward (guarded against a concurrent move) and tell the citizen."""
    require_forward(document.status, wanted)
    values: dict[str, Any] = {"status": wanted.value, "updated_at": now}
    if wanted is DocumentStatus.READY:
        values["ready_at"] = now
    if wanted in CLOSED:
        values["closed_at"] = now
    if not repo.move_document(document.id, document.status, values):
        raise InvalidState("This document changed at the same moment elsewhere; try again.")
    for name, value in values.items():
        setattr(document, name, value)
    if wanted is DocumentStatus.READY:
        _queue_ready_messages(repo, document, now)
    elif wanted in CLOSED:
        for days, _ in reminders_due(now):
            repo.expire_sms("document_reminder", _reminder_subject(document, days))


def _queue_ready_messages(repo: Repository, document: Document, now: datetime) -> None:
    """document_ready now, and the reminders at 7 and 21 days (cancelled once collected)."""
    _tell(repo, document, "document_ready", _subject(document), now)
    until = returned_by(now, document.centre.document_return_days)
    local_until = until.astimezone(ZoneInfo(document.centre.timezone)).date().isoformat()
    for days, when in reminders_due(now):
        subject = _reminder_subject(document, days)
        _tell(repo, document, "document_reminder", subject, now, send_at=when, until=local_until)


def _tell(
    repo: Repository,
    document: Document,
    purpose: str,
    subject: str,
    now: datetime,
    *,
    send_at: datetime | None = None,
    **params: str,
) -> None:
    """Store a message about the document to the citizen's phone, in their language."""
    if document.phone is not None:
        queue_sms(
            repo,
            centre=document.centre,
            purpose=purpose,
            subject=subject,
            phone=document.phone,
            language=document.language,
            params={"centre": document.centre.code, "ref": format_ref(document.ref), **params},
            now=now,
            send_at=send_at,
        )


def _subject(document: Document) -> str:
    """The subject of the document's ready message."""
    return f"document:{document.ref}"


def _reminder_subject(document: Document, days: int) -> str:
    """The subject of the document's reminder after `days` days."""
    return f"document:{document.ref}:{days}"


# -- citizens ----------------------------------------------------------------------------------


def look_up(
    ref_text: str, last3: str, address: str, *, uow: UnitOfWorkFactory, clock: Clock
) -> dict[str, Any]:
    """Where a citizen's document is, given its ref and their phone's last three digits.

    A wrong suffix answers exactly as an unknown ref. Failures count against the address
    (shared with appointment look-ups) and against the ref, so neither refs nor the three
    digits can be guessed: past the limits, 429.
    """
    ref = parse_ref(ref_text, DOCUMENT_REF_LENGTH)
    ref_key = f"document:{ref}" if ref else None
    now = clock()
    with uow() as unit:
        repo = unit.repo
        require_lookups_left(repo, address, now)
        if ref_key and repo.count_login_failures(ref_key, now - REF_FAILURE_WINDOW) >= (
            REF_FAILURES_ALLOWED
        ):
            raise TooManyAttempts("Too many wrong look-ups of this ref. Please try again later.")
        document = repo.document(ref) if ref else None
        if document is not None and phone_matches(document.phone, last3):
            return public_view(document)
        note_failed_lookup(repo, address, now)
        if ref_key:
            repo.clear_login_failures(ref_key, before=now - REF_FAILURE_WINDOW)
            repo.add(LoginFailure(key=ref_key, at=now))
        unit.commit()
    raise _unknown()


def _unknown() -> NotFound:
    """The one answer for a ref that is unknown, or whose phone digits are wrong."""
    return NotFound("There is no document with this ref and phone number.", code="unknown_document")


def collect(
    principal: Principal,
    centre_code: str,
    ref_text: str,
    *,
    language: str | None,
    base_url: str | None,
    uow: UnitOfWorkFactory,
    notifier: Notifier,
    clock: Clock,
) -> dict[str, Any]:
    """A collection ticket for a ready document, for its service's `collect_service`.

    Asking again while its ticket is open gives the same ticket.
    """
    with uow() as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        require_issuer(principal, centre)
        ref = parse_ref(ref_text, DOCUMENT_REF_LENGTH)
        document = repo.document(ref) if ref else None
        if document is None or document.centre_id != centre.id:
            raise _unknown()
        if document.status != DocumentStatus.READY:
            raise InvalidState(f"This document is {document.status}, not ready.", code="not_ready")
        now = clock()
        public_id = repo.collection_ticket(document.ref, today(centre, now))
        events: list[Event] = []
        if public_id is None:
            code = document.service.collect_service or document.service.code
            service = require_service(centre, code)
            if not service.open:
                raise InvalidState(f"{service.name_en} is closed now.", code="service_closed")
            ticket = Ticket(
                language=language or document.language, rank_at=now, document_ref=document.ref
            )
            events = add_ticket(repo, principal, service, ticket, base_url=base_url, now=now)
            public_id = ticket.public_id
            unit.commit()
    notifier.publish(events)
    return read_ticket(uow, public_id, now=clock())


# -- the day sweep -----------------------------------------------------------------------------


def return_uncollected(*, uow: UnitOfWorkFactory, clock: Clock) -> int:
    """Return documents not collected in time, and forget numbers kept long enough; how many.

    Run by the server's sweep (every half minute).
    """
    now = clock()
    returned = 0
    with uow() as unit:
        repo = unit.repo
        for centre in repo.centres():
            due = now - timedelta(days=centre.document_return_days)
            for document in repo.ready_since_before(centre, due):
                _move(repo, document, DocumentStatus.RETURNED, now)
                returned += 1
        repo.forget_document_phones(now - timedelta(days=PHONE_KEPT_DAYS))
        repo.forget_sms_phones(now - timedelta(days=PHONE_KEPT_DAYS))
        unit.commit()
    return returned
