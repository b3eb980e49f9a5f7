"""One attempt at a print job: ask the printer's status, send only if it may print, and say how
it went; plus the retry policy that the server and the print agent share.

A network printer must answer DLE EOT before it gets a ticket: one that accepts bytes without
reading them would make every send "succeed" (docs/ARCHITECTURE.md), so silence keeps the job
waiting and the status unknown. USB, serial and file printers cannot be asked here; for them a
write that went through is all there is to know.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from printer.backends import (
    UNKNOWN_STATUS,
    PrinterStatus,
    TcpPrinter,
    parse_printer_url,
    query_status,
    send,
)
from printer.errors import PrinterError

STATUS_TIMEOUT_S = 3.0
FIRST_RETRY_S = 1.0
LONGEST_RETRY_S = 10.0  # a printer that comes back gets its waiting tickets within seconds
MAX_ATTEMPTS = 60  # about ten minutes of retrying: a citizen has given up on the ticket by then

PrinterState = Literal["ok", "fault", "unknown"]
Write = Callable[[str, bytes], None]


@dataclass(frozen=True)
class Delivery:
    """How one attempt went: printed or not, what the printer said, and why it did not print."""

    printed: bool
    status: PrinterStatus
    state: PrinterState
    error: str | None = None
    permanent: bool = False  # the printer cannot be used as configured; retrying will not help


def deliver(
    url: str,
    data: bytes,
    *,
    status_required: bool = True,
    timeout_s: float = STATUS_TIMEOUT_S,
    write: Write = send,
    before_write: Callable[[], None] = lambda: None,
) -> Delivery:
    """Check the printer's status, then write `data` with `write` if the printer may print.

    A network printer that never answers the status request gets the job only when its status
    is not required (`printer_status = "optional"`); its state then stays unknown.
    """
    try:
        target = parse_printer_url(url)
        status = query_status(url, timeout_s)
    except PrinterError as error:
        return failed(error)
    if status.fault is not None:
        return Delivery(False, status, "fault", f"the printer reports {status.fault}")
    if isinstance(target, TcpPrinter) and not status.ready and status_required:
        return Delivery(False, status, "unknown", "the printer did not answer the status request")
    before_write()  # the caller records that the bytes are about to go
    try:
        write(url, data)
    except PrinterError as error:
        return failed(error, status)
    return Delivery(True, status, "ok" if status.ready else "unknown")


def failed(error: PrinterError, status: PrinterStatus = UNKNOWN_STATUS) -> Delivery:
    """The Delivery of an attempt that raised `error`."""
    if error.kind == "offline":
        status = PrinterStatus(online=False, paper=status.paper, cover_open=status.cover_open)
    return Delivery(False, status, "fault", str(error), permanent=error.kind == "config")


def retry_delay_s(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: 1, 2, 4, 8, then 10 each."""
    return float(min(LONGEST_RETRY_S, FIRST_RETRY_S * 2 ** max(attempts - 1, 0)))
