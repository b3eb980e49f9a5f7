"""Two server processes sharing PostgreSQL and Redis: events cross, numbers stay unique."""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest

from tests.integration.test_counter_screens import race_on_counter_1
from tests.integration.test_security import sign_out_drops_idle_screens
from tests.support.centres import kiosk_token, make_config_file
from tests.support.clients import CounterClient, DisplayClient, issue, login
from tests.support.databases import database_url, require_redis
from tests.support.server import ServerProcess


@pytest.fixture
def two_servers(tmp_path):
    redis_url = require_redis()
    config = make_config_file(tmp_path)
    env = {
        "QUEUE_MESSAGE_QUEUE": redis_url,
        "QUEUE_MESSAGE_QUEUE_CHANNEL": f"test-{uuid.uuid4().hex}",
    }
    with database_url("postgresql", tmp_path) as url:
        servers = []
        for name in ("a", "b"):
            folder = tmp_path / name
            folder.mkdir()
            servers.append(ServerProcess(url, folder, config=config, env=env))
        try:
            for server in servers:
                server.start()
            yield servers
        finally:
            for server in servers:
                server.kill()


def test_a_display_on_one_process_sees_calls_made_on_the_other(two_servers):
    a, b = two_servers
    display = DisplayClient(a.url)
    clerk = CounterClient(b.url, login(b.url, "clerk1"))
    try:
        display.wait_for("snapshot")
        issue(b.url, kiosk_token(1), "ID")
        display.wait_for("queue_changed", lambda d: d["service"] == "ID" and d["waiting"] == 1)
        clerk("open", {"centre": "TST", "counter": 1})
        assert clerk("call_next")["ok"]
        called = display.wait_for("ticket_called")[0]
        assert (called["number"], called["counter"]) == ("A001", 1)
    finally:
        display.close()
        clerk.close()


def test_kiosks_and_counters_spread_over_processes_never_duplicate(two_servers):
    a, b = two_servers
    per_kiosk = 10
    issued: list[dict] = []
    called: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def kiosk(i: int) -> None:
        base = (a, b)[i % 2].url
        for _ in range(per_kiosk):
            ticket = issue(base, kiosk_token(i), "BC")
            with lock:
                issued.append(ticket)

    kiosks = [threading.Thread(target=kiosk, args=(i,)) for i in range(1, 9)]
    for thread in kiosks:
        thread.start()
    for thread in kiosks:
        thread.join(timeout=120)

    def counter(number: int) -> None:
        base = (a, b)[number % 2].url
        clerk = CounterClient(base, login(base, f"clerk{number}"))
        try:
            clerk("open", {"centre": "TST", "counter": number})
            while True:
                answer = clerk("call_next")
                if answer["ok"]:
                    with lock:
                        called.append(answer["ticket"]["id"])
                elif answer["error"]["code"] == "queue_empty":
                    return
                elif answer["error"]["code"] != "invalid_state":
                    failures.append(str(answer))
                    return
        finally:
            clerk.close()

    counters = [threading.Thread(target=counter, args=(n,)) for n in (1, 2, 3, 4)]
    for thread in counters:
        thread.start()
    for thread in counters:
        thread.join(timeout=120)

    assert not failures
    numbers = Counter(t["number"] for t in issued)
    assert len(issued) == 80 and max(numbers.values()) == 1
    assert sorted(int(n[1:]) for n in numbers) == list(range(1, 81))
    assert len(called) == len(set(called)) == 80


def test_two_screens_of_one_counter_on_two_processes_never_act_twice(two_servers):
    a, b = two_servers
    race_on_counter_1([a.url, b.url], a.database_url)


def test_a_sign_out_on_one_process_drops_the_idle_sockets_on_the_other(two_servers):
    a, b = two_servers
    sign_out_drops_idle_screens(a.url, b.url)
