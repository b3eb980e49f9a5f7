"""Huduma Mashinani sync: a site's log sent home, applied once at the central server.

The site (a laptop on SQLite) writes every change of its centre to a numbered log in the
transaction of the change (adapters/sync_log.py). Its worker sends the entries after the
acknowledged one, in order and in batches; the central server holds what it receives,
applies each entry once, in order, as soon as none before it is missing, and answers the
highest number so applied (`acked_seq`). Entries sent twice or out of order change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from ..adapters.orm import Centre, Counter, Document, Service, SyncState, Ticket, TicketEvent
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..centre_config import CentreConfig
from ..domain.documents import reaches
from ..domain.errors import ConfigError, Forbidden, InvalidValue, NotFound
from ..domain.outreach import contiguous_through, skew_flagged, skew_s
from ..schemas import (
    DocumentSnapshot,
    FeedbackSnapshot,
    SyncBatch,
    TicketEventSnapshot,
    TicketSnapshot,
    validate,
)
from .auth import hash_password, token_digest
from .common import Clock, Principal, require_access, require_centre
from .views import iso

BATCH_BYTES = 48 * 1024
"""A batch's size at most, under the server's request limit."""
BATCH_ENTRIES = 500


class CentralServer(Protocol):
    """The central server as a site sees it (adapters/central.py)."""

    def upload(self, centre: str, batch: dict[str, Any]) -> int:
        """Send a batch; the central server's `acked_seq`. Raises SyncFailed."""
        ...


class SyncFailed(Exception):
    """An upload did not reach the central server or was refused; the message says which."""


# --- At the site ---------------------------------------------------------------------------


def site_centre(token: str, *, uow: UnitOfWorkFactory) -> Centre:
    """The outreach centre whose `site` device has this token, or ConfigError."""
    digest = token_digest(token)
    with uow(write=False) as unit:
        for centre in unit.repo.centres():
            devices = unit.repo.devices(centre) if centre.kind == "outreach" else []
            if any(d.kind == "site" and d.token_hash == digest for d in devices):
                return centre
    raise ConfigError(
        'the site token is not the token of a device of kind "site" of any outreach centre'
        " in the configuration"
    )


def next_batch(centre_code: str, *, uow: UnitOfWorkFactory, clock: Clock) -> dict[str, Any] | None:
    """The entries after the acknowledged one, in order, as one batch; None when none wait."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        entries = unit.repo.log_entries(centre, _acked(unit.repo, centre), BATCH_ENTRIES)
        batch: list[dict[str, Any]] = []
        size = 0
        for entry in entries:
            item = _entry_out(entry.seq, entry.kind, entry.recorded_at, entry.data)
            size += len(json.dumps(item))
            if batch and size > BATCH_BYTES:
                break
            batch.append(item)
    if not batch:
        return None
    return {"centre": centre_code, "sent_at": clock().isoformat(), "entries": batch}


def record_upload(
    centre_code: str,
    *,
    acked_seq: int | None,
    error: str | None,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    """Note the central server's answer to an upload: its `acked_seq`, or the failure.

    Entries the central server acknowledged are deleted here: they are home, and a document's
    entries hold its citizen's phone number, which the site must not keep longer than needed.
    """
    with uow() as unit:
        centre = require_centre(unit.repo, centre_code)
        state = unit.repo.sync_state_for_update(centre)
        if acked_seq is not None:
            state.acked_seq = max(state.acked_seq, acked_seq)
            state.last_success_at = clock()
            unit.repo.drop_entries_through(centre, state.acked_seq)
        state.last_error = error[:500] if error else None
        unit.commit()


def upload_once(
    centre_code: str, central: CentralServer, *, uow: UnitOfWorkFactory, clock: Clock
) -> bool:
    """Send one batch; whether entries were acknowledged (so more may follow at once)."""
    batch = next_batch(centre_code, uow=uow, clock=clock)
    if batch is None:
        return False
    try:
        acked = central.upload(centre_code, batch)
    except SyncFailed as exc:
        record_upload(centre_code, acked_seq=None, error=str(exc), uow=uow, clock=clock)
        raise
    record_upload(centre_code, acked_seq=acked, error=None, uow=uow, clock=clock)
    first: int = batch["entries"][0]["seq"]
    return acked >= first


def site_status(centre_code: str, *, uow: UnitOfWorkFactory) -> dict[str, Any]:
    """How far the site's log has been sent: `GET /sync/status` at the site."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        state = unit.repo.sync_state(centre)
        acked = _acked(unit.repo, centre)
        return {
            "centre": centre.code,
            "pending": unit.repo.count_log_entries(centre, acked),
            "acked_seq": acked,
            "last_success_at": iso(state.last_success_at, centre.timezone) if state else None,
            "last_error": state.last_error if state else None,
        }


