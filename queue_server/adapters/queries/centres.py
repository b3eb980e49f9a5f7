"""Centres, their services, counters and devices, and the users who work there."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, bindparam, select, text
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ...domain.model import AT_COUNTER_STATUSES
from ..orm import (
    Centre,
    Counter,
    Device,
    Service,
    Ticket,
    User,
    counter_services,
)
from .base import Queries

_AT_COUNTER = [s.value for s in AT_COUNTER_STATUSES]

CONFIGURATION_LOCK = 7261002
"""PostgreSQL advisory lock held while a configuration is applied (migrations hold 7261001)."""


_COUNTER_AT = (  # every counter action's first statement, built once
    select(Counter)
    .join(Centre, Centre.id == Counter.centre_id)
    .where(Centre.code == bindparam("centre_code"), Counter.number == bindparam("number"))
    .options(contains_eager(Counter.centre), joinedload(Counter.services))
)


_CENTRE = select(Centre).where(Centre.code == bindparam("code"))  # every read of a centre
_CENTRE_WITH_SERVICES = _CENTRE.options(joinedload(Centre.services))
_SERVICE_AT = (  # issuing's first statement
    select(Service)
    .join(Centre, Centre.id == Service.centre_id)
    .where(Centre.code == bindparam("centre_code"), Service.code == bindparam("service_code"))
    .options(contains_eager(Service.centre))
)
_SERVICE_ROWS = (
    select(Service.id, Service.code, Service.typical_service_s)
    .where(Service.centre_id == bindparam("centre_id"))
    .order_by(Service.id)
)
_COUNTER_STATES = (  # every estimate's: the ticket a counter holds, by its one-per-counter index
    select(
        Counter.id,
        Counter.state,
        counter_services.c.service_id,
        Ticket.service_id,
        Ticket.counter_called_at,
    )
    .outerjoin(counter_services, counter_services.c.counter_id == Counter.id)
    .outerjoin(Ticket, and_(Ticket.counter_id == Counter.id, Ticket.status.in_(_AT_COUNTER)))
    .where(Counter.centre_id == bindparam("centre_id"))
    .order_by(Counter.number)
)


class CounterState(NamedTuple):
    """A counter as the estimate sees it: its state, its services, and the visit at hand (its
    service and when the counter called it; None when it holds no ticket)."""

    state: str
    services: frozenset[int]
    serving: int | None = None
    called_at: datetime | None = None


class ServiceRow(NamedTuple):
    """What a centre's queue figures need of a service, read without making a `Service`."""

    id: int
    code: str
    typical_service_s: int


class CentreQueries(Queries):
    """Reads of a centre and its parts."""

    def lock_configuration(self) -> None:
        """Wait until no other process is applying a configuration, until this commits.

        Several processes may start at once on an empty database: one creates the centres,
        the others then find them. SQLite's writers already queue at BEGIN IMMEDIATE.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": CONFIGURATION_LOCK}
            )

    def centres(self) -> Sequence[Centre]:
        """All centres by code."""
        return self.session.scalars(select(Centre).order_by(Centre.code)).all()

    def centre(self, code: str, *, with_services: bool = True) -> Centre | None:
        """The centre with `code`, its services loaded in the same statement unless the use
        needs only those it reaches otherwise (a counter's, loaded with the counter)."""
        query = _CENTRE_WITH_SERVICES if with_services else _CENTRE
        return self.session.scalars(query, {"code": code}).unique().one_or_none()

    def service_at(self, centre_code: str, service_code: str) -> Service | None:
        """A centre's service with its centre, in one row (not the centre's other services)."""
        params = {"centre_code": centre_code, "service_code": service_code}
        return self.session.scalars(_SERVICE_AT, params).one_or_none()

    def services(self, centre: Centre) -> Sequence[Service]:
        """A centre's services in configuration order."""
        return self.session.scalars(
            select(Service).where(Service.centre_id == centre.id).order_by(Service.id)
        ).all()

    def service_rows(self, centre: Centre) -> list[ServiceRow]:
        """A centre's services as plain rows, in configuration order."""
        rows = self._plain(_SERVICE_ROWS, {"centre_id": centre.id})
        return [ServiceRow(*row) for row in rows]

    def counters(self, centre: Centre) -> Sequence[Counter]:
        """A centre's counters with their services, by number."""
        return self.session.scalars(
            select(Counter)
            .where(Counter.centre_id == centre.id)
            .options(selectinload(Counter.services))
            .order_by(Counter.number)
        ).all()

    def counter_states(self, centre: Centre) -> list[CounterState]:
        """Each counter's state, the ids of its services and its visit at hand, by number (one
        plain query)."""
        rows = self._plain(_COUNTER_STATES, {"centre_id": centre.id}).all()
        states: dict[int, tuple[str, int | None, datetime | None]] = {}
        served: dict[int, set[int]] = {}
        for counter_id, state, service_id, serving, called_at in rows:
            states[counter_id] = (state, serving, called_at)
            ids = served.setdefault(counter_id, set())
            if service_id is not None:
                ids.add(service_id)
        return [
            CounterState(state, frozenset(served[cid]), serving, called_at)
            for cid, (state, serving, called_at) in states.items()
        ]

    def counter(self, centre: Centre, number: int) -> Counter | None:
        """The centre's counter with `number`."""
        return (
            self.session.scalars(
                select(Counter)
                .where(Counter.centre_id == centre.id, Counter.number == number)
                .options(joinedload(Counter.services))
            )
            .unique()
            .one_or_none()
        )

    def counter_at(self, centre_code: str, number: int) -> Counter | None:
        """A centre's counter with its centre and its own services, in one statement (not
        the centre's other services)."""
        params = {"centre_code": centre_code, "number": number}
        return self.session.scalars(_COUNTER_AT, params).unique().one_or_none()

    def take_counter(self, counter: Counter) -> bool:
        """Move the counter's version on from the one read, or False if it moved already.

        On PostgreSQL the row stays locked to the end of the transaction, so a second screen's
        action waits, then finds the version moved and changes nothing.
        """
        moved = {"version": counter.version + 1}
        return self._update_as_read(counter, {"version": counter.version}, moved)

    def device_by_token_hash(self, token_hash: str) -> Device | None:
        """The device whose token hashes to `token_hash`."""
        return self.session.scalars(
            select(Device).where(Device.token_hash == token_hash)
        ).one_or_none()

    def devices(self, centre: Centre) -> Sequence[Device]:
        """A centre's devices."""
        return self.session.scalars(select(Device).where(Device.centre_id == centre.id)).all()

    def user(self, username: str) -> User | None:
        """The user named `username`."""
        return self.session.scalars(
            select(User).where(User.username == username).options(selectinload(User.centres))
        ).one_or_none()

    def user_by_id(self, user_id: int) -> User | None:
        """The user with `user_id`."""
        return self.session.get(User, user_id, options=[selectinload(User.centres)])

    def usernames(self, user_ids: Iterable[int]) -> dict[int, str]:
        """The usernames of these users by id, in one statement (a report names every clerk)."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        rows = self._plain(select(User.id, User.username).where(User.id.in_(ids)))
        return {user_id: username for user_id, username in rows}
