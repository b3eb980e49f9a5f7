"""Use cases of the reports: services per day, counters and clerks, the national roll-up."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, TypeVar

from ..adapters.orm import Centre
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.errors import Forbidden, InvalidValue
from ..domain.numbering import day_end, day_start, local_day
from ..domain.reports import FEEDBACK_SHOWN_FROM, Figures, wait_s
from .common import Principal, require_centre, require_supervisor

LONGEST_SPAN = timedelta(days=400)
"""A report spans at most this many days (a year and a little, for a year-on-year look)."""

TOTALS = (
    "issued",
    "served",
    "no_show",
    "wait_p50_s",
    "wait_p90_s",
    "service_p50_s",
    "feedback",
    "rating_mean",
    "fee_more_pct",
    "asked_money_pct",
    "fees_kes",
    "fees_sponsored_kes",
)
SERVICE_COLUMNS = ("date", "service", *TOTALS)
CENTRE_COLUMNS = ("date", "centre", *TOTALS)
COUNTER_COLUMNS = (
    "counter",
    "clerk",
    "served",
    "service_p50_s",
    "feedback",
    "rating_mean",
    "fee_more_pct",
    "asked_money_pct",
)

Days = tuple[date, date]
K = TypeVar("K", date, tuple[date, int])
"""How figures are grouped: by local date, or by local date and service id."""


def parse_days(first: str | None, last: str | None) -> Days:
    """The report's dates (YYYY-MM-DD, both included), or InvalidValue."""
    try:
        days = date.fromisoformat(first or ""), date.fromisoformat(last or "")
    except ValueError:
        raise InvalidValue("from and to must be dates written YYYY-MM-DD.") from None
    if days[0] > days[1]:
        raise InvalidValue("from must not be after to.")
    if days[1] - days[0] > LONGEST_SPAN:
        raise InvalidValue(f"A report spans at most {LONGEST_SPAN.days} days.")
    return days


def services_report(
    principal: Principal, centre_code: str, days: Days, *, uow: UnitOfWorkFactory
) -> list[dict[str, Any]]:
    """One row per local date and service with visits, for a supervisor of the centre."""
    with uow(write=False) as unit:
        centre = require_centre(unit.repo, centre_code)
        require_supervisor(principal, centre)
        codes = {s.id: s.code for s in centre.services}
        groups = centre_figures(unit.repo, centre, days, lambda day, sid: (day, sid))
    return [
        {"date": day.isoformat(), "service": codes[sid], **groups[(day, sid)].totals()}
        for day, sid in sorted(groups, key=lambda k: (k[0], list(codes).index(k[1])))
    ]


def centres_report(
    principal: Principal, days: Days, *, uow: UnitOfWorkFactory
) -> list[dict[str, Any]]:
    """One row per centre and local date with the same totals, for administrators."""
    if not principal.is_user or principal.role != "admin":
        raise Forbidden("Only an administrator can read the national report.")
    rows: list[dict[str, Any]] = []
    with uow(write=False) as unit:
        for listed in unit.repo.centres():
            centre = require_centre(unit.repo, listed.code)  # with its services
            groups = centre_figures(unit.repo, centre, days, lambda day, sid: day)
            rows += [
                {"date": day.isoformat(), "centre": centre.code, **groups[day].totals()}
                for day in sorted(groups)
            ]
    return sorted(rows, key=lambda row: (row["date"], row["centre"]))


def counters_report(
    principal: Principal, centre_code: str, days: Days, *, uow: UnitOfWorkFactory
) -> list[dict[str, Any]]:
    """Per counter and clerk: visits served, median service time, feedback (null below 20)."""
    with uow(write=False) as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        require_supervisor(principal, centre)
        groups: dict[tuple[int | None, int | None], Figures] = defaultdict(Figures)
        between = (day_start(days[0], centre.timezone), day_end(days[1], centre.timezone))
        for row in repo.report_visits([s.id for s in centre.services], between):
            figures = groups[(row.counter_id, row.user_id)]
            figures.served += 1
            if row.duration_s is not None:
                figures.service_times.append(row.duration_s)
        for row in repo.report_feedback(centre.id, days):
            groups[(row.counter_id, row.user_id)].tally.add(
                row.rating, row.fee, row.asked_for_money
            )
        counters = {c.id: c.number for c in repo.counters(centre)}
        clerks = _clerk_names(repo, {user_id for _, user_id in groups})
        rows = []
        for (counter_id, user_id), figures in groups.items():
            totals = figures.totals(least_feedback=FEEDBACK_SHOWN_FROM)
            rows.append(
                {
                    "counter": counters.get(counter_id) if counter_id else None,
                    "clerk": clerks.get(user_id) if user_id else None,
                    **{k: totals[k] for k in COUNTER_COLUMNS[2:]},
                }
            )
    return sorted(rows, key=lambda r: (r["counter"] or 0, r["clerk"] or ""))


def _clerk_names(repo: Repository, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Usernames by id."""
    names = {}
    for user_id in user_ids:
        user = repo.user_by_id(user_id) if user_id else None
        if user is not None:
            names[user.id] = user.username
    return names


def centre_figures(
    repo: Repository, centre: Centre, days: Days, key: Callable[[date, int], K]
) -> dict[K, Figures]:
    """A centre's figures of `days` from its ticket history, grouped by `key`."""
    zone = centre.timezone
    fees = {s.id: s.fee_kes for s in centre.services}
    service_ids = list(fees)
    between = (day_start(days[0], zone), day_end(days[1], zone))
    groups: dict[K, Figures] = defaultdict(Figures)
    for t in repo.report_tickets(centre.id, service_ids, days, between):
        wait = wait_s(t.issued_at, t.appointment_at, t.first_call)
        if t.issued_service_id == t.service_id:
            groups[key(t.day, t.service_id)].add_ticket(
                issued=True, status=t.status, fee_kes=fees[t.service_id], wait_s=wait
            )
        else:  # transferred: issued and waited in one service, ended in another
            groups[key(t.day, t.issued_service_id)].add_ticket(
                issued=True, status="", fee_kes=0, wait_s=wait
            )
            groups[key(t.day, t.service_id)].add_ticket(
                issued=False, status=t.status, fee_kes=fees[t.service_id], wait_s=None
            )
    for v in repo.report_visits(service_ids, between):
        if v.duration_s is not None:
            groups[key(local_day(v.at, zone), v.service_id)].service_times.append(v.duration_s)
    for f in repo.report_feedback(centre.id, days):
        groups[key(f.day, f.service_id)].tally.add(f.rating, f.fee, f.asked_for_money)
    return groups


def as_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """The rows as CSV with a header line; an empty figure (null) is an empty field."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
    return out.getvalue()
