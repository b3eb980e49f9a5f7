"""Outreach sites' sync log: entries written at the site, held and applied at the centre."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import aliased

from ...domain.model import AT_COUNTER_STATUSES
from ..orm import (
    Centre,
    Counter,
    Document,
    Feedback,
    Service,
    SyncEntry,
    SyncState,
    Ticket,
    TicketEvent,
    User,
)
from .base import Queries

_AT_COUNTER = {s.value for s in AT_COUNTER_STATUSES}
_TICKET_TIMES = ("issued_at", "rank_at", "appointment_at", "called_at", "started_at", "finished_at")
_DOCUMENT_TIMES = ("phone_consent_at", "lodged_at", "updated_at", "ready_at", "closed_at")


class SyncQueries(Queries):
    """The sync log and its state, on both sides of an upload."""

    def log_pending_changes(self, centre_ids: Iterable[int]) -> int:
        """Write the marked records of these centres as numbered entries.

        Per centre: the changed tickets first (those leaving a counter before those arriving
        at one, so a replay never holds two tickets at one counter), then their new events,
        new feedback, and the documents lodged or moved on.
        """
        written = 0
        for centre_id in centre_ids:
            tickets = self._pending_tickets(centre_id)
            events = self._pending_events(centre_id)
            entries = [("ticket", t, _latest(t)) for t in tickets]
            entries += [("ticket_event", e, _parse(e["at"])) for e in events]
            answers = self._pending_feedback(centre_id)
            entries += [("feedback", a, _parse(a["given_at"])) for a in answers]
            documents = self._pending_documents(centre_id)
            entries += [("document", d, _parse(d["updated_at"])) for d in documents]
            if not entries:
                continue
            last = self.claim_log_numbers(centre_id, len(entries))
            first = last - len(entries) + 1
            self.session.execute(
                self._insert()(SyncEntry),
                [
                    {
                        "centre_id": centre_id,
                        "seq": first + i,
                        "kind": kind,
                        "data": data,
                        "recorded_at": at,
                    }
                    for i, (kind, data, at) in enumerate(entries)
                ],
            )
            self._clear_marks(Ticket, [t.pop("_row") for t in tickets])
            self._clear_marks(TicketEvent, [e.pop("_row") for e in events])
            self._clear_marks(Feedback, [a.pop("_row") for a in answers])
            self._clear_marks(Document, [d.pop("_row") for d in documents])
            written += len(entries)
        return written

    def _pending_tickets(self, centre_id: int) -> list[dict]:
        """Snapshots of the centre's marked tickets (ids kept under `_row`)."""
        issued = aliased(Service)
        rows = self.session.execute(
            select(Ticket, Service.code, issued.code, Counter.number)
            .join(Service, Service.id == Ticket.service_id)
            .join(issued, issued.id == Ticket.issued_service_id)
            .outerjoin(Counter, Counter.id == Ticket.counter_id)
            .where(Ticket.centre_id == centre_id, Ticket.sync_pending.is_(True))
            .execution_options(populate_existing=True)
            .order_by(Ticket.id)
        ).all()
        snapshots = [
            _ticket_snapshot(ticket, service, issued_code, counter)
            for ticket, service, issued_code, counter in rows
        ]
        return sorted(snapshots, key=lambda t: t["status"] in _AT_COUNTER)

    def _pending_events(self, centre_id: int) -> list[dict]:
        """The centre's marked ticket events, in the order they happened."""
        rows = self.session.execute(
            select(TicketEvent, Ticket.public_id, Service.code, Counter.number, User.username)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .join(Service, Service.id == TicketEvent.service_id)
            .outerjoin(Counter, Counter.id == TicketEvent.counter_id)
            .outerjoin(User, User.id == TicketEvent.user_id)
            .where(Ticket.centre_id == centre_id, TicketEvent.sync_pending.is_(True))
            .order_by(TicketEvent.id)
        ).all()
        return [
            {
                "_row": e.id,
                "ticket": public_id,
                "kind": e.kind,
                "at": e.at.isoformat(),
                "service": service,
                "counter": counter,
                "user": username,
                "duration_s": e.duration_s,
                "detail": e.detail,
            }
            for e, public_id, service, counter, username in rows
        ]

    def _pending_feedback(self, centre_id: int) -> list[dict]:
        """The centre's marked feedback answers, in the order they were given."""
        rows = self.session.execute(
            select(Feedback, Ticket.public_id, Service.code, Counter.number, User.username)
            .join(Ticket, Ticket.id == Feedback.ticket_id)
            .join(Service, Service.id == Feedback.service_id)
            .outerjoin(Counter, Counter.id == Feedback.counter_id)
            .outerjoin(User, User.id == Feedback.user_id)
            .where(Feedback.centre_id == centre_id, Feedback.sync_pending.is_(True))
            .order_by(Feedback.id)
        ).all()
        return [
            {
                "_row": f.id,
                "ticket": public_id,
                "service": service,
                "counter": counter,
                "user": username,
                "day": f.day.isoformat(),
                "rating": f.rating,
                "wait_ok": f.wait_ok,
                "fee": f.fee,
                "asked_for_money": f.asked_for_money,
                "comment": f.comment,
                "given_at": f.given_at.isoformat(),
            }
            for f, public_id, service, counter, username in rows
        ]

    def _pending_documents(self, centre_id: int) -> list[dict]:
        """Snapshots of the centre's marked documents, in the order they were lodged."""
        rows = self.session.execute(
            select(Document, Service.code, User.username)
            .join(Service, Service.id == Document.service_id)
            .outerjoin(User, User.id == Document.lodged_by)
            .where(Document.centre_id == centre_id, Document.sync_pending.is_(True))
            .execution_options(populate_existing=True)
            .order_by(Document.id)
        ).all()
        return [_document_snapshot(d, service, username) for d, service, username in rows]

    def _clear_marks(
        self,
        model: type[Ticket] | type[TicketEvent] | type[Feedback] | type[Document],
        ids: list[int],
    ) -> None:
        """Unmark rows now in the log (setting the column itself, so `onupdate` keeps out)."""
        if ids:
            self.session.execute(
                update(model)
                .where(model.id.in_(ids))
                .values(sync_pending=False)
                .execution_options(synchronize_session=False)
            )

    def claim_log_numbers(self, centre_id: int, count: int) -> int:
        """Claim `count` consecutive entry numbers for the centre; the last of them."""
        insert = self._insert()(SyncState).values(centre_id=centre_id, last_seq=count, acked_seq=0)
        return self.session.execute(
            insert.on_conflict_do_update(
                index_elements=["centre_id"], set_={"last_seq": SyncState.last_seq + count}
            ).returning(SyncState.last_seq)
        ).scalar_one()

    def sync_state(self, centre: Centre) -> SyncState | None:
        """The centre's sync state, if any was recorded."""
        return self.session.get(SyncState, centre.id)

    def sync_state_for_update(self, centre: Centre) -> SyncState:
        """The centre's sync state, made if missing and held to the transaction's end
        (locked on PostgreSQL; SQLite's writers are one at a time anyway)."""
        self.session.execute(
            self._insert()(SyncState)
            .values(centre_id=centre.id, last_seq=0, acked_seq=0)
            .on_conflict_do_nothing()
        )
        return self.session.scalars(
            select(SyncState)
            .where(SyncState.centre_id == centre.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()

    def log_entries(self, centre: Centre, after: int, limit: int) -> Sequence[SyncEntry]:
        """The centre's entries numbered above `after`, in order."""
        return self.session.scalars(
            select(SyncEntry)
            .where(SyncEntry.centre_id == centre.id, SyncEntry.seq > after)
            .order_by(SyncEntry.seq)
            .limit(limit)
        ).all()

    def count_log_entries(self, centre: Centre, after: int) -> int:
        """How many of the centre's entries are numbered above `after`."""
        return (
            self.session.scalar(
                select(func.count())
                .select_from(SyncEntry)
                .where(SyncEntry.centre_id == centre.id, SyncEntry.seq > after)
            )
            or 0
        )

    def hold_entries(self, centre: Centre, entries: list[dict]) -> None:
        """Keep received entries (those held already stay as first received)."""
        if entries:
            self.session.execute(
                self._insert()(SyncEntry).on_conflict_do_nothing(),
                [{"centre_id": centre.id, **entry} for entry in entries],
            )

    def drop_entries_through(self, centre: Centre, seq: int) -> None:
        """Forget the centre's entries up to `seq`: applied (at the central server), or
        acknowledged by it (at the site)."""
        self.session.execute(
            delete(SyncEntry).where(SyncEntry.centre_id == centre.id, SyncEntry.seq <= seq)
        )

    def ticket_row(self, public_id: str) -> Ticket | None:
        """A ticket by public id, for applying a site's snapshot of it."""
        return self.session.scalars(select(Ticket).where(Ticket.public_id == public_id)).first()

    def user_ids(self, usernames: Iterable[str]) -> dict[str, int]:
        """User ids by username, of those known here."""
        names = sorted(set(usernames))
        if not names:
            return {}
        rows = self.session.execute(select(User.username, User.id).where(User.username.in_(names)))
        return {name: user_id for name, user_id in rows}

    def outreach_sites(self) -> list[tuple[Centre, SyncState | None]]:
        """Every outreach centre with its sync state, by code."""
        rows = self.session.execute(
            select(Centre, SyncState)
            .outerjoin(SyncState, SyncState.centre_id == Centre.id)
            .where(Centre.kind == "outreach")
            .order_by(Centre.code)
        )
        return [(centre, state) for centre, state in rows]


def _ticket_snapshot(ticket: Ticket, service: str, issued: str, counter: int | None) -> dict:
    """What the central server keeps of a ticket (never the phone number)."""
    snapshot: dict = {
        "_row": ticket.id,
        "id": ticket.public_id,
        "number": ticket.number,
        "service": service,
        "issued_service": issued,
        "day": ticket.day.isoformat(),
        "sequence": ticket.sequence,
        "status": ticket.status,
        "priority": ticket.priority,
        "language": ticket.language,
        "counter": counter,
        "fee_kes": ticket.fee_kes,
        "paid_by": ticket.paid_by,
    }
    return snapshot | _times(ticket, _TICKET_TIMES)


def _document_snapshot(document: Document, service: str, lodged_by: str | None) -> dict:
    """What the central server keeps of a document: its state, and the citizen's phone number
    with the record of their consent, but no name or identity number (the model has none).

    The number goes home because the document usually arrives at the parent centre, not at
    the tent: the central server sends the `document_ready` message and checks the last three
    digits of a look-up, the purpose the citizen gave it for. docs/API.md says so.
    """
    snapshot: dict = {
        "_row": document.id,
        "ref": document.ref,
        "service": service,
        "status": document.status,
        "language": document.language,
        "phone": document.phone,
        "phone_consent_text": document.phone_consent_text,
        "lodged_by": lodged_by,
    }
    return snapshot | _times(document, _DOCUMENT_TIMES)


def _times(record: Ticket | Document, names: tuple[str, ...]) -> dict[str, str | None]:
    """The record's times by name, as ISO text (None where unset)."""
    moments = {name: getattr(record, name) for name in names}
    return {name: moment.isoformat() if moment else None for name, moment in moments.items()}


def _latest(snapshot: dict) -> datetime:
    """When the ticket last changed, by the site's clock."""
    return max(_parse(snapshot[name]) for name in _TICKET_TIMES if snapshot[name])


def _parse(moment: str) -> datetime:
    """An ISO time written by this module."""
    return datetime.fromisoformat(moment)


class SponsorQueries(Queries):
    """What a sponsor paid for: the tickets served at a site."""

    def served_fees(
        self, centre: Centre, first: date, last: date, paid_by: str
    ) -> dict[int, tuple[int, int]]:
        """Per service id (where the visit ended): tickets served (done) on these local days,
        and the sum of those tickets' fees paid by `paid_by`."""
        paid = case((Ticket.paid_by == paid_by, Ticket.fee_kes), else_=0)
        rows = self.session.execute(
            select(Ticket.service_id, func.count(), func.coalesce(func.sum(paid), 0))
            .where(
                Ticket.centre_id == centre.id,
                Ticket.status == "done",
                Ticket.day >= first,
                Ticket.day <= last,
            )
            .group_by(Ticket.service_id)
        ).all()
        return {service_id: (served, int(total)) for service_id, served, total in rows}

    def sync_entries_waiting(self) -> dict[str, int]:
        """Sync log entries stored and not yet acknowledged (a site) or applied (held centrally)."""
        count = self.session.scalar(select(func.count()).select_from(SyncEntry)) or 0
        return {"waiting": count}
