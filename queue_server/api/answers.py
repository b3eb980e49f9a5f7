"""The answers of the HTTP API as pydantic models, for its OpenAPI document (GET openapi.json).

The use cases build their answers as plain dicts; these models say what those dicts hold, and
the schemathesis test (tests/integration/test_openapi.py) checks every answer against them.
Keys present in every answer have no default (required); keys that only some answers carry (a
ticket's `print`, `appointment`, `document`) have one. No other key may appear.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..centre_config import CentreEntry
from ..domain.appointments import AppointmentStatus
from ..domain.documents import DocumentStatus
from ..domain.model import CounterState, Priority, TicketStatus
from ..domain.outreach import PaidBy

Role = Literal["clerk", "supervisor", "admin"]
PrinterState = Literal["ok", "fault", "unknown"]
Paper = Literal["ok", "near_end", "out", "unknown"]
PrintJobState = Literal["pending", "printing", "printed", "failed", "expired"]
SmsStatus = Literal["held", "queued", "sent", "delivered", "failed", "expired"]
Seconds = int
"""A duration in whole seconds."""


class Answer(BaseModel):
    """Base of every answer: exactly these keys (additionalProperties: false)."""

    model_config = ConfigDict(extra="forbid")


class Names(Answer):
    """A text in English and Kiswahili."""

    en: str
    sw: str


class ErrorDetail(Answer):
    code: str = Field(description="A stable snake_case reason, e.g. `unknown_centre`.")
    message: str = Field(description="For a person; never a traceback.")


class ErrorBody(Answer):
    """Every error's body."""

    error: ErrorDetail


class Healthy(Answer):
    status: Literal["ok"]


class Unready(Answer):
    status: Literal["unavailable"]
    failing: list[Literal["database", "redis"]]


class UserView(Answer):
    username: str
    role: Role
    centres: list[str]


class SignedIn(Answer):
    token: str = Field(description="Send it as `Authorization: Bearer …`; valid for 12 hours.")
    user: UserView


class CentreView(Answer):
    code: str
    name: str
    timezone: str
    kind: Literal["centre", "outreach"]
    sponsor: str | None


class ServiceView(Answer):
    code: str
    prefix: str
    name: Names
    category: Names
    fee_kes: int
    open: bool
    paused_reason: Names | None
    waiting: int
    estimated_wait_s: Seconds = Field(description="The wait of a ticket issued now.")


class PrinterView(Answer):
    url_kind: Literal["tcp", "usb", "serial", "file", "agent"]
    state: PrinterState
    online: bool | None
    paper: Paper
    cover_open: bool | None
    last_error: str | None
    checked_at: datetime | None
    pending_jobs: int


class PrintSummary(Answer):
    """An issued ticket's first print job and its kiosk's printer."""

    id: int
    state: PrintJobState
    printer: PrinterView | None


class PublicTicket(Answer):
    """A ticket as anyone with its id sees it (no `priority`)."""

    id: str
    number: str
    centre: str
    service: str
    service_name: Names
    status: TicketStatus
    language: Literal["en", "sw"]
    issued_at: datetime
    called_at: datetime | None
    counter: int | None
    position: int | None = Field(description="`ahead + 1` while the ticket waits, else null.")
    ahead: int | None
    estimated_wait_s: Seconds | None
    fee_kes: int
    paid_by: PaidBy
    sponsor: str | None
    document: str | None = Field(default=None, description="A collection ticket's document ref.")
    appointment: str | None = Field(default=None, description="A checked-in appointment's ref.")
    late: bool | None = Field(default=None, description="With `appointment`: checked in late.")


class Ticket(PublicTicket):
    """A ticket as its kiosk and the centre's staff see it."""

    priority: Priority
    print: PrintSummary | None = Field(default=None, description="When its kiosk prints it.")


class CounterView(Answer):
    number: int
    services: list[str]
    state: CounterState
    ticket: Ticket | None


class CounterQueue(Answer):
    service: str
    waiting: int
    estimated_wait_s: Seconds
    longest_wait_s: Seconds


class DeviceView(Answer):
    name: str
    kind: Literal["kiosk", "display", "printer-agent", "feedback", "site"]
    centre: str
    printer: PrinterView | None


class PrintJob(Answer):
    id: int
    ticket: str
    number: str
    centre: str
    kiosk: str
    reprint: bool
    state: PrintJobState
    attempts: int
    last_error: str | None
    created_at: datetime
    next_try_at: datetime | None
    printed_at: datetime | None


class FeedbackGiven(Answer):
    ticket: str
    given_at: datetime


