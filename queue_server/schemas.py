"""Validation of what clients send, one way for HTTP bodies and Socket.IO payloads."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from .domain.errors import InvalidValue, Malformed

M = TypeVar("M", bound=BaseModel)
DB_INT_MAX = 2**31 - 1
"""The largest number a database integer column holds: larger input is a 422, never a 500."""


def _holds_nul(value: object) -> bool:
    """Whether a text anywhere in `value` (a string, list or object) holds the NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    return False


class DatabaseSafe(BaseModel):
    """No text holds NUL, which PostgreSQL cannot store or compare: a 422, never a 500."""

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if _holds_nul(value):
            raise ValueError("Text must not contain the NUL character")
        return value


class Payload(DatabaseSafe):
    """Base of every request: strict JSON types; unknown fields are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class LoginRequest(Payload):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class IssueTicketRequest(Payload):
    service: str = Field(min_length=1, max_length=16)
    priority: Literal["none", "elderly", "disability", "expectant"] = "none"
    language: Literal["en", "sw"] = "en"
    phone: str | None = Field(default=None, max_length=32)
    consent: bool = False


class OpenCounterRequest(Payload):
    centre: str = Field(min_length=1, max_length=16)
    counter: int = Field(ge=1, le=9999)


class CounterActionRequest(Payload):
    """A counter action on its current ticket; `ticket` is the number the clerk's screen shows."""

    ticket: str | None = Field(default=None, min_length=1, max_length=16)


class TransferRequest(CounterActionRequest):
    service: str = Field(min_length=1, max_length=16)


class NoFields(Payload):
    """An action that takes nothing (call_next, recall, ...)."""


def validate(model: type[M], data: object) -> M:
    """`data` as a `model`, or Malformed (not an object) / InvalidValue (a bad field)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Malformed("The request must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "request"
        raise InvalidValue(f"{field}: {first['msg']}.", code="invalid_value") from None


class BookAppointmentRequest(Payload):
    """POST /centres/{c}/appointments."""

    service: str = Field(min_length=1, max_length=16)
    start: AwareDatetime = Field(strict=False)  # JSON gives an ISO 8601 string
    language: Literal["en", "sw"] = "en"
    phone: str | None = Field(default=None, max_length=32)
    consent: bool = False


class CloseDayRequest(Payload):
    """POST /centres/{c}/services/{s}/closed-days."""

    date: str = Field(min_length=1, max_length=10)
    reason: str = Field(min_length=1, max_length=200)


class FeedbackRequest(Payload):
    rating: int = Field(ge=1, le=5)
    wait_ok: bool | None = None
    fee: Literal["official", "more", "no_fee"] | None = None
    asked_for_money: Literal["yes", "no", "rather_not_say"] | None = None
    comment: str | None = Field(default=None, max_length=500)


class BilingualReason(Payload):
    en: str = Field(min_length=1, max_length=200)
    sw: str = Field(min_length=1, max_length=200)


class PauseServiceRequest(Payload):
    reason: BilingualReason


class SyncEntryIn(DatabaseSafe):
    """One entry of an outreach site's log, as uploaded."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    seq: StrictInt = Field(ge=1, le=DB_INT_MAX)
    kind: str = Field(min_length=1, max_length=32)
    recorded_at: AwareDatetime
    data: dict


