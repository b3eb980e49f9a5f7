"""Huduma Mashinani with two real servers: a site on SQLite, the central server on PostgreSQL.

The site works while the central server is away, sends its log when it can (also after a
kill -9 in the middle of an upload), and the central server then shows the same tickets and
the same sponsor report; bad uploads are refused and change nothing.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from queue_server.adapters.orm import Document, Ticket, TicketEvent
from tests.support.clients import CounterClient, issue, login
from tests.support.databases import database_url
from tests.support.outreach import (
    OTHER_SITE_TOKEN,
    OUTREACH_CONFIG,
    SITE_KIOSK_TOKEN,
    SITE_TOKEN,
    SPONSOR,
)
from tests.support.server import ROOT, ServerProcess

WAIT_S = 60
PHONE = "0712 345 678"


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def central(tmp_path: Path) -> Iterator[ServerProcess]:
    """The central server on PostgreSQL, not started: its port is known in advance."""
    folder = tmp_path / "central"
    folder.mkdir()
    config = folder / "centres.toml"
    config.write_text(OUTREACH_CONFIG, encoding="utf-8")
    with database_url("postgresql", folder) as url:
        process = ServerProcess(url, folder, config=config)
        process.port = free_port()
        yield process
        process.kill()


def site_process(tmp_path: Path, central_url: str | None) -> ServerProcess:
    """The site's own server on SQLite, sending to `central_url` when given."""
    folder = tmp_path / "site"
    folder.mkdir(exist_ok=True)
    config = folder / "centres.toml"
    config.write_text(OUTREACH_CONFIG, encoding="utf-8")
    args = ("--site-token", SITE_TOKEN) + (("--sync-to", central_url) if central_url else ())
    return ServerProcess(
        f"sqlite:///{folder / 'site.db'}",
        folder,
        config=config,
        extra_args=args,
        env={"QUEUE_SYNC_RETRY_MAX_S": "0.5"},
    )


@pytest.fixture
def site(tmp_path: Path, central: ServerProcess) -> Iterator[ServerProcess]:
    process = site_process(tmp_path, central.url)
    process.start()
    yield process
    process.kill()


def wait_until(check: Callable[[], object], what: str) -> object:
    """Poll `check` until it returns something true (the server's worker runs on its own)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting until {what}")


def status(site: ServerProcess) -> dict:
    return requests.get(f"{site.url}/api/v1/sync/status", timeout=5).json()


def serve_some(site: ServerProcess, count: int, served: int) -> list[dict]:
    """`count` tickets issued at the site's kiosk; the first `served` called and finished."""
    issued = [
        issue(site.url, SITE_KIOSK_TOKEN, ("ID", "BC")[i % 2], centre="KBR") for i in range(count)
    ]
    clerk = CounterClient(site.url, login(site.url, "mashinani1"))
    try:
        assert clerk("open", {"centre": "KBR", "counter": 1})["ok"]
        for _ in range(served):
            assert clerk("call_next")["ok"]
            assert clerk("start")["ok"]
        assert clerk("complete")["ok"]
    finally:
        clerk.close()
    return issued


def ticket_records(base: str, ids: list[str]) -> list[dict]:
    """The tickets as `GET /tickets/{id}` shows them, without the live estimate."""
    shown = [requests.get(f"{base}/api/v1/tickets/{i}", timeout=5).json() for i in ids]
    return [{k: v for k, v in t.items() if k != "estimated_wait_s"} for t in shown]


