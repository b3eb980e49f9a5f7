"""Estimated waiting times."""

from __future__ import annotations

from queue_server.domain.estimates import (
    call_times,
    connected_services,
    estimated_wait_s,
    typical_service_s,
)


def test_the_typical_time_is_the_median_of_recent_visits():
    assert typical_service_s([100, 200, 9000], default_s=300) == 200


def test_with_no_history_the_configured_time_is_used():
    assert typical_service_s([], default_s=300) == 300


def test_the_rule_of_thumb_shares_the_work_ahead_among_the_counters():
    assert estimated_wait_s(ahead=6, service_s=300, counters_at_work=3) == 600
    assert estimated_wait_s(ahead=0, service_s=300, counters_at_work=3) == 0


def test_counters_call_in_turn_and_the_last_entry_is_a_ticket_issued_now():
    counters = [("open", frozenset({1})), ("open", frozenset({1}))]
    assert call_times({1: 3}, counters, {1: 300}) == {1: [0, 0, 300, 300]}


def test_open_counters_count_and_paused_ones_do_not():
    counters = [("open", frozenset({1})), ("paused", frozenset({1})), ("open", frozenset({2}))]
    assert call_times({1: 2}, counters, {1: 100}) == {1: [0, 100, 200]}


def test_when_no_counter_is_open_all_that_serve_the_service_are_assumed():
    counters = [("closed", frozenset({1})), ("paused", frozenset({1, 2}))]
    assert call_times({1: 2, 2: 0}, counters, {1: 100}) == {1: [0, 0, 100], 2: [100]}


def test_a_shared_counter_takes_the_services_queues_in_turn():
    counters = [("open", frozenset({1, 2}))]
    times = call_times({1: 1, 2: 2}, counters, {1: 60, 2: 30})
    # Spread over the same hour, service 2's first ticket came before service 1's.
    assert times == {1: [30, 120], 2: [0, 90, 120]}


def test_services_are_estimated_together_when_counters_link_them():
    counters = [frozenset({1, 2}), frozenset({2, 3}), frozenset({4})]
    assert connected_services(1, counters) == {1, 2, 3}
    assert connected_services(4, counters) == {4}
