"""The ticket layout, checked byte for byte on python-escpos' Dummy printer.

The golden files in tests/printer/golden/ hold the exact bytes of two fixed tickets. After an
intended layout change, regenerate them with

    PYTHONPATH=. .venv/bin/python tests/printer/test_layout.py

then read the new tickets (e.g. print decode(...).lines, or make a preview with
printer.preview.preview_png) before committing the changed files.
"""

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from escpos.printer import Dummy
from hypothesis import given
from hypothesis import strategies as st

from printer.layout import COLUMNS, TicketPrint, ascii_text, render, ticket_bytes
from tests.support.escpos import Command, QrRow, TextRow, decode

MakeTicket = Callable[..., TicketPrint]

GOLDEN = Path(__file__).parent / "golden"
NAIROBI = ZoneInfo("Africa/Nairobi")
# Fixed here, apart from the shared builder, so the golden bytes never move with its defaults.
GOLDEN_TICKETS = {
    80: TicketPrint(
        centre_name="Huduma Centre Murang\u2019a",
        service_name={"en": "Birth certificate", "sw": "Cheti cha kuzaliwa"},
        language="en",
        number="B042",
        priority="elderly",
        issued_at_local=datetime(2026, 11, 23, 9, 14, tzinfo=NAIROBI),
        ahead=3,
        estimated_wait_s=720,
        track_url="https://queue.example.ke/track/q7Hk2mZ9xPa4",
        paper_width_mm=80,
    ),
    58: TicketPrint(
        centre_name="Huduma Centre GPO Nairobi",
        service_name={"en": "KRA PIN registration", "sw": "Usajili wa PIN ya KRA"},
        language="sw",
        number="C107",
        priority="none",
        issued_at_local=datetime(2026, 2, 5, 16, 3, tzinfo=NAIROBI),
        ahead=0,
        estimated_wait_s=None,
        track_url="https://queue.example.ke/track/Zx81bQr3LmN0",
        paper_width_mm=58,
    ),
}
# A checked-in appointment's ticket, its own golden file.
APPOINTMENT_TICKET = TicketPrint(
    centre_name="Huduma Centre Mombasa",
    service_name={"en": "National ID card", "sw": "Kitambulisho cha Taifa"},
    language="sw",
    number="A017",
    priority="none",
    issued_at_local=datetime(2026, 11, 23, 9, 52, tzinfo=NAIROBI),
    ahead=1,
    estimated_wait_s=300,
    track_url="https://queue.example.ke/track/Ap7Kx2mQ9zR4",
    paper_width_mm=80,
    appointment="7K3M-Q9ZR",
)
APPOINTMENT_GOLDEN = GOLDEN / "ticket_appointment_80mm.bin"
# A ticket of a sponsored outreach site (Huduma Mashinani), its own golden file.
SPONSORED_TICKET = TicketPrint(
    centre_name="Huduma Mashinani Kibarani",
    service_name={"en": "Birth certificate", "sw": "Cheti cha kuzaliwa"},
    language="en",
    number="B004",
    priority="none",
    issued_at_local=datetime(2026, 12, 13, 10, 5, tzinfo=NAIROBI),
    ahead=3,
    estimated_wait_s=720,
    track_url="https://kibarani.example.ke/track/Sp0n5oRed4Kb",
    paper_width_mm=58,
    sponsor="Mombasa Cement",
    fee_kes=50,
)
SPONSORED_GOLDEN = GOLDEN / "ticket_sponsored_58mm.bin"
PRIORITY_KINDS = {
    "elderly": "Older person / Mzee",
    "disability": "Person with disability / Mtu mwenye ulemavu",
    "expectant": "Expectant mother / Mama mjamzito",
}


def golden_path(width: int) -> Path:
    """The golden file of the ticket for a paper width."""
    return GOLDEN / f"ticket_{width}mm.bin"


def text_rows(data: bytes) -> list[TextRow]:
    """The text rows the bytes print."""
    return [row for row in decode(data).rows if isinstance(row, TextRow)]


@pytest.mark.parametrize("width", [80, 58])
def test_golden_ticket_bytes(width: int) -> None:
    expected = golden_path(width).read_bytes()
    actual = ticket_bytes(GOLDEN_TICKETS[width])
    assert decode(actual).commands == decode(expected).commands  # a readable diff first
    assert actual == expected


def test_golden_appointment_ticket_bytes() -> None:
    expected = APPOINTMENT_GOLDEN.read_bytes()
    actual = ticket_bytes(APPOINTMENT_TICKET)
    assert decode(actual).commands == decode(expected).commands
    assert actual == expected


def test_golden_sponsored_ticket_bytes() -> None:
    expected = SPONSORED_GOLDEN.read_bytes()
    actual = ticket_bytes(SPONSORED_TICKET)
    assert decode(actual).commands == decode(expected).commands
    assert actual == expected


