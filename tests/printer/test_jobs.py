"""One attempt at a print job: status first, then the bytes; the retry delays."""

from pathlib import Path

import pytest

from printer.backends import UNKNOWN_STATUS, PrinterStatus
from printer.errors import PrinterError
from printer.jobs import LONGEST_RETRY_S, deliver, retry_delay_s
from tests.support.fake_printer import FakePrinter


def test_retries_wait_longer_each_time_up_to_a_few_seconds() -> None:
    assert [retry_delay_s(n) for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    assert retry_delay_s(500) == LONGEST_RETRY_S


def test_a_ready_network_printer_gets_the_bytes(fake_printer: FakePrinter) -> None:
    delivery = deliver(fake_printer.url, b"\x1b@ticket\n")
    assert (delivery.printed, delivery.state, delivery.error) == (True, "ok", None)
    assert delivery.status == PrinterStatus(online=True, paper="ok", cover_open=False)
    assert fake_printer.wait_for_jobs(1) == [b"\x1b@ticket\n"]


def test_a_printer_that_cannot_be_asked_prints_with_its_state_unknown(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    delivery = deliver(f"file://{device}", b"\x1b@ticket\n")
    assert (delivery.printed, delivery.state, delivery.status) == (True, "unknown", UNKNOWN_STATUS)
    assert device.read_bytes() == b"\x1b@ticket\n"


@pytest.mark.parametrize("url", ["none", "agent", "lpt://1"])
def test_a_printer_this_process_cannot_use_is_a_permanent_failure(url: str) -> None:
    delivery = deliver(url, b"x")
    assert (delivery.printed, delivery.permanent, delivery.state) == (False, True, "fault")


def test_an_unreachable_printer_is_offline(fake_printer: FakePrinter) -> None:
    fake_printer.go_down()
    delivery = deliver(fake_printer.url, b"x")
    assert (delivery.printed, delivery.permanent, delivery.status.online) == (False, False, False)
    assert "cannot be reached" in (delivery.error or "")


def test_a_failed_write_after_a_good_status_is_a_fault(fake_printer: FakePrinter) -> None:
    def broken(url: str, data: bytes) -> None:
        raise PrinterError("the cable came out", kind="io")

    delivery = deliver(fake_printer.url, b"x", write=broken)
    assert (delivery.printed, delivery.state, delivery.error) == (
        False,
        "fault",
        "the cable came out",
    )
    assert delivery.status.online is True
