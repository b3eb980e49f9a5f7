"""The PNG preview, drawn from the same bytes the printer gets."""

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from printer.layout import TicketPrint
from printer.preview import MARGIN, PRINTABLE_DOTS, main, preview_image, preview_png

MakeTicket = Callable[..., TicketPrint]


@pytest.mark.parametrize("width", [80, 58])
def test_preview_png_is_a_picture_of_a_ticket(
    make_ticket: MakeTicket, tmp_path: Path, width: int
) -> None:
    path = tmp_path / "ticket.png"
    preview_png(make_ticket(paper_width_mm=width), path)
    with Image.open(path) as picture:
        assert picture.format == "PNG"
        assert picture.width == PRINTABLE_DOTS[width] + 2 * MARGIN
        assert 800 <= picture.height <= 2500
        assert picture.convert("L").getextrema() == (0, 255)


def test_preview_follows_the_layout(make_ticket: MakeTicket) -> None:
    plain = preview_image(make_ticket(priority="none"))
    priority = preview_image(make_ticket(priority="elderly"))
    assert priority.height > plain.height  # the priority mark and its kind take rows


def test_the_preview_command_draws_a_sample_ticket(tmp_path: Path) -> None:
    out = tmp_path / "docs" / "ticket.png"
    assert main(["--out", str(out), "--width", "58", "--language", "sw"]) == 0
    with Image.open(out) as picture:
        assert picture.width == PRINTABLE_DOTS[58] + 2 * MARGIN
