"""Two screens of one clerk on one counter, racing over Socket.IO against the real server."""

from __future__ import annotations

import requests
from sqlalchemy import create_engine

from tests.support.centres import kiosk_token
from tests.support.clients import CounterClient, issue, login
from tests.support.races import Act, Shown, race_two_screens, twice

TICKETS, ROUNDS = 120, 150


def counter_screen(base: str, token: str, number: int = 1) -> tuple[CounterClient, Act, Shown]:
    """A counter page's connection: its actions, and its reload of the counter's state."""
    client = CounterClient(base, token)
    assert client("open", {"centre": "TST", "counter": number})["ok"]

    def shown() -> str | None:
        listed = requests.get(
            f"{base}/api/v1/centres/TST/counters",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).json()
        ticket = next(c for c in listed if c["number"] == number)["ticket"]
        return ticket["number"] if ticket else None

    return client, client, shown


def race_on_counter_1(bases: list[str], database_url: str) -> None:
    """Stock the queue, race two screens (one per base URL), check nothing happened twice."""
    for n in range(TICKETS):
        issue(bases[n % len(bases)], kiosk_token(1), "ID")
    token = login(bases[0], "clerk1")
    screens = [counter_screen(base, token) for base in (bases * 2)[:2]]
    try:
        calls, unexpected = race_two_screens([(act, shown) for _, act, shown in screens], ROUNDS)
    finally:
        for client, _, _ in screens:
            client.close()
    assert not unexpected  # never internal_error: a lost race is invalid_state
    engine = create_engine(database_url)
    try:
        assert calls >= 40 and twice(engine) == []
    finally:
        engine.dispose()


def test_two_screens_racing_call_next_and_complete(server):
    race_on_counter_1([server.url], server.database_url)
