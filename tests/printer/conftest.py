"""Shared builders and fixtures for the printer tests."""

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from printer.layout import TicketPrint
from tests.support.fake_printer import FakePrinter

TYPICAL_TICKET = TicketPrint(
    centre_name="Huduma Centre Mombasa",
    service_name={"en": "National ID card", "sw": "Kitambulisho cha Taifa"},
    language="en",
    number="A001",
    priority="none",
    issued_at_local=datetime(2026, 11, 23, 9, 14, tzinfo=ZoneInfo("Africa/Nairobi")),
    ahead=3,
    estimated_wait_s=720,
    track_url="https://queue.example.ke/track/q7Hk2mZ9xPa4",
    paper_width_mm=80,
)


@pytest.fixture(scope="session")
def make_ticket() -> Callable[..., TicketPrint]:
    """Build a TicketPrint: a typical one, with the given fields changed."""

    def make(**changes: Any) -> TicketPrint:
        return dataclasses.replace(TYPICAL_TICKET, **changes)

    return make


@pytest.fixture
def fake_printer() -> Iterator[FakePrinter]:
    """A fake network printer on a free loopback port, stopped after the test."""
    with FakePrinter() as printer:
        yield printer
