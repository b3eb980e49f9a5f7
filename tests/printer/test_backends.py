"""Printer URLs, sending bytes and status queries, against a fake network printer."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from escpos.printer import Serial, Usb

from printer.backends import (
    UNKNOWN_STATUS,
    AgentPrinter,
    FilePrinter,
    NoPrinter,
    PrinterStatus,
    SerialPrinter,
    TcpPrinter,
    UsbPrinter,
    open_printer,
    parse_printer_url,
    query_status,
    send,
    status_from_replies,
)
from printer.errors import PrinterError
from printer.layout import TicketPrint, ticket_bytes
from tests.support.escpos import decode
from tests.support.fake_printer import FakePrinter, split_status_requests

MakeTicket = Callable[..., TicketPrint]
QUICK = 0.3  # seconds: short timeouts keep the tests fast


def test_sent_bytes_arrive_exactly(fake_printer: FakePrinter, make_ticket: MakeTicket) -> None:
    data = ticket_bytes(make_ticket())
    send(fake_printer.url, data)
    assert fake_printer.wait_for_jobs(1) == [data]
    assert fake_printer.received == data
    decoded = decode(fake_printer.jobs[0])
    assert decoded.names[0] == "init"
    assert decoded.names[-1] == "cut"
    assert "A001" in decoded.lines


def test_each_send_is_one_connection(fake_printer: FakePrinter) -> None:
    send(fake_printer.url, b"\x1b@one\n")
    send(fake_printer.url, b"\x1b@two\n")
    assert fake_printer.wait_for_jobs(2) == [b"\x1b@one\n", b"\x1b@two\n"]


def test_printer_down_is_offline_quickly_and_comes_back_on_the_same_url(
    fake_printer: FakePrinter,
) -> None:
    url = fake_printer.url
    fake_printer.go_down()
    started = time.monotonic()
    with pytest.raises(PrinterError) as raised:
        send(url, b"\x1b@lost\n")
    assert raised.value.kind == "offline"
    assert time.monotonic() - started < 1.0
    fake_printer.come_up()
    send(url, b"\x1b@back\n")
    assert fake_printer.wait_for_jobs(1) == [b"\x1b@back\n"]


def test_a_printer_that_stops_reading_times_out(fake_printer: FakePrinter) -> None:
    fake_printer.set_stalled(True)
    started = time.monotonic()
    with pytest.raises(PrinterError) as raised:
        send(fake_printer.url, bytes(8 * 1024 * 1024), timeout_s=QUICK)
    assert raised.value.kind == "timeout"
    assert time.monotonic() - started < 2.0


def test_status_of_a_printer_that_is_fine(fake_printer: FakePrinter) -> None:
    status = query_status(fake_printer.url)
    assert status == PrinterStatus(online=True, paper="ok", cover_open=False)
    assert status.ready
    assert status.fault is None
    assert fake_printer.status_requests == [1, 2, 4]
    assert fake_printer.jobs == []  # status requests are not print data


def test_silence_is_unknown_never_fine(fake_printer: FakePrinter) -> None:
    fake_printer.set_silent()
    started = time.monotonic()
    status = query_status(fake_printer.url, timeout_s=QUICK)
    assert QUICK <= time.monotonic() - started < QUICK + 1.0
    assert status == UNKNOWN_STATUS
    assert not status.ready
    assert status.fault is None


@pytest.mark.parametrize(
    ("state", "expected", "fault"),
    [
        ({"paper": "near_end"}, PrinterStatus(True, "near_end", False), None),
        ({"paper": "out", "online": False}, PrinterStatus(False, "out", False), "paper_out"),
        ({"cover_open": True, "online": False}, PrinterStatus(False, "ok", True), "cover_open"),
        ({"online": False}, PrinterStatus(False, "ok", False), "offline"),
    ],
)
def test_status_answers_are_parsed(
    fake_printer: FakePrinter, state: dict, expected: PrinterStatus, fault: str | None
) -> None:
    fake_printer.set_status(**state)
    status = query_status(fake_printer.url)
    assert status == expected
    assert status.fault == fault
    assert status.ready is (fault is None)


def test_only_the_answered_questions_are_known(fake_printer: FakePrinter) -> None:
    fake_printer.set_replies({1: b"\x12"})
    status = query_status(fake_printer.url, timeout_s=QUICK)
    assert status == PrinterStatus(online=True, paper="unknown", cover_open=None)
    assert not status.ready


def test_garbage_answers_are_unknown(fake_printer: FakePrinter) -> None:
    fake_printer.set_replies({1: b"\xff", 2: b"\x12", 4: b"\x12"})
    assert query_status(fake_printer.url, timeout_s=QUICK) == UNKNOWN_STATUS


def test_status_of_an_unreachable_printer_is_an_offline_error(fake_printer: FakePrinter) -> None:
    fake_printer.go_down()
    with pytest.raises(PrinterError) as raised:
        query_status(fake_printer.url)
    assert raised.value.kind == "offline"


def test_status_bits() -> None:
    assert status_from_replies(None, None, None) == UNKNOWN_STATUS
    assert status_from_replies(0x12, 0x32, None).paper == "out"  # paper end stopped printing
    assert status_from_replies(0x1A, 0x16, 0x12) == PrinterStatus(False, "ok", True)
    assert status_from_replies(0x12, 0x12, 0x1E).paper == "near_end"
    assert status_from_replies(0x12, 0x12, 0x72).paper == "out"


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("tcp://192.168.1.50:9100", TcpPrinter("192.168.1.50", 9100)),
        ("tcp://printer-1.local", TcpPrinter("printer-1.local", 9100)),
        ("TCP://[::1]:9101", TcpPrinter("::1", 9101)),
        ("usb://04b8:0e15", UsbPrinter(0x04B8, 0x0E15)),
        ("usb://0416:5011", UsbPrinter(0x0416, 0x5011)),
        ("serial:///dev/ttyS0", SerialPrinter("/dev/ttyS0")),
        ("file:///dev/usb/lp0", FilePrinter("/dev/usb/lp0")),
        (" none ", NoPrinter()),
        ("Agent", AgentPrinter()),
    ],
)
def test_printer_urls(url: str, target: object) -> None:
    assert parse_printer_url(url) == target


@pytest.mark.parametrize(
    "url",
    [
        "",
        "lp0",
        "printer",
        "http://10.0.0.5:9100",
        "tcp://",
        "tcp://:9100",
        "tcp://10.0.0.5:99999",
        "tcp://10.0.0.5:port",
        "tcp://10.0.0.5:0",
        "tcp://10.0.0.5:9100/queue",
        "tcp://10.0.0.5:9100?timeout=3",
        "tcp://admin:secret@10.0.0.5:9100",
        "usb://04b8",
        "usb://04b8:0e15:1",
        "usb://zzzz:0e15",
        "usb://0000:0e15",
        "usb://04b8:0e15/1",
        "serial://dev/ttyS0",
        "serial:///",
        "file://",
        "file://lp0",
        "file:///dev/usb/",
    ],
)
def test_bad_printer_urls_are_config_errors(url: str) -> None:
    with pytest.raises(PrinterError) as raised:
        parse_printer_url(url)
    assert raised.value.kind == "config"
    assert repr(url) in str(raised.value)


@pytest.mark.parametrize(("url", "reason"), [("none", "no printer"), ("agent", "print agent")])
def test_none_and_agent_are_not_opened_here(url: str, reason: str) -> None:
    for attempt in (lambda: send(url, b"x"), lambda: query_status(url)):
        with pytest.raises(PrinterError, match=reason) as raised:
            attempt()
        assert raised.value.kind == "config"


def test_bad_urls_are_refused_before_any_io() -> None:
    with pytest.raises(PrinterError) as raised:
        send("tcp://10.0.0.5:9100/queue", b"x")
    assert raised.value.kind == "config"


def test_file_printer(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    send(f"file://{device}", b"\x1b@hello\n")
    assert device.read_bytes() == b"\x1b@hello\n"
    assert query_status(f"file://{device}") == UNKNOWN_STATUS  # a file cannot answer


def test_missing_device_file_is_offline(tmp_path: Path) -> None:
    with pytest.raises(PrinterError) as raised:
        send(f"file://{tmp_path}/absent/lp0", b"x")
    assert raised.value.kind == "offline"


@pytest.mark.parametrize(
    ("url", "driver", "package"),
    [("usb://04b8:0e15", Usb, "pyusb"), ("serial:///dev/ttyS0", Serial, "pyserial")],
)
def test_missing_driver_library_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, url: str, driver: type, package: str
) -> None:
    monkeypatch.setattr(driver, "is_usable", staticmethod(lambda: False))
    with pytest.raises(PrinterError, match=package) as raised:
        send(url, b"x")
    assert raised.value.kind == "config"


def test_open_printer_connects_on_first_use(fake_printer: FakePrinter) -> None:
    fake_printer.go_down()
    with open_printer(fake_printer.url):
        pass  # nothing was written, so nothing was opened and nothing failed


def test_open_printer_closes_after_use_and_after_an_error(tmp_path: Path) -> None:
    url = f"file://{tmp_path / 'lp0'}"
    with open_printer(url) as printer:
        printer.textln("ok")
    assert printer._device is False
    with pytest.raises(KeyError), open_printer(url) as failing:
        failing.textln("half")
        raise KeyError("not a printer error, so it passes through unchanged")
    assert failing._device is False


def test_fake_printer_splits_status_requests_from_print_data() -> None:
    assert split_status_requests(b"ab\x10\x04\x01cd") == (b"abcd", [1], b"")
    assert split_status_requests(b"ab\x10\x04") == (b"ab", [], b"\x10\x04")
    assert split_status_requests(b"ab\x10") == (b"ab", [], b"\x10")
    assert split_status_requests(b"\x10\x04\x10") == (b"", [16], b"")