def _acked(repo: Repository, centre: Centre) -> int:
    """The highest entry the central server acknowledged (at the site), or applied (there)."""
    state = repo.sync_state(centre)
    return state.acked_seq if state else 0


def export_log(centre_code: str, *, uow: UnitOfWorkFactory, clock: Clock) -> dict[str, Any]:
    """Every entry not acknowledged yet, as one batch for a file (a USB stick)."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        entries = unit.repo.log_entries(centre, _acked(unit.repo, centre), 2**31)
        items = [_entry_out(e.seq, e.kind, e.recorded_at, e.data) for e in entries]
    return {"centre": centre_code, "sent_at": clock().isoformat(), "entries": items}


def _entry_out(seq: int, kind: str, recorded_at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    """An entry as it travels."""
    return {"seq": seq, "kind": kind, "recorded_at": recorded_at.isoformat(), "data": data}


# --- At the central server ----------------------------------------------------------------


@dataclass
class _SiteRecords:
    """The site's services, counters and staff at the central server, read once per batch."""

    repo: Repository
    centre: Centre
    services: dict[str, Service] = field(init=False)
    counters: dict[int, Counter] = field(init=False)
    users: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.services = {s.code: s for s in self.centre.services}
        self.counters = {c.number: c for c in self.repo.counters(self.centre)}

    def service(self, code: str) -> Service:
        if code not in self.services:
            raise InvalidValue(
                f"Centre {self.centre.code} has no service '{code}' here; update the"
                " configuration of the central server.",
                code="unknown_service",
            )
        return self.services[code]

    def counter_id(self, number: int | None) -> int | None:
        counter = self.counters.get(number) if number is not None else None
        return counter.id if counter else None

    def user_id(self, username: str | None) -> int | None:
        """The id of a member of staff known here, by username (None if not known here)."""
        if username and username not in self.users:
            self.users.update(self.repo.user_ids([username]))
        return self.users.get(username) if username else None

    def ticket(self, public_id: str) -> Ticket | None:
        ticket = self.repo.ticket_row(public_id)
        if ticket is not None and ticket.centre_id != self.centre.id:
            raise InvalidValue("An entry names a ticket of another centre.", code="foreign_ticket")
        return ticket

    def document(self, ref: str) -> Document | None:
        document = self.repo.document(ref)
        if document is not None and document.centre_id != self.centre.id:
            raise InvalidValue(
                "An entry names a document of another centre.", code="foreign_document"
            )
        return document

    def sent_ticket(self, public_id: str) -> Ticket:
        """A ticket an entry refers to, which an earlier entry must have brought."""
        ticket = self.ticket(public_id)
        if ticket is None:
            raise InvalidValue("An entry names a ticket not sent before it.", code="unknown_ticket")
        return ticket


def _apply_ticket(site: _SiteRecords, data: dict[str, Any]) -> None:
    """Make the central copy of a ticket what the site logged."""
    snap = validate(TicketSnapshot, data)
    ticket = site.ticket(snap.id)
    if ticket is None:
        ticket = Ticket(public_id=snap.id, centre_id=site.centre.id)
        site.repo.add(ticket)
    ticket.service_id = site.service(snap.service).id
    ticket.issued_service_id = site.service(snap.issued_service).id
    ticket.counter_id = site.counter_id(snap.counter)
    for name in (
        "number",
        "day",
        "sequence",
        "status",
        "priority",
        "language",
        "fee_kes",
        "paid_by",
        "issued_at",
        "rank_at",
        "appointment_at",
        "called_at",
        "started_at",
        "finished_at",
    ):
        setattr(ticket, name, getattr(snap, name))
    site.repo.flush()  # in log order, so the one-ticket-per-counter rule holds at each step


