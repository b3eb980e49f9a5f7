"""QUEUE_TIME_SCALE: a clock that runs faster from its start, for simulated centre days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from queue_server.bootstrap import scaled_clock
from queue_server.config import settings_from_env

START = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


class StepClock:
    """A base clock moved by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def test_the_scaled_clock_starts_at_the_present_and_runs_faster():
    base = StepClock()
    clock = scaled_clock(base, 60)
    assert clock() == START
    base.now = START + timedelta(seconds=10)
    assert clock() == START + timedelta(minutes=10)


def test_a_scale_of_one_is_the_base_clock_itself():
    base = StepClock()
    assert scaled_clock(base, 1.0) is base


def test_the_scale_comes_from_the_environment_and_defaults_to_one():
    assert settings_from_env({}).time_scale == 1.0
    assert settings_from_env({"QUEUE_TIME_SCALE": "240"}).time_scale == 240.0
    assert settings_from_env({"QUEUE_TIME_SCALE": "20000"}).time_scale == 20000.0
    for bad in ("0", "-2", "nan", "fast", "20001"):
        with pytest.raises(ValueError):
            settings_from_env({"QUEUE_TIME_SCALE": bad})


def test_the_bench_floor_is_off_unless_asked_for():
    assert settings_from_env({}).bench_floor is False
    assert settings_from_env({"QUEUE_BENCH_FLOOR": "1"}).bench_floor is True
