"""The centre configuration file (TOML): centres, services, counters, devices and users."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .domain.errors import ConfigError

Code = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")]


class Bilingual(BaseModel):
    """A text in English and Kiswahili."""

    model_config = ConfigDict(extra="forbid")
    en: str = Field(min_length=1, max_length=200)
    sw: str = Field(min_length=1, max_length=200)


def _bilingual(value: object) -> object:
    """Accept one plain string as the same text in both languages."""
    return {"en": value, "sw": value} if isinstance(value, str) else value


LOCAL_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"


class SlotTemplate(BaseModel):
    """When a service can be booked: on these weekdays, from start to end, in slots."""

    model_config = ConfigDict(extra="forbid")
    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] | None = Field(
        default=None, min_length=1
    )  # None: every day
    start: str = Field(pattern=LOCAL_TIME)
    end: str = Field(pattern=LOCAL_TIME)
    minutes: int = Field(ge=5, le=240)
    capacity: int = Field(ge=1, le=1000)

    @model_validator(mode="after")
    def _fits(self) -> SlotTemplate:
        if self.end <= self.start:
            raise ValueError(f"slots end ({self.end}) must be after they start ({self.start})")
        return self


class ServiceEntry(BaseModel):
    """One service of a centre."""

    model_config = ConfigDict(extra="forbid")
    code: Code
    prefix: str = Field(pattern=r"^[A-Z]{1,3}$")
    name: Bilingual
    category: Bilingual
    fee_kes: int = Field(default=0, ge=0, le=10_000_000)
    open: bool = True
    typical_service_s: int = Field(default=300, ge=10, le=4 * 3600)
    slots: list[SlotTemplate] = Field(default_factory=list)
    target_wait_s: int = Field(default=3600, ge=60, le=24 * 3600)
    collect_service: Code | None = None  # where its documents are collected; default: itself

    _name = field_validator("name", "category", mode="before")(_bilingual)


class CounterEntry(BaseModel):
    """One counter (window) and the services it serves."""

    model_config = ConfigDict(extra="forbid")
    number: int = Field(ge=1, le=9999)
    services: list[Code] = Field(min_length=1)


PRINTER_URL = re.compile(
    r"^(none|agent|tcp://[^/:]+:\d{1,5}|usb://[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}"
    r"|serial:///\S+|file:///\S+)$"
)


class DeviceEntry(BaseModel):
    """A kiosk, hall display or print agent and its secret token."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["kiosk", "display", "printer-agent", "feedback", "site"]
    name: str = Field(min_length=1, max_length=64)
    token: str = Field(min_length=16, max_length=256)
    printer: str = "none"
    # "optional": a printer that never answers the status request (DLE EOT) prints anyway.
    printer_status: Literal["required", "optional"] = "required"
    # A job not printed this long after its ticket was issued expires instead of printing late.
    print_expiry_s: int = Field(default=300, ge=10, le=86_400)

    @field_validator("printer")
    @classmethod
    def _printer_url(cls, value: str) -> str:
        if not PRINTER_URL.match(value):
            raise ValueError(
                "printer must be tcp://HOST:PORT, usb://VID:PID, serial:///DEVICE, "
                "file:///PATH, agent or none"
            )
        return value


class CentreEntry(BaseModel):
    """One centre with its services, counters and devices."""

    model_config = ConfigDict(extra="forbid")
    code: Code
    name: str = Field(min_length=1, max_length=200)
    timezone: str = "Africa/Nairobi"
    priority_bonus_s: int = Field(default=900, ge=0, le=24 * 3600)
    appointment_bonus_s: int = Field(default=600, ge=0, le=24 * 3600)
    booking_days: int = Field(default=30, ge=0, le=366)
    checkin_early_s: int = Field(default=3600, ge=0, le=24 * 3600)
    checkin_late_s: int = Field(default=900, ge=0, le=24 * 3600)
    notify_ahead: int = Field(default=3, ge=0, le=100)  # ticket_near SMS with this many ahead
    document_return_days: int = Field(default=60, ge=1, le=3650)  # uncollected: returned
    service: list[ServiceEntry] = Field(default_factory=list)
    counter: list[CounterEntry] = Field(default_factory=list)
    device: list[DeviceEntry] = Field(default_factory=list)
    # Huduma Mashinani: a pop-up site run by a permanent centre's staff for a few days.
    kind: Literal["centre", "outreach"] = "centre"
    parent: Code | None = None
    starts: date | None = None
    ends: date | None = None
    location: str | None = Field(default=None, min_length=1, max_length=200)
    sponsor: str | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CentreEntry:
        _unique(self.service, "code", "service")
        _unique(self.service, "prefix", "service")
        _unique(self.counter, "number", "counter")
        _unique(self.device, "name", "device")
        codes = {s.code for s in self.service}
        for counter in self.counter:
            unknown = [code for code in counter.services if code not in codes]
            if unknown:
                raise ValueError(
                    f"counter {counter.number} serves unknown service(s) {', '.join(unknown)}"
                )
        _outreach_consistent(self)
        for service in self.service:
            if service.collect_service is not None and service.collect_service not in codes:
                raise ValueError(
                    f"service {service.code} is collected at unknown service"
                    f" {service.collect_service}"
                )
        return self