def _apply_ticket_event(site: _SiteRecords, data: dict[str, Any]) -> None:
    """Add a ticket's call, finish or transfer to its history at the central server."""
    snap = validate(TicketEventSnapshot, data)
    ticket = site.sent_ticket(snap.ticket)
    site.repo.add(
        TicketEvent(
            ticket_id=ticket.id,
            kind=snap.kind,
            at=snap.at,
            service_id=site.service(snap.service).id,
            counter_id=site.counter_id(snap.counter),
            user_id=site.user_id(snap.user),
            duration_s=snap.duration_s,
            detail=snap.detail,
        )
    )


def _apply_feedback(site: _SiteRecords, data: dict[str, Any]) -> None:
    """Add a citizen's answer about a visit at the site (once per ticket, as there)."""
    snap = validate(FeedbackSnapshot, data)
    ticket = site.sent_ticket(snap.ticket)
    site.repo.add_feedback(
        {
            "ticket_id": ticket.id,
            "centre_id": site.centre.id,
            "service_id": site.service(snap.service).id,
            "counter_id": site.counter_id(snap.counter),
            "user_id": site.user_id(snap.user),
            "day": snap.day,
            "rating": snap.rating,
            "wait_ok": snap.wait_ok,
            "fee": snap.fee,
            "asked_for_money": snap.asked_for_money,
            "comment": snap.comment,
            "given_at": snap.given_at,
        }
    )


def _apply_document(site: _SiteRecords, data: dict[str, Any]) -> None:
    """Make the central copy of a document lodged at the site what the site logged, unless
    the central copy has moved past it (marked ready at the parent centre when the box came):
    statuses only go forward, on either side.

    No message is queued here: the site queued its own for a change made there.
    """
    snap = validate(DocumentSnapshot, data)
    document = site.document(snap.ref)
    if document is not None and not reaches(document.status, snap.status):
        return
    values = snap.model_dump(exclude={"ref", "service", "lodged_by"}) | {
        "service_id": site.service(snap.service).id,
        "lodged_by": site.user_id(snap.lodged_by),
    }
    if document is None:
        site.repo.add(Document(ref=snap.ref, centre_id=site.centre.id, **values))
    else:
        for name, value in values.items():
            setattr(document, name, value)


APPLIERS: dict[str, Callable[[_SiteRecords, dict[str, Any]], None]] = {
    "ticket": _apply_ticket,
    "ticket_event": _apply_ticket_event,
    "feedback": _apply_feedback,
    "document": _apply_document,
}
"""How each kind of entry is applied; a programme whose records go home adds its kind here."""


