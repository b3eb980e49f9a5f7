"""What every use case shares: who acts, the clock, the notifier, and lookups that 404."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypedDict

from ..adapters.orm import Centre, Counter, Service, Ticket
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.errors import Forbidden, InvalidState, NotFound
from ..domain.events import Event
from ..domain.numbering import local_day

Clock = Callable[[], datetime]
"""Returns the present as an aware datetime; injected so tests control days and waits."""


class Notifier(Protocol):
    """Publishes events to screens and counters (called only after a commit)."""

    def publish(self, events: Sequence[Event]) -> None: ...


class Deps(TypedDict):
    """What every state-changing use case is given: `uow`, `notifier` and `clock`."""

    uow: UnitOfWorkFactory
    notifier: Notifier
    clock: Clock


@dataclass(frozen=True)
class Principal:
    """Who is acting: a signed-in user, or a configured device (kiosk, display, agent)."""

    kind: str  # "user" or "device"
    id: int
    name: str
    role: str  # a user's role (clerk, supervisor, admin), or a device's kind
    centres: frozenset[str] | None  # None: every centre (administrators)
    prints: bool = False  # a kiosk with a printer: the tickets it issues are printed

    def may_act_in(self, centre: str) -> bool:
        """Whether this principal may act in `centre`."""
        return self.centres is None or centre in self.centres

    @property
    def is_user(self) -> bool:
        """A person who signed in, not a device."""
        return self.kind == "user"


def require_centre(repo: Repository, code: str, *, with_services: bool = True) -> Centre:
    """The centre with `code`, or NotFound; its services read with it unless told not to
    (they are still read when first used)."""
    centre = repo.centre(code, with_services=with_services)
    if centre is None:
        raise NotFound(f"There is no centre '{code}'.", code="unknown_centre")
    return centre


def require_service(centre: Centre, code: str) -> Service:
    """The centre's service with `code`, or NotFound (from the services loaded with it)."""
    service = next((s for s in centre.services if s.code == code), None)
    if service is None:
        raise NotFound(f"Centre {centre.code} has no service '{code}'.", code="unknown_service")
    return service


def require_centre_service(repo: Repository, centre_code: str, service_code: str) -> Service:
    """The centre's service with `service_code`, its centre loaded with it (one row, where
    `require_centre` loads every service), or NotFound naming what is unknown."""
    service = repo.service_at(centre_code, service_code)
    if service is None:
        service = require_service(require_centre(repo, centre_code), service_code)
    return service


def require_open(service: Service) -> None:
    """InvalidState unless the service takes tickets: `service_paused` names a pause."""
    if service.paused_reason_en is not None:
        raise InvalidState(
            f"{service.name_en} is paused: {service.paused_reason_en}", code="service_paused"
        )
    if not service.open:
        raise InvalidState(f"{service.name_en} is closed now.", code="service_closed")


def require_counter(repo: Repository, centre: Centre, number: int) -> Counter:
    """The centre's counter with `number`, or NotFound."""
    counter = repo.counter(centre, number)
    if counter is None:
        raise NotFound(f"Centre {centre.code} has no counter {number}.", code="unknown_counter")
    return counter


def require_centre_counter(
    repo: Repository, principal: Principal, centre_code: str, number: int
) -> Counter:
    """The centre's counter with its centre loaded (one statement where `require_centre`
    and `require_counter` take two), once `principal` may work there; NotFound naming what
    is unknown, Forbidden as `require_access`."""
    counter = repo.counter_at(centre_code, number)
    if counter is None:
        centre = require_centre(repo, centre_code, with_services=False)
        require_access(principal, centre)
        raise NotFound(f"Centre {centre.code} has no counter {number}.", code="unknown_counter")
    require_access(principal, counter.centre)
    return counter


def require_ticket(repo: Repository, public_id: str, *, in_centre: bool = False) -> Ticket:
    """The ticket with this public id, or NotFound; `in_centre` loads its centre and services
    with it, for a view with its place and estimate."""
    ticket = repo.ticket_in_centre(public_id) if in_centre else repo.ticket(public_id)
    if ticket is None:
        raise NotFound("There is no such ticket.", code="unknown_ticket")
    return ticket


def require_access(principal: Principal, centre: Centre) -> None:
    """Forbidden unless the principal may act in this centre."""
    if not principal.may_act_in(centre.code):
        raise Forbidden(f"You may not act in centre {centre.code}.")


SUPERVISORS = ("supervisor", "admin")


def require_supervisor(principal: Principal, centre: Centre) -> None:
    """Forbidden unless a supervisor or administrator of this centre acts."""
    if not principal.is_user or principal.role not in SUPERVISORS:
        raise Forbidden("Only a supervisor or an administrator can do this.")
    require_access(principal, centre)


def today(centre: Centre, now: datetime) -> date:
    """The centre's local day at `now`."""
    return local_day(now, centre.timezone)