class AskedTicket(Answer):
    id: str
    number: str
    service: str
    service_name: Names


class TabletQuestion(Answer):
    centre: str
    counter: int
    ticket: AskedTicket | None


class ServicePause(Answer):
    service: str
    open: bool
    paused_reason: Names | None


class HallService(Answer):
    code: str
    name: Names
    open: bool
    paused_reason: Names | None
    waiting: int
    longest_wait_s: Seconds
    estimated_wait_s: Seconds
    target_wait_s: Seconds
    alert: bool


class HallCounter(Answer):
    number: int
    state: CounterState
    clerk: str | None
    ticket: str | None
    service: str | None
    since_s: Seconds | None


class HallHour(Answer):
    hour: int = Field(ge=0, le=23)
    arrivals: int
    wait_p50_s: Seconds | None


class MoneyAsked(Answer):
    number: str
    service: str
    counter: int | None
    given_at: datetime


class Hall(Answer):
    centre: str
    name: str
    timezone: str
    now: datetime
    services: list[HallService]
    counters: list[HallCounter]
    hours: list[HallHour]
    money_asked: list[MoneyAsked]


class Totals(Answer):
    """A report row's figures (feedback figures are null without answers)."""

    issued: int
    served: int
    no_show: int
    wait_p50_s: Seconds | None
    wait_p90_s: Seconds | None
    service_p50_s: Seconds | None
    feedback: int
    rating_mean: float | None
    fee_more_pct: float | None
    asked_money_pct: float | None
    fees_kes: int
    fees_sponsored_kes: int


class ServiceReportRow(Totals):
    date: date
    service: str


class CentreReportRow(Totals):
    date: date
    centre: str


class CounterReportRow(Answer):
    """Feedback figures are null below 20 answers."""

    counter: int | None
    clerk: str | None
    served: int
    service_p50_s: Seconds | None
    feedback: int | None
    rating_mean: float | None
    fee_more_pct: float | None
    asked_money_pct: float | None


class SponsorRow(Answer):
    service: str
    served: int
    fee_kes: int
    total_kes: int


class SponsorReport(Answer):
    model_config = ConfigDict(populate_by_name=True)

    centre: str
    name: str
    sponsor: str | None
    first: date = Field(alias="from")
    last: date = Field(alias="to")
    served: int
    by_service: list[SponsorRow]
    total_kes: int


class Acknowledged(Answer):
    acked_seq: int


class SiteStatus(Answer):
    centre: str
    pending: int
    acked_seq: int
    last_success_at: datetime | None
    last_error: str | None


class SiteUploads(Answer):
    centre: str
    acked_seq: int
    last_upload_at: datetime | None
    clock_skew_s: int | None
    clock_flagged: bool


class OutreachSite(SiteUploads):
    name: str
    parent: str | None
    sponsor: str | None
    starts: date | None
    ends: date | None
    location: str | None


class SiteUser(Answer):
    username: str
    password_hash: str
    role: Role
    centres: list[str]


class SiteConfiguration(Answer):
    """The central configuration of one site, in the configuration file's shape."""

    centre: list[CentreEntry]
    user: list[SiteUser]


class Slot(Answer):
    start: datetime
    end: datetime
    capacity: int
    free: int


class FreeDay(Answer):
    date: date
    free: int


class BookableService(Answer):
    code: str
    name: Names
    category: Names


class BookingInfo(Answer):
    centre: str
    name: str
    timezone: str
    booking_days: int
    checkin_early_s: Seconds
    checkin_late_s: Seconds
    services: list[BookableService]


class AppointmentView(Answer):
    id: str
    ref: str = Field(description="XXXX-XXXX")
    centre: str
    service: str
    service_name: Names
    start: datetime
    end: datetime
    status: AppointmentStatus
    reason: str | None
    ticket: str | None


class ClosedDay(Answer):
    service: str
    date: date
    reason: str
    closed: bool = Field(description="False when the day was closed already.")
    cancelled: int


class Delivered(Answer):
    ok: Literal[True]


class MessageView(Answer):
    id: int
    purpose: str
    to: str | None = Field(description="Masked: +2547*****678.")
    status: SmsStatus
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


class PublicDocument(Answer):
    ref: str = Field(description="XXXXX-XXXXX")
    centre: str
    service: str
    status: DocumentStatus
    updated_at: datetime


class DocumentView(PublicDocument):
    id: int


class ReadyBatch(Answer):
    ready: int
    unknown: list[str]


class OpenAPIDocument(BaseModel):
    """This document (OpenAPI 3.1)."""

    openapi: str
