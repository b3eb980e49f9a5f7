"""Estimated waiting times."""

from __future__ import annotations

from queue_server.domain.estimates import counters_at_work, estimated_wait_s, typical_service_s


def test_the_typical_time_is_the_median_of_recent_visits():
    assert typical_service_s([100, 200, 9000], default_s=300) == 200


def test_with_no_history_the_configured_time_is_used():
    assert typical_service_s([], default_s=300) == 300


def test_the_wait_shares_the_work_ahead_among_the_counters():
    assert estimated_wait_s(ahead=6, service_s=300, counters_at_work=3) == 600
    assert estimated_wait_s(ahead=0, service_s=300, counters_at_work=3) == 0


def test_open_counters_count_and_paused_ones_do_not():
    counters = [("open", frozenset({1})), ("paused", frozenset({1})), ("open", frozenset({2}))]
    assert counters_at_work(1, counters) == 1


def test_when_no_counter_is_open_all_that_serve_the_service_are_assumed():
    counters = [("closed", frozenset({1})), ("paused", frozenset({1, 2}))]
    assert counters_at_work(1, counters) == 2
    assert counters_at_work(3, counters) == 1
