"""Printing against the real server: kiosk printers on the network, a print agent, reprints."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import socketio

from printer.agent import AgentRefused, PrintAgent
from tests.support.centres import PASSWORD
from tests.support.databases import BACKENDS, database_url
from tests.support.escpos import decode
from tests.support.fake_printer import FakePrinter
from tests.support.print_centre import (
    AGENT_KIOSK_TOKEN,
    CENTRE,
    CLERK,
    FILE_KIOSK_TOKEN,
    PRINTER_AGENT_TOKEN,
    SUPERVISOR,
    TCP_KIOSKS,
    print_config,
    tcp_kiosk_token,
)
from tests.support.server import ROOT, ServerProcess

API = "/api/v1"
WAIT_S = 15.0


@dataclass
class Hall:
    """The running server, its database and a fake printer for each tcp kiosk (and the agent)."""

    server: ServerProcess
    database_url: str
    config: Path
    printers: list[FakePrinter]  # printers[i - 1] serves kiosk-tcp-i
    agent_printer: FakePrinter
    file_printer: Path  # the device file of kiosk-file's printer

    def url(self, path: str) -> str:
        return f"{self.server.url}{API}{path}"


@pytest.fixture(scope="module", params=BACKENDS)
def hall(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Hall]:
    """One server per database for the whole module; each test uses its own kiosk and printer."""
    folder = tmp_path_factory.mktemp(f"printing-{request.param}")
    printers = [FakePrinter().start() for _ in range(TCP_KIOSKS)]
    agent_printer = FakePrinter().start()
    config = folder / "centres.toml"
    file_printer = folder / "lp0"
    text = print_config([p.url for p in printers], file_printer=f"file://{file_printer}")
    config.write_text(text, encoding="utf-8")
    with database_url(request.param, folder) as db_url:
        server = ServerProcess(db_url, folder, config=config)
        server.start()
        try:
            yield Hall(server, db_url, config, printers, agent_printer, file_printer)
        finally:
            server.kill()
            for printer in [*printers, agent_printer]:
                printer.stop()


def wait_until(check: Callable[[], object], timeout: float = WAIT_S) -> object:
    """Poll `check` until it returns something true (a server-side state has no event to await)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still not true after {timeout} s: {check}")
        time.sleep(0.05)
    return result


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(hall: Hall, username: str) -> str:
    body = {"username": username, "password": PASSWORD}
    response = requests.post(hall.url("/auth/login"), json=body, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def issue(hall: Hall, token: str, base: str | None = None) -> dict:
    """Issue an ID ticket at the kiosk with `token` (through process `base`, if given)."""
    url = f"{base or hall.server.url}{API}/centres/{CENTRE}/tickets"
    response = requests.post(url, json={"service": "ID"}, headers=bearer(token), timeout=5)
    assert response.status_code == 201, response.text
    return response.json()


def get(hall: Hall, path: str, token: str) -> requests.Response:
    return requests.get(hall.url(path), headers=bearer(token), timeout=5)


def job_state(hall: Hall, job_id: int, token: str) -> str:
    return get(hall, f"/print-jobs/{job_id}", token).json()["state"]


def printer_of(hall: Hall, token: str) -> dict:
    return get(hall, "/devices/me", token).json()["printer"]


def number_of(data: bytes) -> str:
    """The ticket number printed on a ticket."""
    return next(line for line in decode(data).lines if line[:1] == "A" and line[1:].isdigit())


def test_a_kiosk_ticket_is_printed_with_its_number_and_track_link(hall: Hall) -> None:
    token, printer = tcp_kiosk_token(1), hall.printers[0]
    ticket = issue(hall, token)
    assert ticket["print"]["state"] in ("pending", "printing", "printed")
    assert ticket["print"]["printer"]["url_kind"] == "tcp"
    [data] = printer.wait_for_jobs(1, timeout=WAIT_S)
    decoded = decode(data)
    assert (decoded.names[0], decoded.names[-1]) == ("init", "cut")
    assert number_of(data) == ticket["number"]
    assert decoded.qr_codes == [f"{hall.server.url}/track/{ticket['id']}".encode()]
    wait_until(lambda: job_state(hall, ticket["print"]["id"], token) == "printed")
    me = get(hall, "/devices/me", token).json()
    assert (me["name"], me["kind"], me["centre"]) == ("kiosk-tcp-1", "kiosk", CENTRE)
    assert me["printer"]["state"] == "ok" and me["printer"]["pending_jobs"] == 0
    assert len(printer.jobs) == 1


def test_a_printer_device_file_is_written_from_a_real_thread(hall: Hall) -> None:
    ticket = issue(hall, FILE_KIOSK_TOKEN)
    wait_until(lambda: job_state(hall, ticket["print"]["id"], FILE_KIOSK_TOKEN) == "printed")
    assert number_of(hall.file_printer.read_bytes()) == ticket["number"]
    assert printer_of(hall, FILE_KIOSK_TOKEN)["state"] == "unknown"  # a file cannot tell


def test_a_printer_that_is_down_gets_its_ticket_once_when_it_comes_back(hall: Hall) -> None:
    token, printer = tcp_kiosk_token(2), hall.printers[1]
    printer.go_down()
    ticket = issue(hall, token)
    down = wait_until(lambda: (p := printer_of(hall, token))["state"] == "fault" and p)
    assert isinstance(down, dict) and down["online"] is False and down["pending_jobs"] == 1
    assert job_state(hall, ticket["print"]["id"], token) == "pending"
    printer.come_up()
    started = time.monotonic()
    [data] = printer.wait_for_jobs(1, timeout=WAIT_S)
    assert time.monotonic() - started < 5  # the retry delay is short
    assert number_of(data) == ticket["number"]
    wait_until(lambda: job_state(hall, ticket["print"]["id"], token) == "printed")
    assert printer_of(hall, token)["state"] == "ok"
    assert len(printer.jobs) == 1


def test_a_supervisor_reprints_a_ticket_and_a_clerk_may_not(hall: Hall) -> None:
    silent_token, silent = tcp_kiosk_token(3), hall.printers[2]
    silent.set_silent()  # its status query times out while the reprint is tried
    unanswered = issue(hall, silent_token)
    token, printer = tcp_kiosk_token(1), hall.printers[0]
    before = len(printer.jobs)
    ticket = issue(hall, token)
    printer.wait_for_jobs(before + 1, timeout=WAIT_S)
    path = f"/tickets/{ticket['id']}/reprint"
    clerk = requests.post(hall.url(path), headers=bearer(sign_in(hall, CLERK)), timeout=5)
    assert clerk.status_code == 403 and clerk.json()["error"]["code"] == "forbidden"
    assert requests.post(hall.url(path), timeout=5).status_code == 401
    supervisor = sign_in(hall, SUPERVISOR)
    malformed = requests.post(
        hall.url(path),
        data="not json",
        headers={**bearer(supervisor), "Content-Type": "application/json"},
        timeout=5,
    )
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed"
    unknown = requests.post(
        hall.url("/tickets/nope/reprint"), headers=bearer(supervisor), timeout=5
    )
    assert unknown.status_code == 404

    response = requests.post(hall.url(path), headers=bearer(supervisor), timeout=5)
    assert response.status_code == 201, response.text
    reprint = response.json()
    assert (reprint["reprint"], reprint["ticket"], reprint["kiosk"]) == (
        True,
        ticket["id"],
        "kiosk-tcp-1",
    )
    jobs = printer.wait_for_jobs(before + 2, timeout=WAIT_S)
    assert [number_of(d) for d in jobs[before:]] == [ticket["number"]] * 2
    wait_until(lambda: job_state(hall, reprint["id"], supervisor) == "printed")

    listed = get(hall, f"/centres/{CENTRE}/print-jobs?limit=2", supervisor)
    assert [j["id"] for j in listed.json()] == [reprint["id"], ticket["print"]["id"]]
    assert get(hall, f"/centres/{CENTRE}/print-jobs", sign_in(hall, CLERK)).status_code == 403
    bad = get(hall, f"/centres/{CENTRE}/print-jobs?limit=lots", supervisor)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_value"
    own = get(hall, f"/centres/{CENTRE}/print-jobs?state=printed", token).json()
    assert own and {j["kiosk"] for j in own} == {"kiosk-tcp-1"}

    # A printer that never answers a status request is unknown, and gets nothing.
    unknown = wait_until(lambda: (p := printer_of(hall, silent_token))["last_error"] and p)
    assert isinstance(unknown, dict) and unknown["state"] == "unknown"
    assert "did not answer" in unknown["last_error"]
    assert job_state(hall, unanswered["print"]["id"], silent_token) == "pending"
    assert silent.jobs == []


class Agent:
    """`python -m printer.agent` as a child process."""

    def __init__(self, hall: Hall, *args: str) -> None:
        command = [sys.executable, "-m", "printer.agent", "--server", hall.server.url]
        command += ["--printer", hall.agent_printer.url, *args]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("printing for"), line or self.process.stderr.read()

    def kill(self) -> None:
        """kill -9: the agent vanishes without a word, as when the kiosk PC loses power."""
        self.process.kill()
        self.process.communicate()


def test_the_print_agent_prints_its_kiosk_jobs_and_gets_those_it_missed(hall: Hall) -> None:
    printer, token = hall.agent_printer, AGENT_KIOSK_TOKEN
    agent = Agent(hall, "--token", token)
    try:
        first = issue(hall, token)
        [data] = printer.wait_for_jobs(1, timeout=WAIT_S)
        assert number_of(data) == first["number"]
        wait_until(lambda: job_state(hall, first["print"]["id"], token) == "printed")
    finally:
        agent.kill()
    missed = [issue(hall, token) for _ in range(2)]
    assert len(printer.jobs) == 1  # the server itself never prints an agent's jobs
    assert printer_of(hall, token)["pending_jobs"] == 2

    # Back, in-process this time, with a printer-agent device's token naming its kiosk.
    again = PrintAgent(hall.server.url, PRINTER_AGENT_TOKEN, printer.url, kiosk="kiosk-agent")
    again.connect()
    running = threading.Thread(target=again.run)
    running.start()
    try:
        jobs = printer.wait_for_jobs(3, timeout=WAIT_S)
        assert [number_of(d) for d in jobs[1:]] == [t["number"] for t in missed]
        for ticket in missed:
            wait_until(lambda t=ticket: job_state(hall, t["print"]["id"], token) == "printed")
    finally:
        again.stop()
        running.join()
        again.sio.disconnect()
    assert len(printer.jobs) == 3


def test_an_agent_for_a_kiosk_the_server_prints_for_is_refused(hall: Hall) -> None:
    agent = PrintAgent(hall.server.url, tcp_kiosk_token(1), hall.agent_printer.url)
    with pytest.raises(AgentRefused, match="not_an_agent_printer"):
        agent.connect()


def test_two_server_processes_never_print_a_ticket_twice(hall: Hall, tmp_path: Path) -> None:
    token, printer = tcp_kiosk_token(4), hall.printers[3]
    second = ServerProcess(hall.database_url, tmp_path, config=hall.config)
    second.start()
    try:
        tickets = [
            issue(hall, token, base) for _ in range(4) for base in (hall.server.url, second.url)
        ]
        jobs = printer.wait_for_jobs(len(tickets), timeout=WAIT_S)
        for ticket in tickets:
            wait_until(lambda t=ticket: job_state(hall, t["print"]["id"], token) == "printed")
    finally:
        second.kill()
    assert sorted(number_of(d) for d in printer.jobs) == sorted(t["number"] for t in tickets)
    assert len(jobs) == len(printer.jobs) == len(tickets)


def test_numbers_past_a_database_integer_in_agent_events_are_refused(hall):
    agent = socketio.Client(reconnection=False)
    agent.connect(
        hall.server.url,
        namespaces=["/printer"],
        auth={"token": AGENT_KIOSK_TOKEN},
        transports=["websocket"],
    )
    try:
        for event, payload in (
            ("job_printed", {"id": 2**40}),
            ("job_failed", {"id": 2**40, "error": "jammed"}),
        ):
            answer = agent.call(event, payload, namespace="/printer", timeout=10)
            assert answer["ok"] is False and answer["error"]["code"] == "invalid_value", answer
    finally:
        agent.disconnect()


def test_a_print_agent_whose_device_is_removed_stops_and_says_why(tmp_path: Path) -> None:
    printer = FakePrinter().start()
    text = print_config([])
    agent_device = f"""
  [[centre.device]]
  kind = "printer-agent"
  name = "agent-1"
  token = "{PRINTER_AGENT_TOKEN}"
"""
    assert agent_device in text
    config, without_agent = tmp_path / "centres.toml", tmp_path / "without-agent.toml"
    config.write_text(text, encoding="utf-8")
    without_agent.write_text(text.replace(agent_device, ""), encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'q.db'}"
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    server = ServerProcess(database, tmp_path / "first", config=config)
    server.start()
    agent = PrintAgent(server.url, PRINTER_AGENT_TOKEN, printer.url, kiosk="kiosk-agent")
    running = threading.Thread(target=agent.run)
    try:
        agent.connect()
        running.start()
        # Another process starts with a configuration that no longer has the agent's device.
        second = ServerProcess(database, tmp_path / "second", config=without_agent)
        second.start()
        second.kill()
        running.join(timeout=WAIT_S)
        assert not running.is_alive(), "the agent kept running without access"
        assert agent.revoked == {"code": "bad_token", "message": "The token is not valid."}
    finally:
        agent.stop()
        if running.is_alive():
            running.join()
        agent.sio.disconnect()
        server.kill()
        printer.stop()
