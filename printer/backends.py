"""Printer connections chosen by the printer URL, the python-escpos way, and status queries.

URLs: tcp://HOST:PORT (port 9100 if left out), usb://VID:PID (hexadecimal), serial:///dev/ttyS0,
file:///dev/usb/lp0, none (the kiosk has no printer) and agent (a print agent on the kiosk
prints, so this process never opens that printer: opening, sending to or querying it raises
PrinterError with kind "config"). Connections open on first use and always close; every
python-escpos, OS and socket error comes out as PrinterError. USB and serial writes block the
whole eventlet hub: run them in the print agent or in a real OS thread.
"""

from __future__ import annotations

import errno
import logging
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal
from urllib.parse import SplitResult, urlsplit

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError
from escpos.exceptions import Error as EscposError
from escpos.printer import File, Network, Serial, Usb

from printer.errors import PrinterError, PrinterErrorKind

logger = logging.getLogger(__name__)

DEFAULT_TCP_PORT = 9100
DEFAULT_TIMEOUT_S = 3.0
USB_ID = re.compile(r"([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})")
URL_FORMS = (
    "tcp://HOST:PORT, usb://VID:PID, serial:///dev/ttyS0, file:///dev/usb/lp0, agent or none"
)

# DLE EOT n asks for one status byte: 1 printer status, 2 offline cause, 4 paper roll sensor.
STATUS_REQUEST = b"\x10\x04"
STATUS_FIXED_MASK, STATUS_FIXED_BITS = 0x93, 0x12  # bits every real status byte has
OFFLINE = 0x08  # n=1
COVER_OPEN, PAPER_END_STOP = 0x04, 0x20  # n=2
PAPER_NEAR_END, PAPER_OUT = 0x0C, 0x60  # n=4

# OS errors that mean nothing is there to talk to, as opposed to a conversation that broke.
UNREACHABLE_ERRNOS = {
    errno.ECONNREFUSED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.EHOSTDOWN,
    errno.ENOENT,
    errno.ENODEV,
    errno.ENXIO,
}

Paper = Literal["ok", "near_end", "out", "unknown"]


@dataclass(frozen=True)
class TcpPrinter:
    """A network printer, usually on port 9100."""

    host: str
    port: int


@dataclass(frozen=True)
class UsbPrinter:
    """A USB printer by vendor and product id."""

    vendor_id: int
    product_id: int


@dataclass(frozen=True)
class SerialPrinter:
    """A printer on a serial port."""

    device: str


@dataclass(frozen=True)
class FilePrinter:
    """A printer behind a device file, such as /dev/usb/lp0."""

    path: str


@dataclass(frozen=True)
class NoPrinter:
    """The kiosk has no printer."""


@dataclass(frozen=True)
class AgentPrinter:
    """A print agent on the kiosk fetches the jobs and prints them on its own printer."""


