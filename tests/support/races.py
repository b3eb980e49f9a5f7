"""Two screens of one counter racing call_next and complete, and what must hold afterwards."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from sqlalchemy import Engine, text

Act = Callable[[str, dict], dict]
"""Sends one counter action with its payload; the acknowledgement ({ok, ...} or {ok, error})."""

Shown = Callable[[], str | None]
"""What a screen reloads after a refusal: the counter's current ticket number, or None."""

EXPECTED_REFUSALS = {"invalid_state", "queue_empty"}


def race_two_screens(screens: list[tuple[Act, Shown]], rounds: int) -> tuple[int, list[str]]:
    """Each screen calls or completes `rounds` times, naming the ticket it shows, as the counter
    page does; after a refusal it reloads the counter. Returns the calls made and anything
    unexpected (an error other than a lost race or an empty queue)."""
    calls: list[str] = []
    unexpected: list[str] = []
    start = threading.Barrier(len(screens))

    def screen(act: Act, reload: Shown, seed: int) -> None:
        choose = random.Random(seed)
        shown = reload()
        start.wait()
        for _ in range(rounds):
            action = choose.choice(["call_next", "complete"])
            try:
                ack = act(action, {} if shown is None else {"ticket": shown})
            except Exception as error:  # a crash of the use case is a failure of the test
                unexpected.append(repr(error))
                return
            if ack["ok"]:
                shown = ack["ticket"]["number"] if action == "call_next" else None
                if action == "call_next":
                    calls.append(ack["ticket"]["id"])
            elif ack["error"]["code"] in EXPECTED_REFUSALS:
                shown = reload()
            else:
                unexpected.append(str(ack))

    threads = [
        threading.Thread(target=screen, args=(act, reload, seed))
        for seed, (act, reload) in enumerate(screens)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return len(calls), unexpected + (["a duplicate call"] if len(set(calls)) < len(calls) else [])


def twice(engine: Engine) -> list[tuple]:
    """Tickets called, completed or served more than once, by their history."""
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT ticket_id, kind, count(*) FROM ticket_events"
                    " WHERE kind IN ('called', 'complete', 'served')"
                    " GROUP BY ticket_id, kind HAVING count(*) > 1"
                )
            )
        )
