"""Queries and atomic updates on the queue's tables; the only place that writes SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy import TextClause, and_, delete, exists, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from ..domain.model import AT_COUNTER_STATUSES, OPEN_STATUSES, TicketStatus
from .orm import (
    Centre,
    Counter,
    Device,
    LoginFailure,
    PrinterState,
    PrintJob,
    Secret,
    Service,
    Ticket,
    TicketSequence,
    User,
    counter_services,
)

_OPEN = [s.value for s in OPEN_STATUSES]
_AT_COUNTER = [s.value for s in AT_COUNTER_STATUSES]
_UNPRINTED = ["pending", "printing"]


class Repository:
    """Reads and writes centres, tickets and counters within one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- generic ---------------------------------------------------------------------

    def add(self, obj: object) -> None:
        """Stage a new row."""
        self.session.add(obj)

    def flush(self) -> None:
        """Send staged changes now (to learn ids, or meet a constraint early)."""
        self.session.flush()

    def _insert(self):  # type: ignore[no-untyped-def]
        """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
        dialect = self.session.get_bind().dialect.name
        return postgresql.insert if dialect == "postgresql" else sqlite.insert

    # -- centres and their parts -------------------------------------------------------

    def centres(self) -> Sequence[Centre]:
        """All centres by code."""
        return self.session.scalars(select(Centre).order_by(Centre.code)).all()

    def centre(self, code: str) -> Centre | None:
        """The centre with `code`, its services loaded in the same statement."""
        return (
            self.session.scalars(
                select(Centre).where(Centre.code == code).options(joinedload(Centre.services))
            )
            .unique()
            .one_or_none()
        )

    def services(self, centre: Centre) -> Sequence[Service]:
        """A centre's services in configuration order."""
        return self.session.scalars(
            select(Service).where(Service.centre_id == centre.id).order_by(Service.id)
        ).all()

    def counters(self, centre: Centre) -> Sequence[Counter]:
        """A centre's counters with their services, by number."""
        return self.session.scalars(
            select(Counter)
            .where(Counter.centre_id == centre.id)
            .options(selectinload(Counter.services))
            .order_by(Counter.number)
        ).all()

    def counter_states(self, centre: Centre) -> list[tuple[str, frozenset[int]]]:
        """Each counter's state and the ids of its services, by number (one plain query)."""
        rows = self.session.execute(
            select(Counter.id, Counter.state, counter_services.c.service_id)
            .outerjoin(counter_services, counter_services.c.counter_id == Counter.id)
            .where(Counter.centre_id == centre.id)
            .order_by(Counter.number)
        ).all()
        states: dict[int, str] = {}
        served: dict[int, set[int]] = {}
        for counter_id, state, service_id in rows:
            states[counter_id] = state
            ids = served.setdefault(counter_id, set())
            if service_id is not None:
                ids.add(service_id)
        return [(states[cid], frozenset(served[cid])) for cid in states]

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

    # -- tickets ---------------------------------------------------------------------

    def ticket(self, public_id: str) -> Ticket | None:
        """The ticket with the public, unguessable id."""
        return self.session.scalars(
            select(Ticket).where(Ticket.public_id == public_id)
        ).one_or_none()

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
        insert = self._insert()(TicketSequence).values(
            centre_id=centre.id, service_id=service.id, day=day, last=1
        )
        return self.session.execute(
            insert.on_conflict_do_update(
                index_elements=["centre_id", "service_id", "day"],
                set_={"last": TicketSequence.last + 1},
            ).returning(TicketSequence.last)
        ).scalar_one()

    def current_ticket(self, counter: Counter) -> Ticket | None:
        """The ticket a counter holds (called or being served), if any."""
        return self.session.scalars(
            select(Ticket).where(Ticket.counter_id == counter.id, Ticket.status.in_(_AT_COUNTER))
        ).one_or_none()

    def waiting_in_order(
        self, centre: Centre, service_ids: Iterable[int], day: date, limit: int
    ) -> Sequence[int]:
        """Ids of today's waiting tickets of these services, first to be called first."""
        return self.session.scalars(
            select(Ticket.id)
            .where(
                Ticket.centre_id == centre.id,
                Ticket.status == TicketStatus.WAITING.value,
                Ticket.service_id.in_(list(service_ids)),
                Ticket.day == day,
            )
            .order_by(Ticket.rank_at, Ticket.issued_at, Ticket.id)
            .limit(limit)
        ).all()

    def claim_ticket(self, ticket_id: int, values: dict) -> Ticket | None:
        """Move a ticket out of `waiting` only if it still waits; None if another took it."""
        result = self.session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status == TicketStatus.WAITING.value)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return self.session.get(Ticket, ticket_id, populate_existing=True)

    def count_ahead(self, ticket: Ticket, service_ids: Iterable[int]) -> int:
        """How many of today's waiting tickets of these services come before `ticket`."""
        before = or_(
            Ticket.rank_at < ticket.rank_at,
            and_(Ticket.rank_at == ticket.rank_at, Ticket.issued_at < ticket.issued_at),
            and_(
                Ticket.rank_at == ticket.rank_at,
                Ticket.issued_at == ticket.issued_at,
                Ticket.id < ticket.id,
            ),
        )
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Ticket)
                .where(
                    Ticket.centre_id == ticket.centre_id,
                    Ticket.status == TicketStatus.WAITING.value,
                    Ticket.service_id.in_(list(service_ids)),
                    Ticket.day == ticket.day,
                    before,
                )
            )
            or 0
        )

    def waiting_counts(self, centre: Centre, day: date) -> dict[int, int]:
        """Today's waiting tickets per service id."""
        rows = self.session.execute(
            select(Ticket.service_id, func.count())
            .where(
                Ticket.centre_id == centre.id,
                Ticket.status == TicketStatus.WAITING.value,
                Ticket.day == day,
            )
            .group_by(Ticket.service_id)
        ).all()
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
            for service_id, duration_s in self.session.execute(_latest_served(len(ids)), params):
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

    def forget_phone_numbers(self, finished_before: datetime) -> int:
        """Delete phone numbers of visits that closed before `finished_before`."""
        result = self.session.execute(
            update(Ticket)
            .where(Ticket.phone.is_not(None), Ticket.finished_at < finished_before)
            .values(phone=None)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount  # type: ignore[attr-defined,no-any-return]

    # -- sign-in ---------------------------------------------------------------------

    def count_login_failures(self, key: str, since: datetime) -> int:
        """Failed sign-ins under `key` since `since`."""
        return (
            self.session.scalar(
                select(func.count())
                .select_from(LoginFailure)
                .where(LoginFailure.key == key, LoginFailure.at >= since)
            )
            or 0
        )

    def clear_login_failures(self, key: str, before: datetime | None = None) -> None:
        """Forget failures under `key` (all, or those older than `before`)."""
        condition = LoginFailure.key == key
        if before is not None:
            condition = and_(condition, LoginFailure.at < before)
        self.session.execute(delete(LoginFailure).where(condition))

    def secret(self, name: str, make: str) -> str:
        """The kept secret `name`; the first caller stores `make`, every other reads it."""
        self.session.execute(
            self._insert()(Secret).values(name=name, value=make).on_conflict_do_nothing()
        )
        return self.session.scalars(select(Secret.value).where(Secret.name == name)).one()

    # -- print jobs and printer states -------------------------------------------------

    def device(self, device_id: int) -> Device | None:
        """The device with `device_id`."""
        return self.session.get(Device, device_id)

    def device_by_name(self, centre: Centre, name: str) -> Device | None:
        """The centre's device named `name`."""
        return self.session.scalars(
            select(Device).where(Device.centre_id == centre.id, Device.name == name)
        ).one_or_none()

    def print_job(self, job_id: int) -> PrintJob | None:
        """The print job with `job_id`, read afresh."""
        return self.session.get(PrintJob, job_id, populate_existing=True)

    def first_print_job(self, ticket: Ticket) -> PrintJob | None:
        """The print job made when the ticket was issued (not a reprint)."""
        return self.session.scalars(
            select(PrintJob)
            .where(PrintJob.ticket_id == ticket.id, PrintJob.reprint.is_(False))
            .order_by(PrintJob.id)
            .limit(1)
        ).one_or_none()

    def print_jobs(
        self, centre: Centre, *, device_id: int | None, state: str | None, limit: int
    ) -> Sequence[PrintJob]:
        """A centre's print jobs, newest first, of one device and one state if given."""
        query = select(PrintJob).where(PrintJob.centre_id == centre.id)
        if device_id is not None:
            query = query.where(PrintJob.device_id == device_id)
        if state is not None:
            query = query.where(PrintJob.state == state)
        return self.session.scalars(
            query.options(selectinload(PrintJob.ticket), selectinload(PrintJob.device))
            .order_by(PrintJob.id.desc())
            .limit(limit)
        ).all()

    def count_unprinted(self, device_id: int) -> int:
        """Jobs of a device still to print (pending or being printed)."""
        return (
            self.session.scalar(
                select(func.count())
                .select_from(PrintJob)
                .where(PrintJob.device_id == device_id, PrintJob.state.in_(_UNPRINTED))
            )
            or 0
        )

    def hurry_print_jobs(self, device_id: int, now: datetime) -> None:
        """Make a device's waiting jobs due now (a new job is a sign its printer may be back)."""
        self.session.execute(
            update(PrintJob)
            .where(PrintJob.device_id == device_id, PrintJob.state == "pending")
            .values(next_try_at=now)
            .execution_options(synchronize_session=False)
        )

    def release_expired_print_leases(self, now: datetime) -> int:
        """Return to pending the jobs whose worker stopped (was killed) while printing them."""
        result = self.session.execute(
            update(PrintJob)
            .where(PrintJob.state == "printing", PrintJob.lease_until < now)
            .values(state="pending", lease_until=None, next_try_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount  # type: ignore[attr-defined,no-any-return]

    def print_work_due(self, now: datetime) -> bool:
        """Whether a job waits for the server's worker now, or a dead worker's job is stuck."""
        due = and_(PrintJob.state == "pending", PrintJob.next_try_at <= now)
        stuck = and_(PrintJob.state == "printing", PrintJob.lease_until < now)
        return bool(
            self.session.scalar(
                select(
                    exists()
                    .where(or_(due, stuck), Device.id == PrintJob.device_id)
                    .where(Device.printer != "agent")
                )
            )
        )

    def print_queue_heads(self) -> Sequence[int]:
        """The oldest pending job of every device the server prints for (not print agents)."""
        return self.session.scalars(
            select(func.min(PrintJob.id))
            .join(Device, Device.id == PrintJob.device_id)
            .where(PrintJob.state == "pending", Device.printer != "agent")
            .group_by(PrintJob.device_id)
        ).all()

    def claim_print_job(self, job_id: int, now: datetime, lease_until: datetime) -> PrintJob | None:
        """Take a due pending job for printing, atomically; None if it is not due or taken.

        A device prints one job at a time, so a job is not taken while another of its
        device's is being printed.
        """
        busy = aliased(PrintJob)
        result = self.session.execute(
            update(PrintJob)
            .where(
                PrintJob.id == job_id,
                PrintJob.state == "pending",
                PrintJob.next_try_at <= now,
                ~exists().where(busy.device_id == PrintJob.device_id, busy.state == "printing"),
            )
            .values(state="printing", lease_until=lease_until, attempts=PrintJob.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return self.print_job(job_id)

    def finish_print_job(self, job_id: int, from_state: str, values: dict) -> bool:
        """Record how a job went, only if it is still in `from_state`; whether it was."""
        result = self.session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.state == from_state)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined,no-any-return]

    def pending_print_jobs(self, device_id: int) -> Sequence[PrintJob]:
        """A device's pending jobs, oldest first."""
        return self.session.scalars(
            select(PrintJob)
            .where(PrintJob.device_id == device_id, PrintJob.state == "pending")
            .options(selectinload(PrintJob.ticket))
            .order_by(PrintJob.id)
        ).all()

    def printer_state(self, device_id: int) -> PrinterState | None:
        """What a device's printer last said about itself."""
        return self.session.get(PrinterState, device_id, populate_existing=True)

    def save_printer_state(self, device_id: int, values: dict) -> None:
        """Record a device's printer state (the row is made by whoever comes first)."""
        self.session.execute(
            self._insert()(PrinterState)
            .values(device_id=device_id, **values)
            .on_conflict_do_nothing()
        )
        self.session.execute(
            update(PrinterState)
            .where(PrinterState.device_id == device_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


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