DirectPrinter = TcpPrinter | UsbPrinter | SerialPrinter | FilePrinter
PrinterTarget = DirectPrinter | NoPrinter | AgentPrinter


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself; None and "unknown" mean it did not say."""

    online: bool | None
    paper: Paper
    cover_open: bool | None

    @property
    def ready(self) -> bool:
        """True only if the printer said it is online, has paper and its cover is shut."""
        return self.online is True and self.paper in ("ok", "near_end") and self.cover_open is False

    @property
    def fault(self) -> PrinterErrorKind | None:
        """The kind of fault the printer reported, or None if it reported none."""
        if self.cover_open:
            return "cover_open"
        if self.paper == "out":
            return "paper_out"
        if self.online is False:
            return "offline"
        return None


UNKNOWN_STATUS = PrinterStatus(online=None, paper="unknown", cover_open=None)


def parse_printer_url(url: str) -> PrinterTarget:
    """Parse and check a printer URL; raise PrinterError(kind="config") if it is not one."""
    text = url.strip()
    if text.lower() == "none":
        return NoPrinter()
    if text.lower() == "agent":
        return AgentPrinter()
    try:
        parts = urlsplit(text)
    except ValueError as error:
        raise _config_error(url, str(error)) from error
    if parts.query or parts.fragment or parts.username or parts.password:
        raise _config_error(url, "no user, query or fragment is allowed")
    scheme = parts.scheme.lower()
    if scheme == "tcp":
        return _tcp_target(url, parts)
    if scheme == "usb":
        return _usb_target(url, parts.netloc, parts.path)
    if scheme in ("serial", "file"):
        return _device_target(url, scheme, parts.netloc, parts.path)
    raise _config_error(url, f"expected one of {URL_FORMS}")


@contextmanager
def open_printer(url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[Escpos]:
    """Yield a python-escpos printer for the URL; it connects on first use and always closes."""
    target = _direct_target(url)
    with _printer_errors(url):
        printer = _make_printer(target, timeout_s)
        try:
            yield printer
        except BaseException:
            _close_quietly(printer, url)
            raise
        printer.close()


def send(url: str, data: bytes, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
    """Write already-rendered ESC/POS bytes to the printer the URL names."""
    with open_printer(url, timeout_s) as printer:
        printer._raw(data)


def query_status(url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> PrinterStatus:
    """Ask a network printer for its status; what it does not answer in time is unknown.

    Only tcp:// printers are asked; the other backends cannot be read here and give unknown.
    A printer that cannot be reached raises PrinterError(kind="offline").
    """
    target = _direct_target(url)
    if not isinstance(target, TcpPrinter):
        return UNKNOWN_STATUS
    deadline = time.monotonic() + timeout_s
    try:
        connection = socket.create_connection((target.host, target.port), timeout=timeout_s)
    except OSError as error:
        raise PrinterError(f"printer {url} cannot be reached: {error}", kind="offline") from error
    with _printer_errors(url), connection:
        replies = _ask_status(connection, deadline)
    return status_from_replies(*replies)


def status_from_replies(
    printer: int | None, offline_cause: int | None, paper_sensor: int | None
) -> PrinterStatus:
    """Read the answers to DLE EOT 1, 2 and 4 (None: no answer) into a PrinterStatus."""
    return PrinterStatus(
        online=None if printer is None else not printer & OFFLINE,
        paper=_paper(offline_cause, paper_sensor),
        cover_open=None if offline_cause is None else bool(offline_cause & COVER_OPEN),
    )


def _paper(offline_cause: int | None, paper_sensor: int | None) -> Paper:
    """Combine the paper end stop of the offline cause with the paper roll sensor."""
    if (offline_cause is not None and offline_cause & PAPER_END_STOP) or (
        paper_sensor is not None and paper_sensor & PAPER_OUT
    ):
        return "out"
    if paper_sensor is None:
        return "unknown"
    return "near_end" if paper_sensor & PAPER_NEAR_END else "ok"


def _ask_status(
    connection: socket.socket, deadline: float
) -> tuple[int | None, int | None, int | None]:
    """Ask DLE EOT 1, 2 and 4 in turn, stopping at the first question left unanswered."""
    replies: list[int | None] = [None, None, None]
    for index, request in enumerate((1, 2, 4)):
        reply = _ask(connection, request, deadline)
        if reply is None:
            break  # silence or garbage: later answers could not be matched to their questions
        replies[index] = reply
    return replies[0], replies[1], replies[2]


def _ask(connection: socket.socket, request: int, deadline: float) -> int | None:
    """Send one status request and return the status byte, or None if none came in time."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None
    connection.settimeout(remaining)
    try:
        connection.sendall(STATUS_REQUEST + bytes([request]))
        reply = connection.recv(1)
    except TimeoutError:
        return None
    if not reply or reply[0] & STATUS_FIXED_MASK != STATUS_FIXED_BITS:
        return None
    return reply[0]