def test_a_sponsored_ticket_names_the_sponsor_in_both_languages(make_ticket: MakeTicket) -> None:
    english = " ".join(r.text for r in text_rows(ticket_bytes(SPONSORED_TICKET)))  # 58 mm wraps
    assert "Fee KES 50 paid by Mombasa Cement Ada KES 50 imelipwa na Mombasa Cement" in english
    swahili = make_ticket(language="sw", sponsor="Mombasa Cement", fee_kes=0)
    rows = [r.text for r in text_rows(ticket_bytes(swahili))]
    assert rows[rows.index("Ada zinalipwa na Mombasa Cement") + 1] == "Fees paid by Mombasa Cement"
    assert not any("paid by" in r.text for r in text_rows(ticket_bytes(make_ticket())))


def test_an_appointment_ticket_says_so_with_its_ref(make_ticket: MakeTicket) -> None:
    rows = text_rows(ticket_bytes(make_ticket(appointment="7K3M-Q9ZR")))
    mark = next(row for row in rows if row.text == " APPOINTMENT / MIADI ")
    assert mark.style.invert and mark.style.bold
    assert "Ref 7K3M-Q9ZR" in [row.text for row in rows]
    walk_in = text_rows(ticket_bytes(make_ticket()))
    assert not any("APPOINTMENT" in row.text for row in walk_in)


def test_starts_with_initialisation_and_ends_with_the_cut(make_ticket: MakeTicket) -> None:
    data = ticket_bytes(make_ticket())
    assert data.startswith(b"\x1b@")
    assert data.endswith(b"\x1bd\x06\x1dV\x00")
    assert decode(data).commands[-2:] == (Command("feed", (6,)), Command("cut", (0,)))


def test_render_sends_to_any_escpos_printer(make_ticket: MakeTicket) -> None:
    printer = Dummy()
    render(make_ticket(), printer)
    assert printer.output == ticket_bytes(make_ticket())


@pytest.mark.parametrize(("width", "size"), [(80, 8), (58, 6)])
def test_the_number_is_very_large(make_ticket: MakeTicket, width: int, size: int) -> None:
    rows = text_rows(ticket_bytes(make_ticket(paper_width_mm=width)))
    number = next(row for row in rows if row.text == "A001")
    assert (number.style.width, number.style.height, number.style.bold) == (size, size, True)
    assert number.style.align == "center"


def test_a_long_number_shrinks_to_fit_the_line(make_ticket: MakeTicket) -> None:
    rows = text_rows(ticket_bytes(make_ticket(number="AB1234", paper_width_mm=58)))
    number = next(row for row in rows if row.text == "AB1234")
    assert number.style.width == 5


def test_centre_and_service_in_both_languages(make_ticket: MakeTicket) -> None:
    rows = text_rows(ticket_bytes(make_ticket()))
    by_text = {row.text: row.style for row in rows}
    assert by_text["Huduma Centre Mombasa"].bold
    assert by_text["National ID card"].height == 2
    assert by_text["Kitambulisho cha Taifa"].height == 1


def test_details_in_both_languages(make_ticket: MakeTicket) -> None:
    lines = decode(ticket_bytes(make_ticket())).lines
    assert "23 Nov 2026 09:14" in lines
    assert "People ahead: 3 / Watu mbele yako: 3" in lines
    assert "Estimated wait: about 12 min" in lines
    assert "Muda wa kusubiri: takriban dakika 12" in lines
    assert "Please wait for your number to be called" in lines
    assert "Tafadhali subiri namba yako iitwe" in lines


def test_a_kiswahili_ticket_puts_kiswahili_first(make_ticket: MakeTicket) -> None:
    rows = text_rows(ticket_bytes(make_ticket(language="sw", priority="expectant")))
    lines = [row.text for row in rows]
    assert lines.index("Kitambulisho cha Taifa") < lines.index("National ID card")
    assert next(row for row in rows if row.text == "Kitambulisho cha Taifa").style.height == 2
    assert "Watu mbele yako: 3 / People ahead: 3" in lines
    assert " KIPAUMBELE / PRIORITY " in lines
    assert "Mama mjamzito / Expectant mother" in lines


@pytest.mark.parametrize(
    ("seconds", "english", "swahili"),
    [
        (None, "Estimated wait: not known", "Muda wa kusubiri: haujulikani"),
        (0, "Estimated wait: under 1 min", "Muda wa kusubiri: chini ya dakika 1"),
        (29, "Estimated wait: under 1 min", "Muda wa kusubiri: chini ya dakika 1"),
        (90, "Estimated wait: about 2 min", "Muda wa kusubiri: takriban dakika 2"),
        (5400, "Estimated wait: about 1 h 30 min", "Muda wa kusubiri: takriban saa 1 dakika 30"),
        (7200, "Estimated wait: about 2 h", "Muda wa kusubiri: takriban saa 2"),
    ],
)
def test_estimated_wait(
    make_ticket: MakeTicket, seconds: int | None, english: str, swahili: str
) -> None:
    lines = decode(ticket_bytes(make_ticket(estimated_wait_s=seconds))).lines
    assert english in lines
    assert swahili in lines


