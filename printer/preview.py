"""A PNG picture of a ticket, drawn from the very bytes the printer gets (decoded, not re-laid)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

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
