"""A PNG picture of a ticket, drawn from the very bytes the printer gets (decoded, not re-laid)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont

from printer.escpos_decode import QrRow, Row, TextRow, decode
from printer.layout import TicketPrint, ticket_bytes

PRINTABLE_DOTS: dict[int, int] = {80: 576, 58: 384}  # printable width at 203 dpi
CHAR_WIDTH, CHAR_HEIGHT = 12, 24  # Font A cell, in dots
LINE_GAP = 6  # the default line spacing of 30 dots leaves this much between lines
MARGIN = 16
FONT_SIZE = 20  # DejaVu Sans Mono at 20 px is 12 px wide, as wide as a Font A cell
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
QR_ERROR = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def preview_png(ticket: TicketPrint, path: str | os.PathLike[str]) -> None:
    """Write a PNG picture of the ticket as the printer would print it."""
    preview_image(ticket).save(path, format="PNG")


def preview_image(ticket: TicketPrint) -> Image.Image:
    """Draw the ticket's decoded ESC/POS rows on a strip of white paper."""
    width = PRINTABLE_DOTS[ticket.paper_width_mm]
    strips = [_strip(row, width) for row in decode(ticket_bytes(ticket)).rows]
    height = sum(strip.height + LINE_GAP for strip in strips)
    paper = Image.new("L", (width + 2 * MARGIN, height + 2 * MARGIN), 255)
    top = MARGIN
    for strip in strips:
        paper.paste(strip, (MARGIN, top))
        top += strip.height + LINE_GAP
    return paper


def _strip(row: Row, width: int) -> Image.Image:
    """Draw one row across the printable width, placed as its alignment says."""
    picture = _qr_picture(row) if isinstance(row, QrRow) else _text_picture(row)
    strip = Image.new("L", (width, picture.height), 255)
    align = row.align if isinstance(row, QrRow) else row.style.align
    left = {"left": 0, "center": (width - picture.width) // 2, "right": width - picture.width}
    strip.paste(picture, (max(left[align], 0), 0))
    return strip


def _text_picture(row: TextRow) -> Image.Image:
    """Draw a text row in Font A cells, scaled by the row's character size."""
    style = row.style
    scale = max(style.width, style.height)
    cell_width, cell_height = CHAR_WIDTH * scale, CHAR_HEIGHT * scale
    ink, background = (255, 0) if style.invert else (0, 255)
    picture = Image.new("L", (max(cell_width * len(row.text), 1), cell_height), background)
    draw = ImageDraw.Draw(picture)
    font = _font(style.bold, FONT_SIZE * scale)
    for index, char in enumerate(row.text):
        draw.text((index * cell_width, cell_height // 2), char, fill=ink, font=font, anchor="lm")
    if style.underline:
        draw.line(
            (0, cell_height - 2, picture.width, cell_height - 2), fill=ink, width=style.underline
        )
    size = (CHAR_WIDTH * style.width * len(row.text), CHAR_HEIGHT * style.height)
    return picture.resize((max(size[0], 1), size[1]), Image.Resampling.LANCZOS)


def _qr_picture(row: QrRow) -> Image.Image:
    """Draw the QR code with the module size and error level the printer was told."""
    code = qrcode.QRCode(error_correction=QR_ERROR[row.error_level], border=0)
    code.add_data(row.data)
    code.make(fit=True)
    modules = code.get_matrix()
    picture = Image.new("L", (len(modules), len(modules)), 255)
    picture.putdata([0 if dark else 255 for line in modules for dark in line])
    side = len(modules) * row.module_dots
    return picture.resize((side, side), Image.Resampling.NEAREST)


@lru_cache(maxsize=16)
def _font(bold: bool, size: int) -> Font:
    """Load DejaVu Sans Mono if the system has it, else Pillow's own font."""
    path = DEJAVU / ("DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


SAMPLE_TICKET = TicketPrint(
    centre_name="Huduma Centre Mombasa",
    service_name={"en": "National ID card application", "sw": "Maombi ya kitambulisho cha taifa"},
    language="en",
    number="A001",
    priority="none",
    issued_at_local=datetime(2026, 11, 23, 9, 14, tzinfo=ZoneInfo("Africa/Nairobi")),
    ahead=3,
    estimated_wait_s=720,
    track_url="https://queue.example.ke/track/q7Hk2mZ9xPa4",
    paper_width_mm=80,
)


def main(argv: list[str] | None = None) -> int:
    """`python -m printer.preview --out FILE.png`: draw a sample ticket."""
    parser = argparse.ArgumentParser(prog="python -m printer.preview", description=main.__doc__)
    parser.add_argument("--out", required=True, help="where to write the PNG")
    parser.add_argument("--width", type=int, choices=(80, 58), default=80, help="paper, in mm")
    parser.add_argument("--language", choices=("en", "sw"), default="en")
    parser.add_argument(
        "--priority", choices=("none", "elderly", "disability", "expectant"), default="none"
    )
    args = parser.parse_args(argv)
    ticket = replace(
        SAMPLE_TICKET, paper_width_mm=args.width, language=args.language, priority=args.priority
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    preview_png(ticket, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