def test_qr_code_of_the_track_url_in_native_commands(make_ticket: MakeTicket) -> None:
    ticket = make_ticket()
    data = ticket_bytes(ticket)
    url = ticket.track_url.encode()
    store = b"\x1d(k" + bytes([len(url) + 3, 0]) + b"1P0" + url
    assert store in data
    assert b"\x1d(k\x03\x001Q0" in data
    decoded = decode(data)
    assert decoded.qr_codes == [url]
    assert [row for row in decoded.rows if isinstance(row, QrRow)][0].module_dots == 6
    assert decoded.names.index("qr_store") < decoded.names.index("qr_print")


@pytest.mark.parametrize("priority", sorted(PRIORITY_KINDS))
def test_priority_mark_when_priority(make_ticket: MakeTicket, priority: str) -> None:
    rows = text_rows(ticket_bytes(make_ticket(priority=priority)))
    mark = next(row for row in rows if row.text == " PRIORITY / KIPAUMBELE ")
    assert mark.style.invert and mark.style.bold
    assert PRIORITY_KINDS[priority] in [row.text for row in rows]


def test_no_priority_mark_without_priority(make_ticket: MakeTicket) -> None:
    rows = text_rows(ticket_bytes(make_ticket(priority="none")))
    assert not any("PRIORITY" in row.text or "KIPAUMBELE" in row.text for row in rows)
    assert not any(row.style.invert for row in rows)


def test_non_ascii_text_is_transliterated(make_ticket: MakeTicket) -> None:
    ticket = make_ticket(
        centre_name="Huduma Centre Murang\u2019a \u2013 Caf\u00e9 \u4e2d",
        service_name={"en": "Stra\u00dfe \u201cpermit\u201d", "sw": "Kibali cha \u00e9l\u00e8ve"},
    )
    data = ticket_bytes(ticket)
    decoded = decode(data)
    assert "Huduma Centre Murang'a - Cafe ?" in decoded.lines
    assert 'Strasse "permit"' in decoded.lines
    assert "Kibali cha eleve" in decoded.lines
    assert decoded.names.count("codepage") == 1
    assert all(line.isascii() for line in decoded.lines)


def test_control_characters_in_names_cannot_inject_commands(make_ticket: MakeTicket) -> None:
    data = ticket_bytes(make_ticket(centre_name="Evil\x1b@\x1dV\x00\nname"))
    decoded = decode(data)
    assert decoded.names.count("init") == 1
    assert decoded.names.count("cut") == 1
    assert "Evil @ V  name" in decoded.lines


def test_ascii_text() -> None:
    assert ascii_text("Nyeri \u2014 Kenya\u2026\ttab") == "Nyeri - Kenya... tab"


@pytest.mark.parametrize(
    "change",
    [
        {"language": "fr"},
        {"priority": "vip"},
        {"paper_width_mm": 76},
        {"service_name": {"en": "ID"}},
        {"number": ""},
        {"ahead": -1},
        {"estimated_wait_s": -5},
    ],
)
def test_values_the_layout_cannot_print_are_refused(make_ticket: MakeTicket, change: dict) -> None:
    with pytest.raises(ValueError):
        make_ticket(**change)


@given(
    centre=st.text(max_size=120),
    english=st.text(max_size=80),
    swahili=st.text(max_size=80),
    number=st.from_regex(r"[A-Z]{1,3}[0-9]{3,5}", fullmatch=True),
    width=st.sampled_from([80, 58]),
    language=st.sampled_from(["en", "sw"]),
    priority=st.sampled_from(["none", "elderly", "disability", "expectant"]),
    ahead=st.integers(0, 5000),
    wait=st.none() | st.integers(0, 48 * 3600),
)
def test_any_ticket_decodes_and_fits_the_paper(
    make_ticket: MakeTicket,
    centre: str,
    english: str,
    swahili: str,
    number: str,
    width: int,
    language: str,
    priority: str,
    ahead: int,
    wait: int | None,
) -> None:
    ticket = make_ticket(
        centre_name=centre,
        service_name={"en": english, "sw": swahili},
        number=number,
        paper_width_mm=width,
        language=language,
        priority=priority,
        ahead=ahead,
        estimated_wait_s=wait,
    )
    decoded = decode(ticket_bytes(ticket))
    assert decoded.names[0] == "init"
    assert decoded.names[-1] == "cut"
    for row in decoded.rows:
        if isinstance(row, TextRow):
            assert row.text.isascii()
            assert len(row.text) * row.style.width <= COLUMNS[width]
    assert number in decoded.lines


if __name__ == "__main__":
    for paper_width, golden_ticket in GOLDEN_TICKETS.items():
        golden_path(paper_width).write_bytes(ticket_bytes(golden_ticket))
        print(f"wrote {golden_path(paper_width)}")
    APPOINTMENT_GOLDEN.write_bytes(ticket_bytes(APPOINTMENT_TICKET))
    print(f"wrote {APPOINTMENT_GOLDEN}")
    SPONSORED_GOLDEN.write_bytes(ticket_bytes(SPONSORED_TICKET))
    print(f"wrote {SPONSORED_GOLDEN}")
