"""The call order: rank times, bonuses, and the invariants of the default policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.routing import RankPolicy, call_order_key, rank_time, related_map

T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
POLICY = RankPolicy(priority_bonus_s=900, appointment_bonus_s=600)


def test_a_normal_ticket_ranks_at_its_issue():
    assert rank_time(T0, "none", POLICY) == T0


def test_a_priority_ticket_ranks_the_bonus_earlier():
    assert rank_time(T0, "elderly", POLICY) == T0 - timedelta(seconds=900)


def test_an_appointment_ranks_from_its_slot_not_its_arrival():
    slot = T0 + timedelta(hours=1)
    assert rank_time(T0, "none", POLICY, appointment_at=slot) == slot - timedelta(seconds=600)


def test_a_priority_appointment_takes_the_earlier_rank():
    slot = T0 + timedelta(hours=1)
    assert rank_time(T0, "expectant", POLICY, appointment_at=slot) == T0 - timedelta(seconds=900)


def test_ties_go_to_the_earlier_issue():
    early = call_order_key(T0, T0 - timedelta(seconds=1), 9)
    late = call_order_key(T0, T0, 1)
    assert sorted([late, early]) == [early, late]


def test_related_services_are_those_sharing_a_counter():
    counters = [frozenset({1, 2}), frozenset({2, 3}), frozenset({4})]
    assert related_map(counters) == {1: {1, 2}, 2: {1, 2, 3}, 3: {2, 3}, 4: {4}}


tickets = st.lists(
    st.tuples(st.integers(min_value=0, max_value=4 * 3600), st.booleans()),
    min_size=1,
    max_size=60,
)


def _call_order(drawn: list[tuple[int, bool]], policy: RankPolicy) -> list[tuple[int, bool, int]]:
    """(issued offset, priority, index) in the order a counter would call them."""
    entries = []
    for index, (offset, priority) in enumerate(drawn):
        issued = T0 + timedelta(seconds=offset)
        rank = rank_time(issued, "elderly" if priority else "none", policy)
        entries.append((call_order_key(rank, issued, index), (offset, priority, index)))
    return [entry for _, entry in sorted(entries)]


@given(tickets)
def test_no_normal_ticket_is_passed_over_by_one_issued_more_than_the_bonus_later(drawn):
    order = _call_order(drawn, POLICY)
    for position, (offset, priority, _) in enumerate(order):
        if priority:
            continue
        for later_offset, _, _ in order[:position]:
            assert later_offset <= offset + POLICY.priority_bonus_s


@given(tickets)
def test_among_equals_the_order_is_first_come_first_served(drawn):
    order = _call_order(drawn, POLICY)
    for kind in (True, False):
        same = [(offset, index) for offset, priority, index in order if priority is kind]
        assert same == sorted(same)


@given(tickets)
def test_with_no_bonus_priority_changes_nothing(drawn):
    order = _call_order(drawn, RankPolicy(priority_bonus_s=0, appointment_bonus_s=0))
    assert [(o, i) for o, _, i in order] == sorted((o, i) for o, _, i in order)
