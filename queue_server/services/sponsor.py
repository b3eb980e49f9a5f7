"""The sponsor report: people served at a sponsored outreach site and the fees it covered."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.errors import InvalidValue
from ..domain.outreach import PaidBy
from .common import Clock, Principal, require_centre, require_supervisor, today

SPONSOR_COLUMNS = ("service", "served", "fee_kes", "total_kes")


def sponsor_report(
    principal: Principal,
    centre_code: str,
    first: date | None,
    last: date | None,
    *,
    uow: UnitOfWorkFactory,
    clock: Clock,
) -> dict[str, Any]:
    """Tickets served per service from `first` to `last` (default: the event's days) and
    the fees the sponsor covered (each ticket's fee; the services report's
    `fees_sponsored_kes`)."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        require_supervisor(principal, centre)
        first = first or centre.starts or today(centre, clock())
        last = last or centre.ends or today(centre, clock())
        if last < first:
            raise InvalidValue("'to' is before 'from'.", code="invalid_range")
        served = unit.repo.served_fees(centre, first, last, PaidBy.SPONSOR.value)
        rows = [
            {
                "service": s.code,
                "served": served.get(s.id, (0, 0))[0],
                "fee_kes": s.fee_kes,
                "total_kes": served.get(s.id, (0, 0))[1],
            }
            for s in centre.services
        ]
        return {
            "centre": centre.code,
            "name": centre.name,
            "sponsor": centre.sponsor,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "served": sum(r["served"] for r in rows),
            "by_service": rows,
            "total_kes": sum(r["total_kes"] for r in rows),
        }
