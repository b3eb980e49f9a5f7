"""The printed ticket: a TicketPrint turned into python-escpos calls, pure and printer-free."""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos
from escpos.printer import Dummy

Language = Literal["en", "sw"]
Priority = Literal["none", "elderly", "disability", "expectant"]
PaperWidth = Literal[80, 58]

COLUMNS: dict[int, int] = {80: 48, 58: 32}  # Font A characters on a line
NUMBER_SIZE: dict[int, int] = {80: 8, 58: 6}  # largest character multiplier for the number
QR_MODULE_DOTS: dict[int, int] = {80: 6, 58: 5}

PRIORITY_KIND: dict[str, tuple[str, str]] = {
    "elderly": ("Older person", "Mzee"),
    "disability": ("Person with disability", "Mtu mwenye ulemavu"),
    "expectant": ("Expectant mother", "Mama mjamzito"),
}
PRIORITY_MARK = ("PRIORITY", "KIPAUMBELE")
APPOINTMENT_MARK = ("APPOINTMENT", "MIADI")
TRACK_HINT = ("Follow your ticket on your phone", "Fuatilia tiketi yako kwa simu")
PLEASE_WAIT = ("Please wait for your number to be called", "Tafadhali subiri namba yako iitwe")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Characters NFKD does not take apart but that have a plain ASCII spelling.
_ASCII_SPELLING = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00df": "ss",
        "\u00c6": "AE",
        "\u00e6": "ae",
        "\u00d8": "O",
        "\u00f8": "o",
        "\u0152": "OE",
        "\u0153": "oe",
        "\u0141": "L",
        "\u0142": "l",
        "\u0110": "D",
        "\u0111": "d",
    }
)


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one ticket; issued_at_local is printed as given (centre time)."""

    centre_name: str
    service_name: dict[str, str]
    language: Language
    number: str
    priority: Priority
    issued_at_local: datetime
    ahead: int
    estimated_wait_s: int | None
    track_url: str
    paper_width_mm: PaperWidth
    appointment: str | None = None  # the booking's ref, for a checked-in appointment
    sponsor: str | None = None  # at a sponsored outreach site: who pays the fee
    fee_kes: int = 0

    def __post_init__(self) -> None:
        """Refuse values the layout cannot print sensibly."""
        if self.language not in ("en", "sw"):
            raise ValueError(f"language must be 'en' or 'sw', not {self.language!r}")
        if self.priority != "none" and self.priority not in PRIORITY_KIND:
            raise ValueError(f"unknown priority {self.priority!r}")
        if self.paper_width_mm not in COLUMNS:
            raise ValueError(f"paper width must be 80 or 58 mm, not {self.paper_width_mm!r}")
        if set(self.service_name) != {"en", "sw"}:
            raise ValueError("service_name needs exactly the keys 'en' and 'sw'")
        if not self.number or not self.track_url:
            raise ValueError("a ticket needs a number and a track URL")
        if self.ahead < 0 or (self.estimated_wait_s is not None and self.estimated_wait_s < 0):
            raise ValueError("people ahead and estimated wait cannot be negative")


def render(ticket: TicketPrint, printer: Escpos) -> None:
    """Send the whole ticket to a python-escpos printer, from initialisation to the cut."""
    columns = COLUMNS[ticket.paper_width_mm]
    printer.hw("INIT")
    printer.charcode("CP437")  # every text below is plain ASCII, which code page 437 prints as is
    printer.set(align="center")
    _print(printer, _wrap(ticket.centre_name, columns), bold=True)
    _print(printer, ["-" * columns])
    _service(printer, ticket, columns)
    _number(printer, ticket, columns)
    if ticket.priority != "none":
        _priority(printer, ticket, columns)
    if ticket.appointment:
        _appointment(printer, ticket, columns)
    if ticket.sponsor:
        _print(printer, _bilingual(ticket, sponsor_texts(ticket.sponsor, ticket.fee_kes), columns))
    _print(printer, [format_local_time(ticket.issued_at_local)])
    _print(printer, ["-" * columns])
    _print(printer, _bilingual(ticket, _ahead_texts(ticket.ahead), columns))
    _print(printer, _bilingual(ticket, _wait_texts(ticket.estimated_wait_s), columns))
    _print(printer, [""])
    printer.qr(
        ticket.track_url, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS[ticket.paper_width_mm], native=True
    )
    _print(printer, _bilingual(ticket, TRACK_HINT, columns))
    _print(printer, [""])
    _print(printer, _bilingual(ticket, PLEASE_WAIT, columns))
    printer.cut()


def ticket_bytes(ticket: TicketPrint) -> bytes:
    """Render the ticket once, to the exact ESC/POS bytes any printer backend can send."""
    dummy = Dummy()
    render(ticket, dummy)
    output: bytes = dummy.output
    return output


def ascii_text(text: str) -> str:
    """Spell text in printable ASCII: accents dropped, controls made spaces, the rest '?'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_SPELLING))
    kept = (char for char in decomposed if not unicodedata.combining(char))
    return "".join(_ascii_char(char) for char in kept)