def _outreach_consistent(entry: CentreEntry) -> None:
    """Outreach fields belong to outreach sites, whose dates run forwards."""
    if entry.kind == "centre":
        named = [
            f for f in ("parent", "starts", "ends", "location", "sponsor") if getattr(entry, f)
        ]
        if named:
            raise ValueError(f'{", ".join(named)} is only for kind = "outreach"')
        if any(d.kind == "site" for d in entry.device):
            raise ValueError('a device of kind "site" belongs to a centre of kind "outreach"')
    if entry.starts and entry.ends and entry.ends < entry.starts:
        raise ValueError("ends is before starts")


class UserEntry(BaseModel):
    """A member of staff who signs in."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    password: str | None = Field(default=None, min_length=8, max_length=256)
    # An argon2 hash (python -c "from argon2 import PasswordHasher as P; print(P().hash('…'))"),
    # so that no plain password needs to sit in the file.
    password_hash: str | None = Field(
        default=None, pattern=r"^\$argon2(id|i|d)\$v=\d+\$[^\s]{20,180}$", max_length=200
    )
    role: Literal["clerk", "supervisor", "admin"]
    centres: list[Code] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_password(self) -> UserEntry:
        if (self.password is None) == (self.password_hash is None):
            raise ValueError("give either password or password_hash (argon2), not both")
        return self


class CentreConfig(BaseModel):
    """A whole configuration file."""

    model_config = ConfigDict(extra="forbid")
    centre: list[CentreEntry] = Field(default_factory=list)
    user: list[UserEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> CentreConfig:
        _unique(self.centre, "code", "centre")
        _unique(self.user, "username", "user")
        tokens = [d.token for c in self.centre for d in c.device]
        if len(tokens) != len(set(tokens)):
            raise ValueError("two devices share a token; every device needs its own")
        codes = {c.code for c in self.centre}
        for user in self.user:
            unknown = [code for code in user.centres if code not in codes]
            if unknown:
                raise ValueError(
                    f"user {user.username} names unknown centre(s) {', '.join(unknown)}"
                )
        return self


def merge_configs(configs: list[CentreConfig]) -> CentreConfig:
    """Several files (the demo and a centre's own) as one configuration, checked as one."""
    if len(configs) == 1:
        return configs[0]
    try:
        return CentreConfig(
            centre=[c for config in configs for c in config.centre],
            user=[u for config in configs for u in config.user],
        )
    except ValidationError as exc:
        raise ConfigError(f"the configuration files disagree: {exc.errors()[0]['msg']}") from None


def _unique(entries: list, field: str, what: str) -> None:
    """Raise if two entries share the value of `field`."""
    seen: set = set()
    for entry in entries:
        value = getattr(entry, field)
        if value in seen:
            raise ValueError(f"two {what} entries have {field} = {value!r}")
        seen.add(value)


def _location(loc: tuple) -> str:
    """A pydantic error location as the file's own words: centre[1].service[0].prefix."""
    out = ""
    for part in loc:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def parse_centre_config(text: str, source: str) -> CentreConfig:
    """Parse and validate configuration text; errors name `source`, the entry and the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        return CentreConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_location(err['loc'])}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigError(f"{source}: {problems}") from None


def load_centre_config(path: str | Path) -> CentreConfig:
    """Read and validate a configuration file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    return parse_centre_config(text, str(path))
