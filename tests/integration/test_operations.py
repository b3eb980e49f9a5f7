"""Operations: liveness, readiness (database and Redis) and each process's metrics."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import requests

from tests.support.centres import kiosk_token
from tests.support.clients import CounterClient, DisplayClient, issue, login
from tests.support.redis_server import RedisServer
from tests.support.server import ServerProcess


def test_health_and_readiness_answer_while_the_database_does(server):
    assert requests.get(f"{server.url}/healthz", timeout=10).json() == {"status": "ok"}
    ready = requests.get(f"{server.url}/readyz", timeout=10)
    assert (ready.status_code, ready.json()) == (200, {"status": "ok"})


def test_readiness_names_redis_while_it_is_down_and_recovers(tmp_path: Path, config_file: Path):
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    env = {
        "QUEUE_MESSAGE_QUEUE": redis_server.url,
        "QUEUE_MESSAGE_QUEUE_CHANNEL": f"test-{uuid.uuid4().hex}",
    }
    process = ServerProcess(f"sqlite:///{tmp_path / 'q.db'}", tmp_path, config=config_file, env=env)
    try:
        process.start()
        assert requests.get(f"{process.url}/readyz", timeout=10).status_code == 200
        redis_server.kill()
        down = requests.get(f"{process.url}/readyz", timeout=10)
        assert down.status_code == 503
        assert down.json() == {"status": "unavailable", "failing": ["redis"]}
        assert requests.get(f"{process.url}/healthz", timeout=10).status_code == 200
        redis_server.start()
        assert requests.get(f"{process.url}/readyz", timeout=10).status_code == 200
    finally:
        process.kill()
        redis_server.kill()


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match[3])
    return 0.0


def test_metrics_count_issues_calls_sockets_and_print_jobs(server):
    token = kiosk_token(1)
    issue(server.url, token, "ID")
    issue(server.url, token, "ID")
    display = DisplayClient(server.url)
    clerk = CounterClient(server.url, login(server.url, "clerk1"))
    try:
        display.wait_for("snapshot")
        clerk("open", {"centre": "TST", "counter": 1})
        assert clerk("call_next")["ok"]
        assert clerk("recall")["ok"]
        text = requests.get(f"{server.url}/metrics", timeout=10).text
    finally:
        display.close()
        clerk.close()
    assert _sample(text, "queue_tickets_issued_total", centre="TST") == 2
    assert _sample(text, "queue_calls_total", centre="TST", recall="false") == 1
    assert _sample(text, "queue_calls_total", centre="TST", recall="true") == 1
    assert _sample(text, "queue_open_sockets", namespace="/display") == 1
    assert _sample(text, "queue_open_sockets", namespace="/counter") == 1
    issued = _sample(text, "queue_http_request_seconds_count", endpoint="api.issue_ticket")
    assert issued == 2
    calls = _sample(
        text, "queue_socket_event_seconds_count", namespace="/counter", event="call_next"
    )
    assert calls == 1
    assert "# TYPE queue_print_jobs gauge" in text
    assert "# TYPE queue_sms_messages gauge" in text
    assert 'queue_sync_entries{state="waiting"} 0.0' in text.splitlines()