def sponsor_report(base: str, fmt: str = "json") -> object:
    token = login(base, "mashinani-boss")
    response = requests.get(
        f"{base}/api/v1/centres/KBR/reports/sponsor",
        params={"from": "2026-01-01", "to": "2027-12-31", "format": fmt},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return response.json() if fmt == "json" else response.text


def central_counts(central: ServerProcess) -> tuple[int, int, int]:
    """Tickets, ticket events and documents held at the central server."""
    engine = create_engine(central.database_url)
    with engine.connect() as connection:
        counts = [
            connection.scalar(select(func.count()).select_from(model)) or 0
            for model in (Ticket, TicketEvent, Document)
        ]
    engine.dispose()
    return counts[0], counts[1], counts[2]


def staff_call(base: str, path: str, body: dict) -> dict:
    """A site supervisor's POST under /api/v1; its answer."""
    token = login(base, "mashinani-boss")
    response = requests.post(
        f"{base}/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


def lodge_documents(site: ServerProcess, count: int, ready: int) -> list[str]:
    """`count` documents lodged at the site's desk, the first `ready` of them marked ready."""
    refs = [
        staff_call(
            site.url,
            "/centres/KBR/documents",
            {"service": ("ID", "BC")[i % 2], "phone": PHONE, "consent": True, "language": "sw"},
        )["ref"]
        for i in range(count)
    ]
    for ref in refs[:ready]:
        assert staff_call(site.url, f"/documents/{ref}/status", {"status": "ready"})["status"] == (
            "ready"
        )
    return refs


def documents_shown(base: str, refs: list[str]) -> list[dict]:
    """The documents as a citizen's look-up (`GET /documents/{ref}?phone=LAST3`) shows them."""
    shown = []
    for ref in refs:
        response = requests.get(
            f"{base}/api/v1/documents/{ref}", params={"phone": PHONE[-3:]}, timeout=5
        )
        assert response.status_code == 200, response.text
        shown.append(response.json())
    return shown


def test_a_day_with_the_central_server_away_is_sent_when_it_returns(site, central):
    issued = serve_some(site, count=8, served=5)
    refs = lodge_documents(site, count=3, ready=1)
    away = wait_until(lambda: (s := status(site))["last_error"] and s, "the upload fails")
    assert away["pending"] > 0 and away["acked_seq"] == 0 and away["last_success_at"] is None
    assert "unreachable" in away["last_error"]

    central.start()
    done = wait_until(lambda: (s := status(site))["pending"] == 0 and s, "all is sent")
    assert done["last_error"] is None and done["last_success_at"].endswith("+03:00")
    ids = [t["id"] for t in issued]
    assert ticket_records(central.url, ids) == ticket_records(site.url, ids)
    shown = documents_shown(central.url, refs)
    assert shown == documents_shown(site.url, refs)
    assert [d["status"] for d in shown] == ["ready", "lodged", "lodged"]
    report = sponsor_report(central.url)
    assert report == sponsor_report(site.url)
    assert report["sponsor"] == SPONSOR and report["served"] == 5
    assert sponsor_report(central.url, "csv") == sponsor_report(site.url, "csv")
    admin = {"Authorization": f"Bearer {login(central.url, 'boss')}"}
    held = requests.get(f"{central.url}/api/v1/sync/KBR", headers=admin, timeout=5).json()
    assert held["acked_seq"] == done["acked_seq"] and held["last_upload_at"]
    assert held["clock_flagged"] is False
    sites = requests.get(f"{central.url}/api/v1/sync/sites", headers=admin, timeout=5).json()
    assert [(s["centre"], s["acked_seq"]) for s in sites] == [
        ("KBR", held["acked_seq"]),
        ("LKN", 0),
    ]


def test_a_site_killed_mid_upload_resends_and_nothing_is_missing_or_doubled(tmp_path, central):
    site = site_process(tmp_path, central.url)
    site.start()
    try:
        issued = serve_some(site, count=150, served=40)
        total = status(site)["pending"]
        central.start()
        wait_until(lambda: status(site)["acked_seq"] > 0, "a first batch is acknowledged")
        site.kill()  # in the middle of the upload: more batches were waiting
        site.start()
        wait_until(lambda: status(site)["pending"] == 0, "all is sent after the restart")
        ids = [t["id"] for t in issued]
        assert ticket_records(central.url, ids) == ticket_records(site.url, ids)
        assert status(site)["acked_seq"] == total
        assert central_counts(central)[0] == 150
        assert sponsor_report(central.url) == sponsor_report(site.url)
    finally:
        site.kill()


def test_bad_uploads_are_refused_and_the_central_server_keeps_serving(central):
    central.start()
    url = f"{central.url}/api/v1/sync/KBR/events"
    good = {"sent_at": "2026-12-13T09:00:00+03:00", "entries": []}

    def post(token: str | None, body: object = good, **kw: object) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if isinstance(body, bytes):
            headers["Content-Type"] = "application/json"
            return requests.post(url, data=body, headers=headers, timeout=5, **kw)
        return requests.post(url, json=body, headers=headers, timeout=5, **kw)

    kiosk = "kiosk-1-token-0123456789"
    refusals = [
        (post(None), 401),
        (post("not-a-token-at-all-0123456789"), 401),
        (post(kiosk), 403),
        (post(OTHER_SITE_TOKEN), 403),
        (post(SITE_TOKEN, b"not json"), 400),
        (post(SITE_TOKEN, ["a", "list"]), 400),
        (post(SITE_TOKEN, {"entries": []}), 422),
        (post(SITE_TOKEN, {**good, "entries": [{"seq": "1"}]}), 422),
        (post(SITE_TOKEN, {**good, "entries": [{"seq": 1, "kind": "x", "data": {}}]}), 422),
        (
            post(
                SITE_TOKEN,
                {
                    **good,
                    "entries": [
                        {
                            "seq": 1,
                            "kind": "ticket",
                            "recorded_at": "2026-12-13T09:00:00+03:00",
                            "data": {"id": "bad"},
                        }
                    ],
                },
            ),
            422,
        ),
        (post(SITE_TOKEN, b"x" * (200 * 1024)), 413),
    ]
    for response, expected in refusals:
        assert response.status_code == expected, response.text
        assert set(response.json()["error"]) == {"code", "message"}
    assert post(SITE_TOKEN).json() == {"acked_seq": 0}
    assert requests.get(f"{central.url}/api/v1/centres", timeout=5).status_code == 200


def test_the_log_carried_on_a_file_is_applied_once(tmp_path, central):
    site = site_process(tmp_path, None)  # no network at all
    site.start()
    try:
        issued = serve_some(site, count=6, served=4)
        refs = lodge_documents(site, count=2, ready=1)
        pending = status(site)["pending"]
        site_report = sponsor_report(site.url)
    finally:
        site.stop()
    out = tmp_path / "kibarani.json"
    exported = run_sync("export", "--out", str(out), "--database", site.database_url)
    assert exported["entries"] == pending and exported["first_seq"] == 1
    central.start()  # it loads the configuration naming the site
    for _ in range(2):  # a file imported twice changes nothing the second time
        imported = run_sync("import", str(out), "--database", central.database_url)
        assert imported["acked_seq"] == pending
    assert central_counts(central)[0::2] == (6, 2)
    assert sponsor_report(central.url) == site_report
    site.start()
    ids = [t["id"] for t in issued]
    assert ticket_records(central.url, ids) == ticket_records(site.url, ids)
    assert documents_shown(central.url, refs) == documents_shown(site.url, refs)
    site.kill()


def test_a_batch_sent_twice_to_the_central_server_is_applied_once(tmp_path, central):
    site = site_process(tmp_path, None)
    site.start()
    try:
        serve_some(site, count=4, served=2)
        refs = lodge_documents(site, count=3, ready=2)
        staff_call(site.url, f"/documents/{refs[0]}/status", {"status": "collected"})
    finally:
        site.stop()
    out = tmp_path / "kibarani.json"
    run_sync("export", "--out", str(out), "--database", site.database_url)
    batch = json.loads(out.read_text(encoding="utf-8"))
    entries = batch["entries"]
    assert [e["data"]["status"] for e in entries if e["kind"] == "document"] == [
        *["lodged"] * 3,
        "ready",
        "ready",
        "collected",
    ]
    assert {e["data"]["phone"] for e in entries if e["kind"] == "document"} == {"+254712345678"}
    central.start()
    url = f"{central.url}/api/v1/sync/KBR/events"
    headers = {"Authorization": f"Bearer {SITE_TOKEN}"}
    answers = []
    for part in (entries[3:], entries, entries):  # held, then complete, then a replay
        response = requests.post(url, json={**batch, "entries": part}, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
        answers.append(response.json()["acked_seq"])
    assert answers == [0, len(entries), len(entries)]
    assert central_counts(central)[0::2] == (4, 3)
    site.start()
    try:
        shown = documents_shown(central.url, refs)
        assert shown == documents_shown(site.url, refs)
        assert [d["status"] for d in shown] == ["collected", "ready", "lodged"]
    finally:
        site.kill()


def run_sync(*args: str) -> dict:
    """`python -m queue_server sync ...`; its printed answer."""
    done = subprocess.run(
        [sys.executable, "-m", "queue_server", "sync", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_site_starts_from_the_central_servers_configuration_else_from_its_file(
    tmp_path, central
):
    central.start()
    folder = tmp_path / "site"
    folder.mkdir()
    config = folder / "centres.toml"  # an older copy of the file, carried on a USB stick
    config.write_text(OUTREACH_CONFIG.replace(SPONSOR, "An Earlier Sponsor"), encoding="utf-8")
    site = ServerProcess(
        f"sqlite:///{folder / 'site.db'}",
        folder,
        config=config,
        extra_args=("--site-token", SITE_TOKEN, "--sync-to", central.url),
    )

    def sponsor() -> str:
        centres = requests.get(f"{site.url}/api/v1/centres", timeout=5).json()
        return next(c["sponsor"] for c in centres if c["code"] == "KBR")

    try:
        site.start()
        assert sponsor() == SPONSOR  # the central server's configuration
        assert [
            c["code"] for c in requests.get(f"{site.url}/api/v1/centres", timeout=5).json()
        ] == ["KBR"]
        assert login(site.url, "mashinani1")  # staff sign in with what the central server sent
        site.kill()
        central.kill()
        site.start()
        assert sponsor() == "An Earlier Sponsor"  # no central server: the file
        assert "configuration was not used" in site.log_path.read_text()
    finally:
        site.kill()


def test_only_a_sites_token_reads_its_configuration(central):
    central.start()
    url = f"{central.url}/api/v1/sync/config"
    mine = requests.get(url, headers={"Authorization": f"Bearer {SITE_TOKEN}"}, timeout=5).json()
    assert [c["code"] for c in mine["centre"]] == ["KBR"]
    assert {u["username"] for u in mine["user"]} == {"mashinani1", "mashinani-boss"}
    assert all(
        "password" not in u and u["password_hash"].startswith("$argon2") for u in mine["user"]
    )
    for token, status in ((None, 401), ("kiosk-1-token-0123456789", 403)):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        assert requests.get(url, headers=headers, timeout=5).status_code == status
