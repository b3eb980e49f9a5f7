"""The test ESC/POS decoder, checked against what python-escpos itself sends."""

import contextlib

import pytest
from escpos.constants import QR_ECLEVEL_Q
from escpos.printer import Dummy
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from tests.support.escpos import Command, DecodeError, QrRow, Style, TextRow, decode


def sent(*calls: tuple[str, tuple, dict]) -> bytes:
    """The bytes python-escpos sends for a series of (method, args, kwargs) calls."""
    printer = Dummy()
    for method, args, kwargs in calls:
        getattr(printer, method)(*args, **kwargs)
    return printer.output


def test_text_lines_and_init() -> None:
    decoded = decode(b"\x1b@Hello\nKaribu\n")
    assert decoded.commands == (
        Command("init"),
        Command("text", ("Hello",)),
        Command("lf"),
        Command("text", ("Karibu",)),
        Command("lf"),
    )
    assert decoded.lines == ["Hello", "Karibu"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"align": "center"}, [Command("align", (1,))]),
        ({"align": "right"}, [Command("align", (2,))]),
        ({"bold": True}, [Command("bold", (1,))]),
        ({"underline": 2}, [Command("underline", (2,))]),
        ({"font": "b"}, [Command("font", (1,))]),
        ({"invert": True}, [Command("invert", (1,))]),
        ({"smooth": True}, [Command("smooth", (1,))]),
        ({"flip": True}, [Command("upside_down", (1,))]),
        ({"density": 8}, [Command("density", (5,))]),
        ({"custom_size": True, "width": 8, "height": 8}, [Command("size", (0x77,))]),
        (
            {"double_width": True, "double_height": True},
            [
                Command("print_mode", (0,)),
                Command("print_mode", (0,)),
                Command("print_mode", (0x30,)),
            ],
        ),
    ],
)
def test_every_set_option_of_python_escpos(kwargs: dict, expected: list[Command]) -> None:
    assert list(decode(sent(("set", (), kwargs))).commands) == expected


def test_style_of_a_row_is_the_style_when_it_started() -> None:
    data = sent(
        (
            "set",
            (),
            {"align": "center", "bold": True, "custom_size": True, "width": 3, "height": 4},
        ),
        ("text", ("big",), {}),
        ("set", (), {"bold": False}),
        ("textln", (" end",), {}),
        ("textln", ("next",), {}),
    )
    rows = decode(data).rows
    assert rows[0] == TextRow("big end", Style(align="center", bold=True, width=3, height=4))
    assert rows[1] == TextRow("next", Style(align="center", bold=False, width=3, height=4))


def test_print_mode_sets_font_bold_size_and_underline_at_once() -> None:
    (row,) = decode(b"\x1b!\xb9x\n").rows
    assert row == TextRow("x", Style(bold=True, width=2, height=2, underline=1, font=1))


def test_init_resets_the_style_and_clears_the_buffer() -> None:
    rows = decode(b"\x1bE\x01\x1d!\x11lost\x1b@kept\n").rows
    assert rows == (TextRow("kept", Style()),)


@pytest.mark.parametrize(
    ("mode", "feed", "expected"),
    [("FULL", True, (0,)), ("PART", True, (1,)), ("FULL", False, (66, 0))],
)
def test_every_cut_python_escpos_sends(mode: str, feed: bool, expected: tuple[int, ...]) -> None:
    decoded = decode(sent(("cut", (), {"mode": mode, "feed": feed})))
    assert decoded.commands[-1] == Command("cut", expected)
    assert decoded.names == (["feed", "cut"] if feed else ["cut"])


def test_other_cut_forms() -> None:
    assert decode(b"\x1dV0\x1dV1\x1dVA\x03").names == ["cut", "cut", "cut"]


def test_feed_prints_the_buffer_and_blank_lines() -> None:
    assert decode(b"one\x1bd\x03").lines == ["one", "", ""]
    assert decode(b"\x1bd\x02").lines == ["", ""]
    assert decode(b"one\x1bd\x00two\n").lines == ["one", "two"]


def test_text_left_in_the_buffer_is_printed_at_the_cut_and_at_the_end() -> None:
    assert decode(b"before cut\x1dV\x00after").lines == ["before cut", "after"]


def test_native_qr_code() -> None:
    decoded = decode(
        sent(("qr", ("https://example.ke/t/1",), {"native": True, "size": 5, "ec": QR_ECLEVEL_Q}))
    )
    assert decoded.commands == (
        Command("qr_model", (2, 0)),
        Command("qr_size", (5,)),
        Command("qr_error", (2,)),
        Command("qr_store", (b"https://example.ke/t/1",)),
        Command("qr_print"),
    )
    assert decoded.rows == (QrRow(b"https://example.ke/t/1", 5, "Q", "left"),)


def test_code_pages() -> None:
    assert decode(sent(("textln", ("caf\u00e9 \u00fc",), {}))).lines == ["caf\u00e9 \u00fc"]
    assert decode(b"\x1bt\x10\x80\n").lines == ["\u20ac"]  # code page 16 is Windows-1252
    assert decode(b"\x1bt\x00").commands == (Command("codepage", (0,)),)


def test_status_requests() -> None:
    assert decode(b"\x10\x04\x01\x10\x04\x04").commands == (
        Command("status_request", (1,)),
        Command("status_request", (4,)),
    )


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00",
        b"\x07",
        b"\r",
        b"\x7f",
        b"\x1bZ",
        b"\x1dZ",
        b"\x10\x14\x01",
        b"\x1b",
        b"\x1ba",
        b"\x1ba\x05",
        b"\x1b-\x03",
        b"\x1bM\x07",
        b"\x1d!\x88",
        b"\x1dV\x07",
        b"\x1dVA",
        b"\x1d(k\x05\x001P0",
        b"\x1d(k\x03\x000A\x00",
        b"\x1d(k\x03\x001R0",
        b"\x1d(k\x03\x001C\x00",
        b"\x1d(k\x03\x001Q0",
        b"\x1bt\x63\x80",
        b"\x1bt\x10\x81",
        sent(("image", (Image.new("1", (8, 8)),), {})),  # raster images are not in a ticket
    ],
)
def test_unknown_malformed_or_truncated_commands_raise(garbage: bytes) -> None:
    with pytest.raises(DecodeError):
        decode(garbage)


@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_ascii_text_comes_back_as_sent(text: str) -> None:
    assert decode(sent(("textln", (text,), {}))).lines == [text]


@given(st.binary(max_size=64))
def test_any_bytes_decode_or_raise_decode_error(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        decode(data)