def format_local_time(moment: datetime) -> str:
    """Write a local time as '23 Nov 2026 09:14', the same in both languages."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year} {moment:%H:%M}"


def _ascii_char(char: str) -> str:
    """Map one character to printable ASCII."""
    if " " <= char <= "~":
        return char
    return " " if unicodedata.category(char).startswith(("C", "Z")) else "?"


def _print(
    printer: Escpos,
    lines: list[str],
    *,
    bold: bool = False,
    width: int = 1,
    height: int = 1,
    invert: bool = False,
) -> None:
    """Print lines with a complete text style, so no block depends on the one before."""
    printer.set(bold=bold, custom_size=True, width=width, height=height, invert=invert)
    for line in lines:
        printer.textln(line)


def _wrap(text: str, columns: int) -> list[str]:
    """Wrap ASCII-spelled text to the given number of columns."""
    return textwrap.wrap(ascii_text(text), columns) or [""]


def _bilingual(ticket: TicketPrint, texts: tuple[str, str], columns: int) -> list[str]:
    """Both languages, the ticket's first: on one line with ' / ' if it fits, else wrapped."""
    english, swahili = texts
    first, second = (english, swahili) if ticket.language == "en" else (swahili, english)
    joined = f"{first} / {second}"
    if len(ascii_text(joined)) <= columns:
        return [ascii_text(joined)]
    return _wrap(first, columns) + _wrap(second, columns)


def _service(printer: Escpos, ticket: TicketPrint, columns: int) -> None:
    """Print the service in the ticket's language, tall, and in the other language below, small."""
    other = "sw" if ticket.language == "en" else "en"
    _print(printer, _wrap(ticket.service_name[ticket.language], columns), bold=True, height=2)
    _print(printer, _wrap(ticket.service_name[other], columns))


def _number(printer: Escpos, ticket: TicketPrint, columns: int) -> None:
    """Print the ticket number as large as the paper allows."""
    number = ascii_text(ticket.number)
    size = max(1, min(NUMBER_SIZE[ticket.paper_width_mm], columns // len(number)))
    _print(printer, _wrap(number, columns // size), bold=True, width=size, height=size)


def _priority(printer: Escpos, ticket: TicketPrint, columns: int) -> None:
    """Print the priority mark, white on black, and the kind of priority, in both languages."""
    mark = _bilingual(ticket, PRIORITY_MARK, columns - 2)
    _print(printer, [f" {line} " for line in mark], bold=True, height=2, invert=True)
    _print(printer, _bilingual(ticket, PRIORITY_KIND[ticket.priority], columns), bold=True)


def _appointment(printer: Escpos, ticket: TicketPrint, columns: int) -> None:
    """Print the appointment mark, white on black, in both languages, and the booking's ref."""
    mark = _bilingual(ticket, APPOINTMENT_MARK, columns - 2)
    _print(printer, [f" {line} " for line in mark], bold=True, height=2, invert=True)
    _print(printer, _wrap(f"Ref {ticket.appointment}", columns), bold=True)


def sponsor_texts(sponsor: str, fee_kes: int) -> tuple[str, str]:
    """Say that the sponsor pays the fee, in English and Kiswahili."""
    if fee_kes:
        return f"Fee KES {fee_kes} paid by {sponsor}", f"Ada KES {fee_kes} imelipwa na {sponsor}"
    return f"Fees paid by {sponsor}", f"Ada zinalipwa na {sponsor}"


def _ahead_texts(ahead: int) -> tuple[str, str]:
    """Say how many people are ahead, in English and Kiswahili."""
    return f"People ahead: {ahead}", f"Watu mbele yako: {ahead}"


def _wait_texts(seconds: int | None) -> tuple[str, str]:
    """Say the estimated wait, rounded to minutes, in English and Kiswahili."""
    if seconds is None:
        return "Estimated wait: not known", "Muda wa kusubiri: haujulikani"
    minutes = (seconds + 30) // 60
    if minutes < 1:
        return "Estimated wait: under 1 min", "Muda wa kusubiri: chini ya dakika 1"
    english, swahili = _duration_texts(minutes)
    return f"Estimated wait: about {english}", f"Muda wa kusubiri: takriban {swahili}"


def _duration_texts(minutes: int) -> tuple[str, str]:
    """Write a number of minutes as hours and minutes, in English and Kiswahili."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min", f"dakika {rest}"
    if not rest:
        return f"{hours} h", f"saa {hours}"
    return f"{hours} h {rest} min", f"saa {hours} dakika {rest}"
