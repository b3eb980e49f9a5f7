"""Use cases of the reports: services per day, counters and clerks, the national roll-up."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from ..adapters.orm import Centre
from ..adapters.repository import Repository
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.errors import Forbidden, InvalidValue
from ..domain.numbering import day_end, day_start, local_day
from ..domain.reports import FEEDBACK_SHOWN_FROM, FeedbackTally, Figures, wait_s
from .common import Clock, Principal, require_centre, require_supervisor, today

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
K = TypeVar("K")
"""How figures are grouped (by local date and service, by counter and clerk, ...)."""


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


ALL = ""
"""The whole centre's figures of a day, beside each service's (a service code is never empty)."""
STORED = (
    "issued",
    "served",
    "no_show",
    "fees_kes",
    "fees_sponsored_kes",
    "wait_p50_s",
    "wait_p90_s",
    "service_p50_s",
)
"""What a closed day keeps (feedback still arrives for 7 days, so it is read live)."""
COUNTS = ("issued", "served", "no_show")

DayKey = tuple[date, str]


def services_report(
    principal: Principal, centre_code: str, days: Days, *, uow: UnitOfWorkFactory, clock: Clock
) -> list[dict[str, Any]]:
    """One row per local date and service with visits, for a supervisor of the centre."""
    with uow(write=False) as unit:
        require_supervisor(principal, require_centre(unit.repo, centre_code))
    centre, figures = day_figures(centre_code, days, uow=uow, now=clock())
    order = {s.code: index for index, s in enumerate(centre.services)}
    keys = sorted((k for k in figures if k[1] != ALL), key=lambda k: (k[0], order.get(k[1], 0)))
    return [
        {"date": day.isoformat(), "service": code, **figures[(day, code)]} for day, code in keys
    ]


def centres_report(
    principal: Principal, days: Days, *, uow: UnitOfWorkFactory, clock: Clock
) -> list[dict[str, Any]]:
    """One row per centre and local date with the same totals, for administrators."""
    if not principal.is_user or principal.role != "admin":
        raise Forbidden("Only an administrator can read the national report.")
    with uow(write=False) as unit:
        codes = [c.code for c in unit.repo.centres()]
    rows: list[dict[str, Any]] = []
    for code in codes:
        _, figures = day_figures(code, days, uow=uow, now=clock(), whole_only=True)
        rows += [
            {"date": day.isoformat(), "centre": code, **totals}
            for (day, service), totals in figures.items()
            if service == ALL and (totals["issued"] or totals["served"] or totals["feedback"])
        ]
    return sorted(rows, key=lambda row: (row["date"], row["centre"]))


def day_figures(
    centre_code: str,
    days: Days,
    *,
    uow: UnitOfWorkFactory,
    now: datetime,
    whole_only: bool = False,
) -> tuple[Centre, dict[DayKey, dict[str, Any]]]:
    """A centre's figures per (date, service code or ALL; only ALL if `whole_only`): closed
    days from their stored rows (made now if missing), today's from the tickets, feedback
    always live."""
    store_closed_days(centre_code, days, uow=uow, now=now)
    with uow(write=False) as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        # An outreach site's tickets reach this server later, by sync: its days stay live.
        first_open = days[0] if centre.kind == "outreach" else today(centre, now)
        figures = {
            (r.day, r.service): {k: getattr(r, k) for k in STORED}
            for r in repo.report_days(centre.id, days, service=ALL if whole_only else None)
        }
        if days[1] >= first_open:
            live = (max(days[0], first_open), days[1])
            figures.update(_computed(repo, centre, live))
        tallies = _feedback(repo, centre, days)
    return centre, {key: _in_order(totals, tallies.get(key)) for key, totals in figures.items()}


def _in_order(totals: dict[str, Any], tally: FeedbackTally | None) -> dict[str, Any]:
    """A day's stored or computed totals with its feedback figures, in the contract's order."""
    merged = totals | (tally or FeedbackTally()).figures()
    return {name: merged[name] for name in TOTALS}


def store_closed_days(
    centre_code: str, days: Days, *, uow: UnitOfWorkFactory, now: datetime
) -> int:
    """Store the figures of the closed days within `days` that have none yet; how many.

    A closed day's tickets no longer change (the day's end expires the open ones), so its
    figures are made once; the sweep makes yesterday's, a report any it finds missing. Two
    processes making the same day store it once (the first one's rows stand).
    """
    with uow(write=False) as unit:
        missing = _missing_days(unit.repo, require_centre(unit.repo, centre_code), days, now)
    if not missing:
        return 0  # all stored, or an outreach site (its days arrive late, by sync)
    with uow() as unit:
        repo = unit.repo
        centre = require_centre(repo, centre_code)
        figures = _computed(repo, centre, (missing[0], missing[-1]))
        for day in missing:
            figures.setdefault((day, ALL), _stored(Figures()))
        repo.add_report_days(
            [
                {"centre_id": centre.id, "day": day, "service": code, "made_at": now, **totals}
                for (day, code), totals in figures.items()
                if day in missing and (code == ALL or any(totals[k] for k in COUNTS))
            ]
        )
        unit.commit()
    return len(missing)


def _missing_days(repo: Repository, centre: Centre, days: Days, now: datetime) -> list[date]:
    """The closed days within `days` whose figures are not stored yet, in order."""
    last_closed = min(days[1], today(centre, now) - timedelta(days=1))
    if days[0] > last_closed or centre.kind == "outreach":
        return []
    span = (days[0], last_closed)
    stored = {r.day for r in repo.report_days(centre.id, span, service=ALL)}
    return [d for d in _dates(*span) if d not in stored]


def store_yesterdays(*, uow: UnitOfWorkFactory, clock: Clock) -> int:
    """Store every centre's figures of the last week's closed days not stored yet (the sweep)."""
    now = clock()
    with uow(write=False) as unit:
        centres = [(c.code, today(c, now)) for c in unit.repo.centres()]
    return sum(
        store_closed_days(
            code, (day - timedelta(days=7), day - timedelta(days=1)), uow=uow, now=now
        )
        for code, day in centres
    )


def _dates(first: date, last: date) -> list[date]:
    """Every date from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _computed(repo: Repository, centre: Centre, days: Days) -> dict[DayKey, dict[str, Any]]:
    """Figures per (date, service code) and (date, ALL) from the tickets' history."""
    codes = {s.id: s.code for s in centre.services}
    groups = centre_figures(repo, centre, days, lambda day, sid: ((day, codes[sid]), (day, ALL)))
    return {key: _stored(group) for key, group in groups.items()}


def _stored(figures: Figures) -> dict[str, Any]:
    """The figures a closed day keeps."""
    totals = figures.totals()
    return {k: totals[k] for k in STORED}


def _feedback(repo: Repository, centre: Centre, days: Days) -> dict[DayKey, FeedbackTally]:
    """Feedback answers per (date, service code) and (date, ALL), added up in the database."""
    codes = {s.id: s.code for s in centre.services}
    tallies: dict[DayKey, FeedbackTally] = defaultdict(FeedbackTally)
    for day, service_id, *counts in repo.feedback_tallies(centre.id, days):
        tally = FeedbackTally(counts[0], int(counts[1] or 0), *(int(c or 0) for c in counts[2:]))
        tallies[(day, codes.get(service_id, ""))].plus(tally)
        tallies[(day, ALL)].plus(tally)
    return tallies


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
        clerks = repo.usernames(user_id for _, user_id in groups if user_id)
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


def centre_figures(
    repo: Repository, centre: Centre, days: Days, keys: Callable[[date, int], tuple[K, ...]]
) -> dict[K, Figures]:
    """A centre's figures of `days` from its ticket history, in each group `keys` names."""
    zone = centre.timezone
    service_ids = [s.id for s in centre.services]
    between = (day_start(days[0], zone), day_end(days[1], zone))
    groups: dict[K, Figures] = defaultdict(Figures)
    for t in repo.report_tickets(centre.id, service_ids, days, between):
        wait = wait_s(t.issued_at, t.appointment_at, t.first_call)
        for key in keys(t.day, t.issued_service_id):
            groups[key].add_ticket(issued=True, status="", fee_kes=0, wait_s=wait)
        for key in keys(t.day, t.service_id):  # how it ended, where it ended (after transfers)
            groups[key].add_ticket(
                issued=False,
                status=t.status,
                fee_kes=t.fee_kes,
                wait_s=None,
                sponsored=t.paid_by == "sponsor",
            )
    for v in repo.report_visits(service_ids, between):
        if v.duration_s is not None:
            for key in keys(local_day(v.at, zone), v.service_id):
                groups[key].service_times.append(v.duration_s)
    return groups


def as_csv(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> str:
    """The rows as CSV with a header line; an empty figure (null) is an empty field."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in row.items()} for row in rows)
    return out.getvalue()