class SyncBatch(DatabaseSafe):
    """A batch of a site's log: `POST /sync/{centre}/events`, and the export file."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    centre: str | None = Field(default=None, max_length=16)
    sent_at: AwareDatetime
    entries: list[SyncEntryIn] = Field(max_length=2000)


class TicketSnapshot(DatabaseSafe):
    """A ticket as an outreach site logged it."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str = Field(min_length=8, max_length=32)
    number: str = Field(min_length=1, max_length=16)
    service: str = Field(min_length=1, max_length=16)
    issued_service: str = Field(min_length=1, max_length=16)
    day: date
    sequence: StrictInt = Field(ge=1, le=DB_INT_MAX)
    status: Literal[
        "waiting", "called", "serving", "done", "no_show", "transferred", "cancelled", "expired"
    ]
    priority: str = Field(max_length=16)
    language: Literal["en", "sw"]
    counter: StrictInt | None = Field(default=None, ge=0, le=DB_INT_MAX)
    fee_kes: StrictInt = Field(ge=0, le=DB_INT_MAX)
    paid_by: Literal["citizen", "sponsor"]
    issued_at: AwareDatetime
    rank_at: AwareDatetime
    appointment_at: AwareDatetime | None = None
    called_at: AwareDatetime | None = None
    started_at: AwareDatetime | None = None
    finished_at: AwareDatetime | None = None


class TicketEventSnapshot(DatabaseSafe):
    """A ticket's event (a call, a finish, a transfer) as an outreach site logged it."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    ticket: str = Field(min_length=8, max_length=32)
    kind: str = Field(min_length=1, max_length=16)
    at: AwareDatetime
    service: str = Field(min_length=1, max_length=16)
    counter: StrictInt | None = Field(default=None, ge=0, le=DB_INT_MAX)
    user: str | None = Field(default=None, max_length=64)
    duration_s: StrictInt | None = Field(default=None, ge=0, le=DB_INT_MAX)
    detail: dict | None = None


class FeedbackSnapshot(DatabaseSafe):
    """A citizen's feedback answer as an outreach site logged it."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    ticket: str = Field(min_length=8, max_length=32)
    service: str = Field(min_length=1, max_length=16)
    counter: StrictInt | None = Field(default=None, ge=0, le=DB_INT_MAX)
    user: str | None = Field(default=None, max_length=64)
    day: date
    rating: StrictInt = Field(ge=1, le=5)
    wait_ok: bool | None = None
    fee: Literal["official", "more", "no_fee"] | None = None
    asked_for_money: Literal["yes", "no", "rather_not_say"] | None = None
    comment: str | None = Field(default=None, max_length=500)
    given_at: AwareDatetime


class DocumentSnapshot(DatabaseSafe):
    """A document lodged at an outreach site, as the site logged it (with the citizen's phone
    number and the record of their consent: see `_document_snapshot` in adapters/queries/sync.py).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)
    ref: str = Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{10}$")
    service: str = Field(min_length=1, max_length=16)
    status: Literal["lodged", "in_process", "ready", "collected", "returned"]
    language: Literal["en", "sw"]
    phone: str | None = Field(default=None, pattern=r"^\+254[17][0-9]{8}$")
    phone_consent_at: AwareDatetime | None = None
    phone_consent_text: dict[str, str] | None = None
    lodged_by: str | None = Field(default=None, max_length=64)
    lodged_at: AwareDatetime
    updated_at: AwareDatetime
    ready_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _phone_with_consent(self) -> DocumentSnapshot:
        """A phone number travels only with the record of the citizen's consent."""
        if self.phone is not None and (
            self.phone_consent_at is None or not self.phone_consent_text
        ):
            raise ValueError("a phone number needs phone_consent_at and phone_consent_text")
        return self


class LodgeDocumentRequest(Payload):
    """POST /centres/{c}/documents."""

    service: str = Field(min_length=1, max_length=16)
    phone: str = Field(min_length=1, max_length=32)
    consent: bool = False
    language: Literal["en", "sw"] = "en"


class DocumentStatusRequest(Payload):
    """POST /documents/{ref}/status."""

    status: str = Field(min_length=1, max_length=16)


class ReadyBatchRequest(Payload):
    """POST /centres/{c}/documents/ready: the refs of a box of documents that arrived."""

    refs: list[Annotated[str, Field(max_length=32)]]


class CollectDocumentRequest(Payload):
    """POST /centres/{c}/documents/{ref}/collect (the body is optional)."""

    language: Literal["en", "sw"] | None = None
