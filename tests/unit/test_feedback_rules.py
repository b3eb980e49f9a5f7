"""Feedback rules and report figures (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.errors import InvalidState
from queue_server.domain.feedback import invite_at, require_feedback_allowed
from queue_server.domain.reports import FeedbackTally, Figures, percentile, wait_s

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 12:00 in Nairobi
NAIROBI = "Africa/Nairobi"


@pytest.mark.parametrize(
    ("status", "finished", "answered", "code"),
    [
        ("waiting", None, False, "not_served"),
        ("no_show", NOW, False, "not_served"),
        ("done", NOW - timedelta(days=7, seconds=1), False, "not_served"),
        ("done", NOW - timedelta(days=7), True, "feedback_given"),
    ],
)
def test_feedback_is_refused(status, finished, answered, code):
    with pytest.raises(InvalidState) as raised:
        require_feedback_allowed(status, finished, answered, NOW)
    assert raised.value.code == code


def test_feedback_is_taken_for_a_visit_served_within_seven_days():
    require_feedback_allowed("done", NOW - timedelta(days=7), False, NOW)


@pytest.mark.parametrize(
    ("local", "due"),
    [("07:59", "08:00"), ("08:00", "08:00"), ("17:59", "17:59"), ("18:00", "next 08:00")],
)
def test_invitations_are_due_between_eight_and_six(local, due):
    hour, minute = map(int, local.split(":"))
    now = NOW.replace(hour=hour - 3, minute=minute)
    at = invite_at(now, NAIROBI)
    day = "2026-11-24" if due.startswith("next") else "2026-11-23"
    assert at.isoformat(timespec="minutes") == f"{day}T{due[-5:]}+03:00"


@given(st.datetimes(timezones=st.just(UTC)))
def test_an_invitation_is_never_due_before_now_or_outside_hours(now):
    at = invite_at(now, NAIROBI)
    assert at >= now and 8 <= at.hour < 18


@given(st.lists(st.integers(0, 10_000), min_size=1), st.floats(0.01, 1))
def test_a_percentile_is_one_of_the_values_and_grows_with_its_share(values, share):
    p = percentile(values, share)
    assert p in values
    assert percentile(values, 0.01) <= p <= percentile(values, 1) == max(values)


def test_percentiles_by_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([60, 180], 0.5) == 60
    assert percentile([60, 180], 0.9) == 180
    assert percentile(list(range(1, 11)), 0.9) == 9


def test_feedback_shares_count_only_those_who_answered_the_question():
    tally = FeedbackTally()
    tally.add(5, "more", None)
    tally.add(3, "official", "yes")
    tally.add(4, None, "no")
    assert tally.figures() == {
        "feedback": 3,
        "rating_mean": 4.0,
        "fee_more_pct": 50.0,
        "asked_money_pct": 50.0,
    }
    assert tally.figures(least=20)["rating_mean"] is None


def test_an_appointments_wait_starts_at_the_later_of_check_in_and_its_slot():
    call = NOW + timedelta(minutes=30)
    assert wait_s(NOW, None, call) == 1800
    assert wait_s(NOW, NOW + timedelta(minutes=10), call) == 1200
    assert wait_s(NOW, NOW - timedelta(minutes=10), call) == 1800
    assert wait_s(NOW, None, None) is None


def test_figures_count_fees_of_served_tickets_only():
    figures = Figures()
    figures.add_ticket(issued=True, status="done", fee_kes=50, wait_s=10)
    figures.add_ticket(issued=True, status="no_show", fee_kes=50, wait_s=20)
    totals = figures.totals()
    assert (totals["served"], totals["no_show"], totals["fees_kes"]) == (1, 1, 50)
