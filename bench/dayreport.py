"""The day's report: waits per service, the estimate's error, a starvation check (no I/O)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from statistics import median

from .stats import percentile, table

MIN_WAIT_FOR_RELATIVE_S = 120
CLOCK_SLACK_S = 1


def first_wait_s(ticket: dict) -> float | None:
    """Seconds from issue to the first call (simulated), or None if never called."""
    if not ticket["calls"]:
        return None
    called = datetime.fromisoformat(ticket["calls"][0]["at"])
    return (called - datetime.fromisoformat(ticket["issued_at"])).total_seconds()


def minutes(seconds: float) -> str:
    """Seconds as minutes for the report."""
    return f"{seconds / 60:.1f} min"


def estimate_errors(tickets: list[dict]) -> dict[str, float]:
    """The estimate given at issue against the real wait, by two definitions."""
    pairs = [(t["estimated_wait_s"], w) for t in tickets if (w := first_wait_s(t)) is not None]
    if not pairs:
        return {}
    absolute = [abs(e - w) for e, w in pairs]
    relative = [abs(e - w) / w for e, w in pairs if w >= MIN_WAIT_FOR_RELATIVE_S]
    return {
        "ratio_of_medians": median(absolute) / max(median(w for _, w in pairs), 1),
        "median_relative": median(relative) if relative else float("nan"),
        "median_signed_s": median(e - w for e, w in pairs),
        "median_absolute_s": median(absolute),
        "within_20pct": sum(1 for r in relative if r <= 0.2) / max(len(relative), 1),
    }


def per_service(tickets: list[dict]) -> list[tuple[str, ...]]:
    """Rows of waits per issued service: count, p50, p90, max, longest-waiting number."""
    by_service: dict[str, list[tuple[float, dict]]] = defaultdict(list)
    for ticket in tickets:
        if (wait := first_wait_s(ticket)) is not None:
            by_service[ticket["service"]].append((wait, ticket))
    rows = []
    for service, waits in sorted(by_service.items()):
        values = [w for w, _ in waits]
        longest, ticket = max(waits, key=lambda pair: pair[0])
        errors = estimate_errors([t for _, t in waits])
        rows.append(
            (
                service,
                str(len(values)),
                minutes(percentile(values, 50)),
                minutes(percentile(values, 90)),
                minutes(longest),
                ticket["number"],
                f"{errors['ratio_of_medians']:.0%}",
            )
        )
    return rows


def overtakes(tickets: list[dict], bonus_s: int) -> dict[str, float]:
    """How far later tickets of the same queue were called before earlier ones.

    For every two tickets called from the same service's queue where the later-issued one was
    called first, its head start is how much later it was issued. A normal ticket may never
    pass an earlier one; a priority ticket by at most the priority bonus. Only a ticket's
    call in the queue it was issued for counts: a transferred ticket joined its second queue
    late, and its answer there gives the time of its first call, not of that one (calls of
    the same second may also be listed in either order).
    """
    calls: dict[str, list[tuple[datetime, datetime, bool]]] = defaultdict(list)
    for ticket in tickets:
        issued = datetime.fromisoformat(ticket["issued_at"])
        first = next((c for c in ticket["calls"] if c["service"] == ticket["service"]), None)
        if first is not None:
            at = datetime.fromisoformat(first["at"])
            calls[first["service"]].append((at, issued, ticket["priority"] != "none"))
    worst = {"normal": 0.0, "priority": 0.0, "violations": 0.0}
    for queue in calls.values():
        queue.sort()
        latest_issued: dict[bool, datetime | None] = {False: None, True: None}
        for _at, issued, priority in queue:
            for kind, last in latest_issued.items():
                if last is not None and last > issued:
                    jump = (last - issued).total_seconds()
                    key = "priority" if kind else "normal"
                    worst[key] = max(worst[key], jump)
                    allowed = (bonus_s if kind else 0) + CLOCK_SLACK_S
                    worst["violations"] += jump > allowed
            if latest_issued[priority] is None or issued > latest_issued[priority]:
                latest_issued[priority] = issued
    return worst


def report(
    tickets_by_id: dict[str, dict], errors: dict[str, int], *, planned: int, bonus_s: int
) -> str:
    """The printed report of the day."""
    tickets = list(tickets_by_id.values())
    called = [t for t in tickets if t["calls"]]
    transferred = sum(1 for t in tickets if len(t["calls"]) > 1)
    errors_ = estimate_errors(tickets)
    passing = overtakes(tickets, bonus_s)
    waits = [w for t in tickets if (w := first_wait_s(t)) is not None]
    lines = [
        f"Citizens planned {planned}; tickets issued {len(tickets)}; called {len(called)}; "
        f"never called {len(tickets) - len(called)}; transferred {transferred}; "
        f"priority {sum(1 for t in tickets if t['priority'] != 'none')}.",
        f"Wait to first call, all services: p50 {minutes(percentile(waits, 50))}, "
        f"p90 {minutes(percentile(waits, 90))}, max {minutes(max(waits, default=0))}.",
        "",
        table(
            per_service(tickets),
            ("service", "tickets", "wait p50", "wait p90", "wait max", "longest", "est. error"),
        ),
        "",
        "Estimated wait at issue against the real wait (first call):",
        f"- median |est - actual| / median(actual): {errors_['ratio_of_medians']:.1%} "
        "(the target: within 20%)",
        f"- median of |est - actual| / actual, tickets that waited >= 2 min: "
        f"{errors_['median_relative']:.1%}; within 20%: {errors_['within_20pct']:.0%} of them",
        f"- median |est - actual|: {minutes(errors_['median_absolute_s'])}; "
        f"median est - actual: {minutes(errors_['median_signed_s'])}",
        "",
        "Starvation check (same service's queue, later ticket called first):",
        f"- longest head start of a later normal ticket: {passing['normal']:.0f} s (allowed 0)",
        f"- longest head start of a later priority ticket: {passing['priority']:.0f} s "
        f"(allowed {bonus_s} s, the priority bonus)",
        f"- passes beyond what is allowed: {passing['violations']:.0f}",
        "",
        "Errors: " + (", ".join(f"{code} x{n}" for code, n in sorted(errors.items())) or "none"),
    ]
    return "\n".join(lines)
