"""The print agent on its own: a bad printer URL stops it; a job is never printed twice."""

import base64

import pytest
import socketio

from printer.agent import PrintAgent, main
from printer.errors import PrinterError
from queue_server.protocol import JOB_FAILED, JOB_PRINTED
from tests.support.fake_printer import FakePrinter


@pytest.mark.parametrize("url", ["none", "agent"])
def test_the_agent_needs_a_printer_of_its_own(url: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(PrinterError):
        PrintAgent("http://127.0.0.1:1", "token", url)
    assert main(["--server", "http://127.0.0.1:1", "--token", "t", "--printer", url]) == 2
    assert "is not a printer" in capsys.readouterr().err


class Server:
    """Stands in for sio.call: answers reports, or loses them while `down`."""

    def __init__(self) -> None:
        self.reports: list[tuple[str, dict]] = []
        self.down = False

    def call(self, event: str, data: dict, namespace: str, timeout: float) -> dict:
        if self.down:
            raise socketio.exceptions.TimeoutError()
        self.reports.append((event, data))
        if event == JOB_PRINTED:
            return {"ok": True, "job": {"id": data["id"], "state": "printed"}, "retry_in_s": None}
        return {"ok": True, "job": {"id": data["id"], "state": "pending"}, "retry_in_s": 0.5}


def test_a_printed_job_sent_again_is_acknowledged_not_printed(
    fake_printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = PrintAgent("http://127.0.0.1:1", "token", fake_printer.url)
    server = Server()
    monkeypatch.setattr(agent.sio, "call", server.call)
    job = {"id": 7, "data": base64.b64encode(b"\x1b@A001\n").decode()}
    agent._received(job)
    server.down = True  # printed, but the acknowledgement is lost
    agent._work_on(7)
    assert fake_printer.wait_for_jobs(1) == [b"\x1b@A001\n"]
    server.down = False
    agent._received(job)  # the server sends it again after the reconnect
    agent._work_on(7)
    assert [event for event, _ in server.reports] == [JOB_PRINTED]
    assert len(fake_printer.jobs) == 1


def test_a_failed_job_is_reported_and_tried_again(
    fake_printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = PrintAgent("http://127.0.0.1:1", "token", fake_printer.url)
    server = Server()
    monkeypatch.setattr(agent.sio, "call", server.call)
    fake_printer.set_status(paper="out")
    agent._received({"id": 3, "data": base64.b64encode(b"\x1b@A002\n").decode()})
    agent._work_on(3)
    [(event, report)] = server.reports
    assert event == JOB_FAILED and "paper_out" in report["error"]
    assert report["printer"] == {
        "state": "fault",
        "online": True,
        "paper": "out",
        "cover_open": False,
    }
    fake_printer.set_status()
    agent._work_on(3)
    assert fake_printer.wait_for_jobs(1) == [b"\x1b@A002\n"]
    assert [event for event, _ in server.reports] == [JOB_FAILED, JOB_PRINTED]