def receive_batch(
    principal: Principal,
    centre_code: str,
    body: object,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> dict[str, Any]:
    """`POST /sync/{centre}/events`: hold the entries, apply those now complete; `acked_seq`."""
    batch = _valid_batch(body)
    with uow() as unit:
        centre = require_centre(unit.repo, centre_code)
        _require_site(principal, centre)
        now = clock()
        acked = _apply(unit.repo, centre, batch)
        state = unit.repo.sync_state_for_update(centre)
        state.last_success_at = now
        state.skew_s = skew_s(batch.sent_at, now)
        unit.commit()
    return {"acked_seq": acked}


def import_batch(body: object, *, uow: UnitOfWorkFactory) -> dict[str, Any]:
    """`sync import FILE`: apply an exported log with the same exactly-once rule."""
    batch = _valid_batch(body)
    if not batch.centre:
        raise InvalidValue("The file names no centre.", code="invalid_value")
    with uow() as unit:
        centre = require_centre(unit.repo, batch.centre)
        if centre.kind != "outreach":
            raise InvalidValue(f"{centre.code} is not an outreach site.", code="not_outreach")
        acked = _apply(unit.repo, centre, batch)
        unit.commit()
    return {"centre": centre.code, "acked_seq": acked, "entries": len(batch.entries)}


def _valid_batch(body: object) -> SyncBatch:
    """The batch, with every entry of a kind this server knows."""
    batch = validate(SyncBatch, body)
    unknown = sorted({e.kind for e in batch.entries} - APPLIERS.keys())
    if unknown:
        raise InvalidValue(
            f"Unknown kind of entry: {', '.join(unknown)}.", code="unknown_entry_kind"
        )
    return batch


def _apply(repo: Repository, centre: Centre, batch: SyncBatch) -> int:
    """Hold the batch's new entries and apply, in order, those with none missing before them."""
    state = repo.sync_state_for_update(centre)  # one upload of a site applies at a time
    repo.hold_entries(
        centre,
        [
            {"seq": e.seq, "kind": e.kind, "data": e.data, "recorded_at": e.recorded_at}
            for e in batch.entries
            if e.seq > state.acked_seq
        ],
    )
    held = repo.log_entries(centre, state.acked_seq, 2**31)
    through = contiguous_through(state.acked_seq, (e.seq for e in held))
    site = _SiteRecords(repo, centre)
    for entry in held:
        if entry.seq > through:
            break
        APPLIERS[entry.kind](site, entry.data)
    repo.drop_entries_through(centre, through)
    state.acked_seq = through
    return through


def _require_site(principal: Principal, centre: Centre) -> None:
    """Only the site's own token uploads for it."""
    if principal.kind != "device" or principal.role != "site":
        raise Forbidden("Only an outreach site's token uploads its log.", code="not_a_site")
    require_access(principal, centre)


def central_status(
    principal: Principal, centre_code: str, *, uow: UnitOfWorkFactory
) -> dict[str, Any]:
    """`GET /sync/{centre}` at the central server (an admin, or the site's token)."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        if principal.role != "admin":
            _require_site(principal, centre)
        return _central_view(centre, unit.repo.sync_state(centre))


def outreach_sites(principal: Principal, *, uow: UnitOfWorkFactory) -> list[dict[str, Any]]:
    """Every outreach site with its last upload (staff see the sites of their centres)."""
    if not principal.is_user:
        raise Forbidden("Staff only.")
    with uow(write=False) as unit:
        return [
            _central_view(centre, state)
            | {
                "name": centre.name,
                "parent": centre.parent,
                "sponsor": centre.sponsor,
                "starts": _day(centre.starts),
                "ends": _day(centre.ends),
                "location": centre.location,
            }
            for centre, state in unit.repo.outreach_sites()
            if principal.may_act_in(centre.code)
            or (centre.parent is not None and principal.may_act_in(centre.parent))
        ]


def _central_view(centre: Centre, state: SyncState | None) -> dict[str, Any]:
    """What the central server knows of a site's uploads."""
    skew = state.skew_s if state else None
    return {
        "centre": centre.code,
        "acked_seq": state.acked_seq if state else 0,
        "last_upload_at": iso(state.last_success_at, centre.timezone) if state else None,
        "clock_skew_s": skew,
        "clock_flagged": skew_flagged(skew),
    }


def _day(value: date | None) -> str | None:
    """A date as ISO text, or None."""
    return value.isoformat() if value is not None else None


def only_site(*, uow: UnitOfWorkFactory) -> str:
    """The code of the one outreach site with a log in this database, or InvalidValue."""
    with uow(write=False) as unit:
        sites = [c.code for c, state in unit.repo.outreach_sites() if state and state.last_seq]
    if len(sites) != 1:
        raise InvalidValue(
            f"Name the site with --centre (sites with a log here: {', '.join(sites) or 'none'})."
        )
    return sites[0]


def site_configuration(principal: Principal, config: CentreConfig | None) -> dict[str, Any]:
    """`GET /sync/config`: the central server's configuration of the token's own site (its
    centre and the staff who work there, passwords only as hashes), for the site to start from.
    """
    if principal.kind != "device" or principal.role != "site" or not principal.centres:
        raise Forbidden("Only an outreach site's token reads its configuration.", code="not_a_site")
    (code,) = principal.centres
    entry = next((c for c in config.centre if c.code == code), None) if config else None
    if config is None or entry is None:
        raise NotFound(f"No configuration file here names {code}.", code="no_configuration")
    users = [
        {
            **user.model_dump(mode="json", exclude={"password", "password_hash"}),
            "password_hash": user.password_hash or hash_password(user.password or ""),
            "centres": [code],
        }
        for user in config.user
        if code in user.centres
    ]
    return {"centre": [entry.model_dump(mode="json", exclude_none=True)], "user": users}