def _tcp_target(url: str, parts: SplitResult) -> TcpPrinter:
    """Check the parts of a tcp:// URL."""
    try:
        port = parts.port
    except ValueError as error:
        raise _config_error(url, f"expected tcp://HOST:PORT ({error})") from error
    if not parts.hostname or parts.path not in ("", "/"):
        raise _config_error(url, "expected tcp://HOST:PORT")
    if port == 0:
        raise _config_error(url, "port 0 is not a printer port")
    return TcpPrinter(parts.hostname, DEFAULT_TCP_PORT if port is None else port)


def _usb_target(url: str, netloc: str, path: str) -> UsbPrinter:
    """Check the parts of a usb:// URL."""
    match = USB_ID.fullmatch(netloc)
    if not match or path:
        raise _config_error(
            url, "expected usb://VID:PID with hexadecimal ids, e.g. usb://04b8:0e15"
        )
    vendor_id, product_id = int(match[1], 16), int(match[2], 16)
    if not vendor_id or not product_id:
        raise _config_error(url, "USB vendor and product ids cannot be 0")
    return UsbPrinter(vendor_id, product_id)


def _device_target(url: str, scheme: str, netloc: str, path: str) -> SerialPrinter | FilePrinter:
    """Check the parts of a serial:// or file:// URL."""
    if netloc or not path.startswith("/") or path.endswith("/"):
        raise _config_error(
            url, f"expected {scheme}:// and an absolute device path, e.g. {scheme}:///dev/…"
        )
    return SerialPrinter(path) if scheme == "serial" else FilePrinter(path)


def _config_error(url: str, reason: str) -> PrinterError:
    """Make the error for a printer URL that is not usable."""
    return PrinterError(f"printer URL {url!r} is not usable: {reason}", kind="config")


def _direct_target(url: str) -> DirectPrinter:
    """Parse a URL that must name a printer this process can open itself."""
    target = parse_printer_url(url)
    if isinstance(target, NoPrinter):
        raise _config_error(url, "this kiosk has no printer")
    if isinstance(target, AgentPrinter):
        raise _config_error(
            url, "a print agent on the kiosk prints these tickets, not this process"
        )
    return target


def _make_printer(target: DirectPrinter, timeout_s: float) -> Escpos:
    """Make the python-escpos printer for a target, without opening it yet."""
    if isinstance(target, TcpPrinter):
        return Network(target.host, target.port, timeout=timeout_s)
    if isinstance(target, FilePrinter):
        return File(target.path)
    if isinstance(target, UsbPrinter):
        _require(Usb.is_usable(), "usb:// printers need the pyusb package and libusb")
        return Usb(target.vendor_id, target.product_id, timeout=int(timeout_s * 1000))
    _require(Serial.is_usable(), "serial:// printers need the pyserial package")
    return Serial(target.device, timeout=timeout_s)


def _require(usable: bool, reason: str) -> None:
    """Raise a config error when a backend's driver library is missing."""
    if not usable:
        raise PrinterError(reason, kind="config")


@contextmanager
def _printer_errors(url: str) -> Iterator[None]:
    """Re-raise python-escpos and OS errors as PrinterError with the kind that fits."""
    try:
        yield
    except (EscposError, OSError) as error:
        raise PrinterError(f"printer {url}: {error}", kind=_kind_of(error)) from error


def _kind_of(error: BaseException) -> PrinterErrorKind:
    """Classify a python-escpos or OS error."""
    cause = error.__context__ if isinstance(error, DeviceNotFoundError) else error
    if isinstance(cause, PermissionError):
        return "config"
    if isinstance(error, DeviceNotFoundError):
        return "offline"
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, OSError) and error.errno in UNREACHABLE_ERRNOS:
        return "offline"
    return "io"


def _close_quietly(printer: Escpos, url: str) -> None:
    """Close after a failure, keeping the first error rather than one from closing."""
    try:
        printer.close()
    except (EscposError, OSError) as error:
        logger.warning("closing printer %s after an error failed too: %s", url, error)
