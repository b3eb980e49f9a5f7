"""Estimated waiting times."""

from __future__ import annotations

import math
import random

from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.estimates import (
    PAUSE_RETURN_S,
    RECENT_SERVICES,
    VisitTimes,
    call_times,
    connected_services,
    estimated_wait_s,
    fit_visits,
)

durations = st.lists(st.floats(min_value=1, max_value=20_000), min_size=1, max_size=60)


def test_with_no_history_the_configured_time_is_used():
    assert math.isclose(fit_visits([], default_s=300).mean_s, 300)


def test_visits_of_one_length_expect_that_length():
    assert math.isclose(fit_visits([240] * 5, default_s=300).mean_s, 240)


def test_a_wide_spread_of_visits_expects_their_mean_not_their_median():
    draw = random.Random(1)
    visits = [200 * math.exp(draw.gauss(0, 0.9)) for _ in range(RECENT_SERVICES)]
    expected = fit_visits(visits, default_s=300).mean_s
    # The lognormal's mean is 1.5 times its median (200 s) at this spread.
    assert 250 < expected < 400
    assert expected > sorted(visits)[len(visits) // 2]


def test_one_visit_that_ran_for_hours_moves_the_expected_time_little():
    usual = [180.0, 220.0, 200.0, 190.0, 210.0] * 10
    assert fit_visits([6 * 3600.0] + usual, default_s=300).mean_s < 1.2 * 200


def test_only_the_recent_visits_count():
    newest = [100.0] * RECENT_SERVICES
    assert math.isclose(fit_visits(newest + [5000.0] * 10, default_s=300).mean_s, 100)


@given(durations, st.floats(min_value=0.1, max_value=10))
def test_the_expected_time_scales_with_the_visits(visits, factor):
    scaled = fit_visits([v * factor for v in visits if v * factor >= 1], default_s=1).mean_s
    if all(v * factor >= 1 for v in visits):
        assert math.isclose(scaled, factor * fit_visits(visits, default_s=1).mean_s, rel_tol=1e-6)


@given(durations)
def test_the_expected_time_lies_within_the_visits_clipped_spread(visits):
    recent = visits[:RECENT_SERVICES]
    expected = fit_visits(visits, default_s=300).mean_s
    assert min(recent) * 0.999 <= expected <= max(recent) * math.exp(2.5**2) * 1.001


def test_long_visits_in_progress_lengthen_the_expected_visit():
    # Early in the day only the quick visits have finished; three others run long already.
    finished = [60.0, 80.0, 90.0]
    alone = fit_visits(finished, default_s=300).mean_s
    with_running = fit_visits(finished, default_s=300, running_s=[400.0, 500.0, 600.0]).mean_s
    assert alone < 100
    assert with_running > 2 * alone


def test_visits_in_progress_shorter_than_usual_move_the_expected_visit_little():
    draw = random.Random(2)
    visits = [200 * math.exp(draw.gauss(0, 0.9)) for _ in range(RECENT_SERVICES)]
    alone = fit_visits(visits, default_s=300).mean_s
    with_running = fit_visits(visits, default_s=300, running_s=[10.0, 30.0, 60.0]).mean_s
    assert 0.95 * alone < with_running < 1.05 * alone


def test_the_time_left_of_a_visit_grows_with_how_long_it_has_lasted_when_spread_is_wide():
    wide = VisitTimes(math.log(200), 0.9**2)
    assert math.isclose(wide.remaining_s(0), wide.mean_s)
    assert wide.remaining_s(60) < wide.remaining_s(600) < wide.remaining_s(1800)
    # Without spread every visit lasts the mean: what is left is the rest of it.
    exact = VisitTimes(math.log(200), 0.0)
    assert math.isclose(exact.remaining_s(150), 50)
    assert exact.remaining_s(250) == 0


def test_a_service_with_no_visit_timed_assumes_its_default_as_the_mean():
    fit = fit_visits([], default_s=300, running_s=[500.0])
    assert math.isclose(fit.mean_s, 300)
    assert fit.log_var > 0  # so a visit running long is expected to run on


def test_the_rule_of_thumb_shares_the_work_ahead_among_the_counters():
    assert estimated_wait_s(ahead=6, service_s=300, counters_at_work=3) == 600
    assert estimated_wait_s(ahead=0, service_s=300, counters_at_work=3) == 0


def test_free_counters_call_at_once():
    counters = [("open", frozenset({1})), ("open", frozenset({2}))]
    # A citizen walking into an empty hall hears no wait.
    assert call_times({1: 0, 2: 1}, counters, {2: 100}, [0.0, 0.0]) == {1: [0], 2: [0, 100]}
    assert call_times({1: 2}, counters[:1] * 2, {1: 100}, [0.0, 0.0]) == {1: [0, 0, 100]}


def test_open_counters_count_and_paused_ones_do_not():
    counters = [("open", frozenset({1})), ("paused", frozenset({1})), ("open", frozenset({2}))]
    assert call_times({1: 2}, counters, {1: 100}, [50.0, 0.0, 0.0]) == {1: [50, 150, 250]}


def test_when_no_counter_is_open_or_paused_all_that_serve_the_service_are_assumed():
    counters = [("closed", frozenset({1})), ("closed", frozenset({1, 2}))]
    assert call_times({1: 2, 2: 0}, counters, {1: 100}, [0.0, 0.0]) == {
        1: [0, 0, 100],
        2: [100],
    }


def test_a_paused_counter_is_taken_to_call_again_after_half_a_break():
    counters = [("closed", frozenset({1})), ("paused", frozenset({1, 2}))]
    later = PAUSE_RETURN_S
    assert call_times({1: 2, 2: 0}, counters, {1: 100}, [0.0, 0.0]) == {
        1: [later, later + 100, later + 200],
        2: [later + 200],
    }
    # Beside an open counter, it takes its share once back.
    counters = [("open", frozenset({1})), ("paused", frozenset({1}))]
    times = call_times({1: 12}, counters, {1: 100}, busy_s=[0.0, 0.0])
    assert times[1][:9] == [0, 100, 200, 300, 400, 500, 600, 700, 800]
    assert times[1][9:] == [later, later, later + 100, later + 100]


def test_busy_counters_call_when_their_visit_at_hand_ends():
    counters = [("open", frozenset({1})), ("open", frozenset({1}))]
    assert call_times({1: 3}, counters, {1: 300}, busy_s=[40.0, 250.0]) == {1: [40, 250, 340, 550]}
    # A free counter calls at once, whatever waits: an empty hall means no wait.
    assert call_times({1: 1}, counters[:1], {1: 300}, busy_s=[0.0]) == {1: [0, 300]}
    assert call_times({1: 0}, counters[:1], {1: 300}, busy_s=[0.0]) == {1: [0]}


def test_a_shared_counter_takes_the_services_queues_in_turn():
    counters = [("open", frozenset({1, 2}))]
    times = call_times({1: 1, 2: 2}, counters, {1: 60, 2: 30}, [22.5])
    # Free in 22.5 s; spread over the same hour, service 2's first ticket came before
    # service 1's.
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
    times = call_times(waiting, counters, service_s, [0.0] * len(counters))
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
