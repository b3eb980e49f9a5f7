"""The database tables, as typed SQLAlchemy 2 models."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC, so SQLite and PostgreSQL compare alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base with the constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Centre(Base):
    __tablename__ = "centres"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    priority_bonus_s: Mapped[int] = mapped_column(Integer)
    appointment_bonus_s: Mapped[int] = mapped_column(Integer)
    notify_ahead: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    document_return_days: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    booking_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    checkin_early_s: Mapped[int] = mapped_column(Integer, default=3600, server_default="3600")
    checkin_late_s: Mapped[int] = mapped_column(Integer, default=900, server_default="900")
    # The local day its counters and screens were last started for (at local midnight).
    day: Mapped[date | None] = mapped_column(Date, default=None)

    # Huduma Mashinani: "outreach" for a pop-up site, run by the `parent` centre's staff.
    kind: Mapped[str] = mapped_column(String(16), default="centre", server_default="centre")
    parent: Mapped[str | None] = mapped_column(String(16), default=None)
    starts: Mapped[date | None] = mapped_column(Date, default=None)
    ends: Mapped[date | None] = mapped_column(Date, default=None)
    location: Mapped[str | None] = mapped_column(String(200), default=None)
    sponsor: Mapped[str | None] = mapped_column(String(100), default=None)

    services: Mapped[list[Service]] = relationship(back_populates="centre", order_by="Service.id")
    counters: Mapped[list[Counter]] = relationship(
        back_populates="centre", order_by="Counter.number"
    )


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("centre_id", "code"),
        UniqueConstraint("centre_id", "prefix"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    code: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(3))
    name_en: Mapped[str] = mapped_column(String(200))
    name_sw: Mapped[str] = mapped_column(String(200))
    category_en: Mapped[str] = mapped_column(String(200))
    category_sw: Mapped[str] = mapped_column(String(200))
    fee_kes: Mapped[int] = mapped_column(Integer, default=0)
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    typical_service_s: Mapped[int] = mapped_column(Integer, default=300)
    collect_service: Mapped[str | None] = mapped_column(String(16), default=None)
    # The slot templates of the configuration ({days, start, end, minutes, capacity}).
    slot_templates: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # A supervisor's pause (an agency's system is down): its reason, shown on kiosks and screens.
    paused_reason_en: Mapped[str | None] = mapped_column(String(200), default=None)
    paused_reason_sw: Mapped[str | None] = mapped_column(String(200), default=None)
    target_wait_s: Mapped[int] = mapped_column(Integer, default=3600, server_default="3600")

    centre: Mapped[Centre] = relationship(back_populates="services")


counter_services = Table(
    "counter_services",
    Base.metadata,
    Column("counter_id", ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
)


class Counter(Base):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("centre_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="closed")
    clerk_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    # Moved on by every action, only from the version read: two screens never both act.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    centre: Mapped[Centre] = relationship(back_populates="counters")
    services: Mapped[list[Service]] = relationship(
        secondary=counter_services, order_by="Service.id"
    )


class Device(Base):
    __tablename__ = "devices"
    __table_args__ = (UniqueConstraint("centre_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    printer: Mapped[str] = mapped_column(String(200), default="none")
    printer_status: Mapped[str] = mapped_column(
        String(16), default="required", server_default="required"
    )
    print_expiry_s: Mapped[int] = mapped_column(Integer, default=300, server_default="300")

    centre: Mapped[Centre] = relationship()


user_centres = Table(
    "user_centres",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("centre_id", ForeignKey("centres.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    # False once the user is left out of the configuration: no sign-in, every token refused.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())

    centres: Mapped[list[Centre]] = relationship(secondary=user_centres, order_by="Centre.code")


class TicketSequence(Base):
    """The last number issued per centre, service and local day (claimed atomically)."""

    __tablename__ = "ticket_sequences"
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("centre_id", "issued_service_id", "day", "sequence"),
        UniqueConstraint("centre_id", "idempotency_key"),
        Index("ix_tickets_call_order", "centre_id", "status", "service_id", "rank_at", "issued_at"),
        Index("ix_tickets_by_status_day", "centre_id", "status", "day", "service_id"),
        Index("ix_tickets_sync_pending", "centre_id", "sync_pending"),
        # The database, not the server, guarantees a counter holds at most one ticket.
        Index(
            "ux_tickets_one_per_counter",
            "counter_id",
            unique=True,
            sqlite_where=text("status IN ('called', 'serving')"),
            postgresql_where=text("status IN ('called', 'serving')"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    issued_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16), default="none")
    language: Mapped[str] = mapped_column(String(2), default="en")
    phone: Mapped[str | None] = mapped_column(String(16), default=None)
    phone_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    phone_consent_text: Mapped[dict | None] = mapped_column(JSON, default=None)
    document_ref: Mapped[str | None] = mapped_column(String(10), default=None)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rank_at: Mapped[datetime] = mapped_column(UTCDateTime)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    counter_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), default=None)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), default=None)
    appointment_ref: Mapped[str | None] = mapped_column(String(8), default=None)

    fee_kes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    paid_by: Mapped[str] = mapped_column(String(16), default="citizen", server_default="citizen")
    # Set by every insert and update, bulk ones included; an outreach site's sync log takes
    # the changed tickets into its log at commit and clears it (see adapters/sync_log.py).
    sync_pending: Mapped[bool] = mapped_column(
        Boolean, default=True, onupdate=True, server_default=text("true")
    )

    centre: Mapped[Centre] = relationship()
    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])


class TicketEvent(Base):
    """The history of a ticket: every call, start, finish and transfer, for reports."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_service_kind_at", "service_id", "kind", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), default=None)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    duration_s: Mapped[int | None] = mapped_column(Integer, default=None)
    detail: Mapped[dict | None] = mapped_column(JSON, default=None)
    sync_pending: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class LoginFailure(Base):
    """A failed sign-in, counted to slow down password guessing across all processes."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class Secret(Base):
    """Server secrets kept across restarts and shared by processes (the token signing key)."""

    __tablename__ = "secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class RevokedToken(Base):
    """A signed-in user's token that signed out; refused until it would have expired anyway."""

    __tablename__ = "revoked_tokens"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PrintJob(Base):
    """A ticket to print on a kiosk's printer, stored with the ticket and sent by a worker.

    States: pending (waiting, or retrying after next_try_at), printing (claimed by a worker
    until lease_until), printed, failed (given up, or a printer that cannot be used).
    """

    __tablename__ = "print_jobs"
    __table_args__ = (
        Index("ix_print_jobs_state_device", "state", "device_id", "id"),
        Index("ix_print_jobs_centre_created", "centre_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    reprint: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    state: Mapped[str] = mapped_column(String(16))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Recorded just before the bytes go: a worker that dies after it may have printed the job.
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    ticket: Mapped[Ticket] = relationship()
    device: Mapped[Device] = relationship()


class PrinterState(Base):
    """What a kiosk's printer last said about itself (or that it said nothing: unknown)."""

    __tablename__ = "printer_states"
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    online: Mapped[bool | None] = mapped_column(Boolean, default=None)
    paper: Mapped[str] = mapped_column(String(16), default="unknown")
    cover_open: Mapped[bool | None] = mapped_column(Boolean, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SmsMessage(Base):
    """An SMS to a citizen, stored with the change that causes it and sent later by a worker.

    States: held (no gateway configured: kept, unsent), queued (due at next_try_at; taken by a
    worker until lease_until), sent (the gateway accepted it), delivered (its delivery report
    came), failed (given up), expired (no longer useful, never sent).
    """

    __tablename__ = "sms_messages"
    __table_args__ = (
        UniqueConstraint("purpose", "subject"),
        Index("ix_sms_messages_status_next_try_at", "status", "next_try_at"),
        Index("ix_sms_messages_phone_created_at", "phone", "created_at"),
        Index("ix_sms_messages_centre_id_id", "centre_id", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    body: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    gateway_id: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)

    centre: Mapped[Centre] = relationship()


class Document(Base):
    """A citizen's document (an ID card, a certificate) to collect, followed by its ref.

    Statuses only move forward: lodged, in_process, ready, then collected or returned.
    """

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_centre_status_updated", "centre_id", "status", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(10), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    status: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(16))
    phone_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone_consent_text: Mapped[dict | None] = mapped_column(JSON)
    lodged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Set by every insert and update, like a ticket's: an outreach site logs the document.
    sync_pending: Mapped[bool] = mapped_column(
        Boolean, default=True, onupdate=True, server_default=text("true")
    )

    centre: Mapped[Centre] = relationship()
    service: Mapped[Service] = relationship()


class SlotUsage(Base):
    """Places taken in one slot of a service; bookings claim one with a conditional update."""

    __tablename__ = "slot_usage"
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class ClosedDay(Base):
    """A local day a supervisor closed a service's bookings (a holiday, a staff shortage)."""

    __tablename__ = "closed_days"
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class Appointment(Base):
    """A booked slot (Service by Appointment); `ref` is what the citizen types at the kiosk."""

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("centre_id", "idempotency_key"),
        Index("ix_appointments_centre_day", "centre_id", "day", "start"),
        Index("ix_appointments_status_start", "status", "start"),
        # One live booking per phone per service per day (cancelled ones do not count).
        Index(
            "ux_appointments_one_per_phone",
            "service_id",
            "day",
            "phone",
            unique=True,
            sqlite_where=text("status IN ('booked', 'checked_in') AND phone IS NOT NULL"),
            postgresql_where=text("status IN ('booked', 'checked_in') AND phone IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    ref: Mapped[str] = mapped_column(String(8), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2), default="en")
    phone: Mapped[str | None] = mapped_column(String(16), default=None)
    phone_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reason: Mapped[str | None] = mapped_column(String(200), default=None)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), default=None)

    centre: Mapped[Centre] = relationship()
    service: Mapped[Service] = relationship()
    ticket: Mapped[Ticket | None] = relationship()


class Feedback(Base):
    """A citizen's answer about one served ticket (never public; one per ticket)."""

    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_centre_day", "centre_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), default=None)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    day: Mapped[date] = mapped_column(Date)
    rating: Mapped[int] = mapped_column(Integer)
    wait_ok: Mapped[bool | None] = mapped_column(Boolean, default=None)
    fee: Mapped[str | None] = mapped_column(String(16), default=None)
    asked_for_money: Mapped[str | None] = mapped_column(String(16), default=None)
    comment: Mapped[str | None] = mapped_column(String(500), default=None)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sync_pending: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class ReportDay(Base):
    """A closed local day's report figures of one service ('' for the whole centre).

    Made once a day is over (its tickets can no longer change), so reports over months read
    these rows instead of every ticket; feedback, which still arrives for 7 days, is not here.
    """

    __tablename__ = "report_days"
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service: Mapped[str] = mapped_column(String(16), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    no_show: Mapped[int] = mapped_column(Integer)
    fees_kes: Mapped[int] = mapped_column(Integer)
    fees_sponsored_kes: Mapped[int] = mapped_column(Integer)
    wait_p50_s: Mapped[int | None] = mapped_column(Integer)
    wait_p90_s: Mapped[int | None] = mapped_column(Integer)
    service_p50_s: Mapped[int | None] = mapped_column(Integer)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Reports read a centre's tickets by local day (a quarter of a large centre, not its history).
Index("ix_tickets_centre_day", Ticket.centre_id, Ticket.day)


class SyncEntry(Base):
    """One numbered entry of an outreach site's sync log.

    At the site: every change the central office needs, written in the transaction of the
    change. At the central server: entries received ahead of a missing one, held until it
    arrives (applied entries are not kept there).
    """

    __tablename__ = "sync_entries"
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SyncState(Base):
    """Where an outreach site's log stands: at the site, what was written and acknowledged;
    at the central server, what was applied and when the site last uploaded."""

    __tablename__ = "sync_states"
    centre_id: Mapped[int] = mapped_column(ForeignKey("centres.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    acked_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    skew_s: Mapped[int | None] = mapped_column(Integer, default=None)
