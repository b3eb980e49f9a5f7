"""Many kiosks and counters at once; a power cut (kill -9) and a restart."""

from __future__ import annotations

import threading
import time
from collections import Counter

import requests

from tests.support.centres import KIOSK_TOKEN, kiosk_token
from tests.support.clients import CounterClient, DisplayClient, issue, login
from tests.support.server import ServerProcess

KIOSKS, TICKETS_PER_KIOSK = 8, 12
COUNTERS = (1, 2, 3, 4)


def test_eight_kiosks_and_four_counters_racing(server):
    issued: list[dict] = []
    called: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    kiosks_done = threading.Event()

    def kiosk(i: int) -> None:
        for n in range(TICKETS_PER_KIOSK):
            try:
                ticket = issue(server.url, kiosk_token(i), "ID" if (i + n) % 2 else "BC")
            except Exception as exc:  # recorded and asserted below
                failures.append(f"kiosk {i}: {exc}")
                return
            with lock:
                issued.append(ticket)

    def counter(number: int, username: str) -> None:
        clerk = CounterClient(server.url, login(server.url, username))
        try:
            assert clerk("open", {"centre": "TST", "counter": number})["ok"]
            while True:
                answer = clerk("call_next")
                if answer["ok"]:
                    with lock:
                        called.append(answer["ticket"]["id"])
                elif answer["error"]["code"] == "queue_empty":
                    if kiosks_done.is_set():
                        final = clerk("call_next")
                        if not final["ok"] and final["error"]["code"] == "queue_empty":
                            return
                        if final["ok"]:
                            with lock:
                                called.append(final["ticket"]["id"])
                elif answer["error"]["code"] != "invalid_state":  # a lost race may be retried
                    failures.append(f"counter {number}: {answer}")
                    return
        finally:
            clerk.close()

    kiosk_threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(1, KIOSKS + 1)]
    counter_threads = [threading.Thread(target=counter, args=(n, f"clerk{n}")) for n in COUNTERS]
    for thread in kiosk_threads + counter_threads:
        thread.start()
    for thread in kiosk_threads:
        thread.join(timeout=120)
    kiosks_done.set()
    for thread in counter_threads:
        thread.join(timeout=120)

    assert not failures
    total = KIOSKS * TICKETS_PER_KIOSK
    assert len(issued) == total
    numbers = Counter(t["number"] for t in issued)
    assert max(numbers.values()) == 1, "a number was issued twice"
    for prefix in ("A", "B"):
        sequences = sorted(int(n[1:]) for n in numbers if n.startswith(prefix))
        assert sequences == list(range(1, len(sequences) + 1)), "a number is missing"
    assert len(called) == len(set(called)), "a ticket was called twice"
    assert set(called) == {t["id"] for t in issued}, "a ticket was lost"


def test_tickets_numbering_and_tokens_survive_kill_minus_nine(server):
    token = login(server.url, "clerk1")
    before = [issue(server.url, KIOSK_TOKEN, "ID") for _ in range(3)]
    server.kill()
    server.start()
    for ticket in before:
        again = requests.get(f"{server.url}/api/v1/tickets/{ticket['id']}", timeout=5).json()
        assert again["number"] == ticket["number"] and again["status"] == "waiting"
    assert issue(server.url, KIOSK_TOKEN, "ID")["number"] == "A004"
    clerk = CounterClient(server.url, token)
    try:
        assert clerk("open", {"centre": "TST", "counter": 1})["ok"]
        assert clerk("call_next")["ticket"]["number"] == "A001"
    finally:
        clerk.close()


def test_a_call_acknowledged_before_a_crash_is_still_there_after(server):
    issue(server.url, KIOSK_TOKEN, "BC")
    clerk = CounterClient(server.url, login(server.url, "clerk3"))
    clerk("open", {"centre": "TST", "counter": 3})
    assert clerk("call_next")["ok"]
    server.kill()
    clerk.close()
    server.start()
    display = DisplayClient(server.url)
    try:
        snapshot = display.wait_for("snapshot")[0]
        assert [(s["number"], s["counter"]) for s in snapshot["now_serving"]] == [("B001", 3)]
    finally:
        display.close()


def test_at_local_midnight_the_real_server_expires_open_tickets_and_restarts_numbering(
    db_url, config_file, tmp_path
):
    # A clock 10,000 times faster than real time: a centre day passes in under 9 seconds.
    server = ServerProcess(db_url, tmp_path, config=config_file, env={"QUEUE_TIME_SCALE": "10000"})
    server.start()
    try:
        first = issue(server.url, KIOSK_TOKEN, "ID")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            latest = issue(server.url, KIOSK_TOKEN, "ID")
            if latest["issued_at"][:10] != first["issued_at"][:10]:
                break
        assert latest["issued_at"][:10] != first["issued_at"][:10], "no local midnight in time"
        assert latest["number"] == "A001"
        # The sweep wakes just after local midnight and expires the day's open tickets.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            old = requests.get(f"{server.url}/api/v1/tickets/{first['id']}", timeout=5).json()
            if old["status"] == "expired":
                break
            time.sleep(0.05)
        assert old["status"] == "expired" and old["number"] == "A001"
    finally:
        server.kill()
