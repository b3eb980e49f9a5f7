"""What happened in a centre, published to screens and counters after the commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TicketCalled:
    """A counter called (or recalled) a ticket: the hall screen shows and announces it."""

    centre: str
    ticket_id: str
    number: str
    counter: int
    service: str
    called_at: datetime
    recall: bool


@dataclass(frozen=True)
class TicketIssued:
    """A ticket was issued: its queue grew (projections read the new figures)."""

    centre: str
    ticket_id: str
    service: str


@dataclass(frozen=True)
class TicketChanged:
    """A ticket's status, service or counter changed (for its own tracking page)."""

    centre: str
    ticket_id: str
    status: str


@dataclass(frozen=True)
class QueueChanged:
    """The number waiting for a service, or its estimated wait, changed."""

    centre: str
    service: str
    waiting: int
    estimated_wait_s: int


@dataclass(frozen=True)
class CounterChanged:
    """A counter's state or its current ticket changed."""

    centre: str
    counter: int
    state: str
    ticket_number: str | None


@dataclass(frozen=True)
class PrintJobQueued:
    """A ticket waits to be printed on a kiosk's printer (by the server, or by its print agent)."""

    centre: str
    kiosk: str
    job_id: int
    ticket_id: str
    number: str
    reprint: bool
    by_agent: bool
    data: bytes


@dataclass(frozen=True)
class ServiceChanged:
    """A supervisor paused a service (with a reason in both languages) or resumed it."""

    centre: str
    service: str
    open: bool
    reason_en: str | None
    reason_sw: str | None


@dataclass(frozen=True)
class MoneyAskedReported:
    """A citizen answered that staff asked them for money (for supervisors, never public)."""

    centre: str
    number: str
    service: str
    counter: int | None
    given_at: datetime


@dataclass(frozen=True)
class DayStarted:
    """A centre's local day began: its counters closed, and its hall screens start afresh."""

    centre: str
    snapshot: dict[str, object]  # the hall as a screen shows it, read after the commit


Event = (
    TicketCalled
    | TicketIssued
    | TicketChanged
    | QueueChanged
    | CounterChanged
    | PrintJobQueued
    | ServiceChanged
    | MoneyAskedReported
    | DayStarted
)
