"""Ticket numbers and the centre's local day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.numbering import day_end, day_start, format_number, local_day


@pytest.mark.parametrize(
    ("prefix", "sequence", "expected"),
    [
        ("A", 1, "A001"),
        ("B", 12, "B012"),
        ("C", 999, "C999"),
        ("D", 1000, "D1000"),
        ("AB", 7, "AB007"),
    ],
)
def test_numbers_have_the_prefix_and_at_least_three_digits(prefix, sequence, expected):
    assert format_number(prefix, sequence) == expected


def test_sequences_start_at_one():
    with pytest.raises(ValueError):
        format_number("A", 0)


def test_the_local_day_in_nairobi_turns_at_21_utc():
    assert local_day(datetime(2026, 11, 23, 20, 59, 59, tzinfo=UTC), "Africa/Nairobi") == date(
        2026, 11, 23
    )
    assert local_day(datetime(2026, 11, 23, 21, 0, 0, tzinfo=UTC), "Africa/Nairobi") == date(
        2026, 11, 24
    )


def test_day_bounds_are_local_midnights():
    start = day_start(date(2026, 11, 23), "Africa/Nairobi")
    assert start.astimezone(UTC) == datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    assert day_end(date(2026, 11, 23), "Africa/Nairobi") == day_start(
        date(2026, 11, 24), "Africa/Nairobi"
    )


@given(st.integers(min_value=1, max_value=10**6))
def test_numbers_sort_like_their_sequences_within_three_digits(n):
    number = format_number("A", n)
    assert int(number[1:]) == n and len(number) >= 4
