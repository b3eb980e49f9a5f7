"""Estimated waiting times."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.estimates import (
    RECENT_SERVICES,
    call_times,
    connected_services,
    estimated_wait_s,
    expected_service_s,
)

durations = st.lists(st.floats(min_value=1, max_value=20_000), min_size=1, max_size=60)


def test_with_no_history_the_configured_time_is_used():
    assert expected_service_s([], default_s=300) == 300


def test_visits_of_one_length_expect_that_length():
    assert math.isclose(expected_service_s([240] * 5, default_s=300), 240)


def test_a_wide_spread_of_visits_expects_their_mean_not_their_median():
    draw = random.Random(1)
    visits = [200 * math.exp(draw.gauss(0, 0.9)) for _ in range(RECENT_SERVICES)]
    expected = expected_service_s(visits, default_s=300)
    # The lognormal's mean is 1.5 times its median (200 s) at this spread.
    assert 250 < expected < 400
    assert expected > sorted(visits)[len(visits) // 2]


def test_one_visit_that_ran_for_hours_moves_the_expected_time_little():
    usual = [180.0, 220.0, 200.0, 190.0, 210.0] * 10
    assert expected_service_s([6 * 3600.0] + usual, default_s=300) < 1.2 * 200


def test_only_the_recent_visits_count():
    newest = [100.0] * RECENT_SERVICES
    assert math.isclose(expected_service_s(newest + [5000.0] * 10, default_s=300), 100)


@given(durations, st.floats(min_value=0.1, max_value=10))
def test_the_expected_time_scales_with_the_visits(visits, factor):
    scaled = expected_service_s([v * factor for v in visits if v * factor >= 1], default_s=1)
    if all(v * factor >= 1 for v in visits):
        assert math.isclose(scaled, factor * expected_service_s(visits, default_s=1), rel_tol=1e-6)


@given(durations)
def test_the_expected_time_lies_within_the_visits_clipped_spread(visits):
    recent = visits[:RECENT_SERVICES]
    expected = expected_service_s(visits, default_s=300)
    assert min(recent) * 0.999 <= expected <= max(recent) * math.exp(2.5**2) * 1.001


def test_the_rule_of_thumb_shares_the_work_ahead_among_the_counters():
    assert estimated_wait_s(ahead=6, service_s=300, counters_at_work=3) == 600
    assert estimated_wait_s(ahead=0, service_s=300, counters_at_work=3) == 0


def test_counters_with_a_queue_are_halfway_through_a_visit_and_then_call_in_turn():
    counters = [("open", frozenset({1})), ("open", frozenset({1}))]
    assert call_times({1: 3}, counters, {1: 300}) == {1: [150, 150, 450, 450]}


def test_counters_with_no_more_waiting_than_counters_are_taken_as_free():
    counters = [("open", frozenset({1})), ("open", frozenset({2}))]
    # A citizen walking into an empty hall hears no wait.
    assert call_times({1: 0, 2: 1}, counters, {2: 100}) == {1: [0], 2: [0, 100]}
    assert call_times({1: 2}, counters[:1] * 2, {1: 100}) == {1: [0, 0, 100]}


def test_open_counters_count_and_paused_ones_do_not():
    counters = [("open", frozenset({1})), ("paused", frozenset({1})), ("open", frozenset({2}))]
    assert call_times({1: 2}, counters, {1: 100}) == {1: [50, 150, 250]}


def test_when_no_counter_is_open_all_that_serve_the_service_are_assumed():
    counters = [("closed", frozenset({1})), ("paused", frozenset({1, 2}))]
    assert call_times({1: 2, 2: 0}, counters, {1: 100}) == {1: [0, 0, 100], 2: [100]}


def test_a_shared_counter_takes_the_services_queues_in_turn():
    counters = [("open", frozenset({1, 2}))]
    times = call_times({1: 1, 2: 2}, counters, {1: 60, 2: 30})
    # Halfway through a visit of 45 s on average; spread over the same hour, service 2's
    # first ticket came before service 1's.
    assert times == {1: [52.5, 142.5], 2: [22.5, 112.5, 142.5]}


@given(
    st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=4),
    st.lists(st.sets(st.integers(min_value=0, max_value=3), min_size=1), min_size=1, max_size=6),
    st.lists(st.floats(min_value=10, max_value=2000), min_size=4, max_size=4),
)
def test_each_served_queue_is_called_in_order_with_a_place_for_a_newcomer(counts, served, seconds):
    waiting = dict(enumerate(counts))
    counters = [("open", frozenset(s) & waiting.keys()) for s in served]
    service_s = {sid: seconds[sid] for sid in waiting}
    times = call_times(waiting, counters, service_s)
    for sid, calls in times.items():
        if any(sid in s for _, s in counters):
            assert len(calls) == waiting[sid] + 1
            assert calls == sorted(calls)
            assert calls[0] >= 0
        else:
            assert calls == []


def test_services_are_estimated_together_when_counters_link_them():
    counters = [frozenset({1, 2}), frozenset({2, 3}), frozenset({4})]
    assert connected_services(1, counters) == {1, 2, 3}
    assert connected_services(4, counters) == {4}
