"""Tickets: numbering, the call order, claims, counts and the end of the day."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import cast

from sqlalchemy import Table, TextClause, and_, bindparam, func, insert, or_, select, text, update
from sqlalchemy.orm import joinedload, make_transient_to_detached, selectinload
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from ...domain.model import AT_COUNTER_STATUSES, OPEN_STATUSES, TicketStatus
from ..orm import (
    Centre,
    Counter,
    Service,
    Ticket,
    TicketEvent,
    TicketSequence,
)
from .base import Queries

_OPEN = [s.value for s in OPEN_STATUSES]
_AT_COUNTER = [s.value for s in AT_COUNTER_STATUSES]

# The statements of every counter action, built once (building one costs more than running it).
_CURRENT_TICKET = select(Ticket).where(
    Ticket.counter_id == bindparam("counter_id"), Ticket.status.in_(_AT_COUNTER)
)
# ... and of issuing a ticket and answering with its place.
_TICKETS = cast(Table, Ticket.__table__)
_TICKET_COLUMNS = tuple(c for c in _TICKETS.c if not c.primary_key)
_INSERT_TICKET = insert(_TICKETS).returning(_TICKETS.c.id)
_TICKET_IN_CENTRE = (
    select(Ticket)
    .where(Ticket.public_id == bindparam("public_id"))
    .options(joinedload(Ticket.centre), joinedload(Ticket.service))
)
_WAITING_COUNTS = (
    select(Ticket.service_id, func.count())
    .where(
        Ticket.centre_id == bindparam("centre_id"),
        Ticket.status == TicketStatus.WAITING.value,
        Ticket.day == bindparam("day"),
    )
    .group_by(Ticket.service_id)
)
_RANKS_BEFORE = or_(
    Ticket.rank_at < bindparam("rank_at"),
    and_(Ticket.rank_at == bindparam("rank_at"), Ticket.issued_at < bindparam("issued_at")),
    and_(
        Ticket.rank_at == bindparam("rank_at"),
        Ticket.issued_at == bindparam("issued_at"),
        Ticket.id < bindparam("ticket_id"),
    ),
)
_COUNT_AHEAD = (
    select(func.count())
    .select_from(Ticket)
    .where(
        Ticket.centre_id == bindparam("centre_id"),
        Ticket.status == TicketStatus.WAITING.value,
        Ticket.service_id.in_(bindparam("service_ids", expanding=True)),
        Ticket.day == bindparam("day"),
        _RANKS_BEFORE,
    )
)
_AHEAD_AT_ISSUE = (  # what a ticket had before it when issued: issued before it, not yet called
    select(func.count())
    .select_from(Ticket)
    .where(
        Ticket.centre_id == bindparam("centre_id"),
        Ticket.service_id.in_(bindparam("service_ids", expanding=True)),
        Ticket.day == bindparam("day"),
        or_(  # issued before it (by id when issued at the same instant)
            Ticket.issued_at < bindparam("issued_at"),
            and_(Ticket.issued_at == bindparam("issued_at"), Ticket.id < bindparam("ticket_id")),
        ),
        or_(Ticket.called_at.is_(None), Ticket.called_at >= bindparam("issued_at")),
        or_(Ticket.finished_at.is_(None), Ticket.finished_at >= bindparam("issued_at")),
        _RANKS_BEFORE,
    )
)
_NEXT_WAITING = (
    select(Ticket)
    .where(
        Ticket.centre_id == bindparam("centre_id"),
        Ticket.status == TicketStatus.WAITING.value,
        Ticket.service_id.in_(bindparam("service_ids", expanding=True)),
        Ticket.day == bindparam("day"),
    )
    .order_by(Ticket.rank_at, Ticket.issued_at, Ticket.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)


class TicketQueries(Queries):
    """Reads and atomic updates of tickets."""

    def ticket(self, public_id: str) -> Ticket | None:
        """The ticket with the public, unguessable id."""
        return self.session.scalars(
            select(Ticket).where(Ticket.public_id == public_id)
        ).one_or_none()

    def ticket_in_centre(self, public_id: str) -> Ticket | None:
        """The ticket with its centre and service loaded in the same statement (its view
        shows them; its place and estimate read the centre's other services as plain rows)."""
        return self.session.scalars(_TICKET_IN_CENTRE, {"public_id": public_id}).one_or_none()

    def public_ids(self, ids: Iterable[int]) -> Sequence[str]:
        """The public ids of these tickets."""
        return self.session.scalars(select(Ticket.public_id).where(Ticket.id.in_(list(ids)))).all()

    def ticket_by_idempotency_key(self, centre: Centre, key: str) -> Ticket | None:
        """The ticket a kiosk already issued under `key`."""
        return self.session.scalars(
            select(Ticket).where(Ticket.centre_id == centre.id, Ticket.idempotency_key == key)
        ).one_or_none()

    def claim_sequence(self, centre: Centre, service: Service, day: date) -> int:
        """The next number for (centre, service, day), claimed atomically in the database."""
        params = {"centre_id": centre.id, "service_id": service.id, "day": day}
        return self._plain(_claim_number(self._insert()), params).scalar_one()

    def insert_ticket(self, ticket: Ticket) -> None:
        """Store a new ticket with one plain INSERT and take it in as stored, its id set.

        Every column is given (a column's own default where the ticket leaves it unset), so
        the object is whole without reading it back. The ORM's flush of the one row cost
        several times the write: its unit of work walks the ticket's centre and service too.
        """
        values: dict[str, object] = {}
        for column in _TICKET_COLUMNS:
            value = getattr(ticket, column.key)
            if value is None and isinstance(column.default, ScalarElementColumnDefault):
                value = column.default.arg
            setattr(ticket, column.key, value)  # held, so never read back
            values[column.key] = value
        ticket.id = self._plain(_INSERT_TICKET, values).scalar_one()
        make_transient_to_detached(ticket)  # as if loaded: its values are the row's
        self.session.add(ticket)

    def current_ticket(self, counter: Counter) -> Ticket | None:
        """The ticket a counter holds (called or being served), if any."""
        return self.session.scalars(_CURRENT_TICKET, {"counter_id": counter.id}).one_or_none()

    def next_waiting(self, centre: Centre, service_ids: Iterable[int], day: date) -> Ticket | None:
        """Today's first waiting ticket of these services by the call order.

        On PostgreSQL the row is locked, skipping any another counter is claiming, so that
        counters calling together each find their own; SQLite writes one at a time anyway.
        """
        params = {"centre_id": centre.id, "service_ids": list(service_ids), "day": day}
        return self.session.scalars(_NEXT_WAITING, params).first()

    def move_ticket(self, ticket: Ticket, changes: Mapping[str, object]) -> bool:
        """Apply `changes` only if the ticket is still as read (its status and counter).

        False when another screen, counter or process changed it first: nothing is written.
        """
        expected = {"status": ticket.status, "counter_id": ticket.counter_id}
        return self._update_as_read(ticket, expected, changes)

    def count_ahead(self, ticket: Ticket, service_ids: Iterable[int]) -> int:
        """How many of today's waiting tickets of these services come before `ticket`."""
        return self._plain(_COUNT_AHEAD, _place_params(ticket, service_ids)).scalar() or 0

    def ahead_at_issue(self, ticket: Ticket, service_ids: Iterable[int]) -> int:
        """How many tickets of these services were before `ticket` in the call order when it
        was issued (issued before it, and not called or finished by then)."""
        return self._plain(_AHEAD_AT_ISSUE, _place_params(ticket, service_ids)).scalar() or 0

    def waiting_counts(self, centre: Centre, day: date) -> dict[int, int]:
        """Today's waiting tickets per service id."""
        rows = self._plain(_WAITING_COUNTS, {"centre_id": centre.id, "day": day})
        return {service_id: count for service_id, count in rows}

    def earliest_waiting_issue(self, centre: Centre, service_id: int, day: date) -> datetime | None:
        """When the longest-waiting of today's tickets for a service was issued."""
        return self.session.scalar(
            select(func.min(Ticket.issued_at)).where(
                Ticket.centre_id == centre.id,
                Ticket.status == TicketStatus.WAITING.value,
                Ticket.service_id == service_id,
                Ticket.day == day,
            )
        )

    def now_serving(self, centre: Centre) -> Sequence[Ticket]:
        """Tickets at a counter now, latest call first."""
        return self.session.scalars(
            select(Ticket)
            .where(Ticket.centre_id == centre.id, Ticket.status.in_(_AT_COUNTER))
            .options(selectinload(Ticket.counter), selectinload(Ticket.service))
            .order_by(Ticket.called_at.desc())
        ).all()

    def recent_durations(self, service_ids: Iterable[int], limit: int) -> dict[int, list[float]]:
        """Seconds at the counter of each service's latest `limit` finished visits.

        One statement for all the services, each part reading only its newest rows by index.
        """
        ids = sorted(set(service_ids))
        durations: dict[int, list[float]] = {sid: [] for sid in ids}
        if ids:
            params = {f"s{i}": sid for i, sid in enumerate(ids)} | {"limit": limit}
            for service_id, duration_s in self._plain(_latest_served(len(ids)), params):
                durations[service_id].append(float(duration_s))
        return durations

    def expire_open_before(self, centre: Centre, day: date, values: dict) -> list[int]:
        """Expire the centre's tickets still open from days before `day`; their ids."""
        ids = list(
            self.session.scalars(
                select(Ticket.id).where(
                    Ticket.centre_id == centre.id, Ticket.day < day, Ticket.status.in_(_OPEN)
                )
            ).all()
        )
        if ids:
            self.session.execute(
                update(Ticket)
                .where(Ticket.id.in_(ids), Ticket.status.in_(_OPEN))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        return ids

    def add_history(self, entries: Sequence[Mapping[str, object]]) -> None:
        """Append entries (columns of `ticket_events`) to tickets' histories in one statement,
        without making an object of each."""
        if entries:
            self.session.connection().execute(insert(TicketEvent), list(entries))

    def forget_phone_numbers(self, finished_before: datetime) -> int:
        """Delete phone numbers of visits that closed before `finished_before`."""
        result = self.session.execute(
            update(Ticket)
            .where(Ticket.phone.is_not(None), Ticket.finished_at < finished_before)
            .values(phone=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount  # type: ignore[attr-defined,no-any-return]


@lru_cache(maxsize=64)
def _latest_served(services: int) -> TextClause:
    """SQL for the latest served visits of `services` services (:s0, :s1, … and :limit).

    Written out once per count of services: building it as a union of 20 SQLAlchemy
    subqueries on every estimate cost milliseconds.
    """
    part = (
        "SELECT * FROM (SELECT service_id, duration_s FROM ticket_events"
        " WHERE service_id = :s{i} AND kind = 'served' AND duration_s IS NOT NULL"
        " ORDER BY at DESC LIMIT :limit) AS p{i}"
    )
    return text(" UNION ALL ".join(part.format(i=i) for i in range(services)))


@lru_cache(maxsize=2)
def _claim_number(dialect_insert):  # type: ignore[no-untyped-def]
    """The upsert that claims the next number, built once for the dialect's INSERT."""
    table = TicketSequence.__table__
    keys = ("centre_id", "service_id", "day")
    # On the table, not the mapped class: the ORM's bulk-insert path cost more than the write.
    claim = dialect_insert(table).values(
        {key: bindparam(key, type_=table.c[key].type) for key in keys} | {"last": 1}
    )
    return claim.on_conflict_do_update(
        index_elements=list(keys), set_={"last": table.c.last + 1}
    ).returning(table.c.last)


def _place_params(ticket: Ticket, service_ids: Iterable[int]) -> dict[str, object]:
    """The parameters of the statements that place `ticket` among these services' tickets."""
    return {
        "centre_id": ticket.centre_id,
        "service_ids": list(service_ids),
        "day": ticket.day,
        "rank_at": ticket.rank_at,
        "issued_at": ticket.issued_at,
        "ticket_id": ticket.id,
    }
