"""Report figures: percentiles of waits and service times, and feedback shares."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

FEEDBACK_SHOWN_FROM = 20
"""Feedback figures about a counter or clerk are hidden below this many answers."""


def percentile(values: Sequence[float], share: float) -> int | None:
    """The nearest-rank percentile (`share` in 0..1) of `values` in whole seconds; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return round(ordered[rank - 1])


@dataclass
class FeedbackTally:
    """Answers about a group of visits, added up one by one."""

    answers: int = 0
    rating_sum: int = 0
    fee_answers: int = 0
    fee_more: int = 0
    money_answers: int = 0
    asked_money: int = 0

    def add(self, rating: int, fee: str | None, asked_for_money: str | None) -> None:
        """Count one answer (questions left blank do not count towards their share)."""
        self.answers += 1
        self.rating_sum += rating
        if fee is not None:
            self.fee_answers += 1
            self.fee_more += fee == "more"
        if asked_for_money is not None:
            self.money_answers += 1
            self.asked_money += asked_for_money == "yes"

    def plus(self, other: FeedbackTally) -> None:
        """Add another group's answers to these (a day's services make the centre's day)."""
        self.answers += other.answers
        self.rating_sum += other.rating_sum
        self.fee_answers += other.fee_answers
        self.fee_more += other.fee_more
        self.money_answers += other.money_answers
        self.asked_money += other.asked_money

    def figures(self, *, least: int = 0) -> dict[str, float | int | None]:
        """feedback, rating_mean, fee_more_pct, asked_money_pct; null below `least` answers."""
        if self.answers < max(least, 1):
            return {
                "feedback": self.answers if least == 0 else None,
                "rating_mean": None,
                "fee_more_pct": None,
                "asked_money_pct": None,
            }
        return {
            "feedback": self.answers,
            "rating_mean": round(self.rating_sum / self.answers, 2),
            "fee_more_pct": _pct(self.fee_more, self.fee_answers),
            "asked_money_pct": _pct(self.asked_money, self.money_answers),
        }


def _pct(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent with one decimal; None when nobody answered."""
    return None if whole == 0 else round(100 * part / whole, 1)


@dataclass
class Figures:
    """The report's totals for one group of visits (a service's day, a centre's day, a clerk)."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    fees_kes: int = 0
    fees_sponsored_kes: int = 0
    waits: list[float] = field(default_factory=list)
    service_times: list[float] = field(default_factory=list)
    tally: FeedbackTally = field(default_factory=FeedbackTally)

    def add_ticket(
        self,
        *,
        issued: bool,
        status: str,
        fee_kes: int,
        wait_s: float | None,
        sponsored: bool = False,
    ) -> None:
        """Count a ticket: issued here, how it ended (its fee if served, and whether a sponsor
        paid it), its wait if called."""
        self.issued += issued
        if status == "done":
            self.served += 1
            self.fees_kes += fee_kes
            self.fees_sponsored_kes += fee_kes if sponsored else 0
        elif status == "no_show":
            self.no_show += 1
        if wait_s is not None:
            self.waits.append(wait_s)

    def totals(self, *, least_feedback: int = 0) -> dict[str, float | int | None]:
        """The contract's figures: counts, p50/p90 waits, p50 service time, feedback, fees."""
        return {
            "issued": self.issued,
            "served": self.served,
            "no_show": self.no_show,
            "wait_p50_s": percentile(self.waits, 0.5),
            "wait_p90_s": percentile(self.waits, 0.9),
            "service_p50_s": percentile(self.service_times, 0.5),
            **self.tally.figures(least=least_feedback),
            "fees_kes": self.fees_kes,
            "fees_sponsored_kes": self.fees_sponsored_kes,
        }


def wait_s(
    issued_at: datetime, appointment_at: datetime | None, first_call: datetime | None
) -> float | None:
    """Seconds from issue (for an appointment, the later of check-in and its start) to the
    first call; None when never called."""
    if first_call is None:
        return None
    start = max(issued_at, appointment_at) if appointment_at else issued_at
    return max(0.0, (first_call - start).total_seconds())
