"""A small ESC/POS decoder: bytes back into commands, printed text rows and QR codes.

It knows the commands python-escpos emits for text, styles, feeds, cuts, native QR codes and
status requests, and raises DecodeError on anything else, so garbage never passes unnoticed.
The tests read tickets with it and the preview draws from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

Align = Literal["left", "center", "right"]

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A

# Commands of a fixed number of parameter bytes: prefix -> (name, parameter count).
FIXED_COMMANDS: dict[bytes, tuple[str, int]] = {
    b"\x1b@": ("init", 0),
    b"\x1ba": ("align", 1),
    b"\x1bE": ("bold", 1),
    b"\x1b-": ("underline", 1),
    b"\x1b!": ("print_mode", 1),
    b"\x1bM": ("font", 1),
    b"\x1bd": ("feed", 1),
    b"\x1bt": ("codepage", 1),
    b"\x1b{": ("upside_down", 1),
    b"\x1b2": ("line_spacing_default", 0),
    b"\x1b3": ("line_spacing", 1),
    b"\x1d!": ("size", 1),
    b"\x1dB": ("invert", 1),
    b"\x1db": ("smooth", 1),
    b"\x1d|": ("density", 1),
    b"\x10\x04": ("status_request", 1),
}

# ESC t numbers of the code pages whose bytes 0x80-0xFF this decoder can read.
CODE_PAGES: dict[int, str] = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    16: "cp1252",
    17: "cp866",
    19: "cp858",
}

ALIGN_OF: dict[int, Align] = {
    0: "left",
    48: "left",
    1: "center",
    49: "center",
    2: "right",
    50: "right",
}
UNDERLINE_OF: dict[int, int] = {0: 0, 48: 0, 1: 1, 49: 1, 2: 2, 50: 2}
FONTS = {0, 1, 2, 48, 49, 50}
QR_ERROR_LEVELS = "LMQH"
# Commands recorded in the command list that change nothing the rows hold.
NO_ROW_EFFECT = {
    "upside_down",
    "smooth",
    "density",
    "line_spacing",
    "line_spacing_default",
    "status_request",
}
CUT_WITHOUT_FEED = {0, 1, 48, 49}  # GS V m: full and partial cuts
CUT_WITH_FEED = {65, 66}  # GS V m n: feed n, then cut


class DecodeError(ValueError):
    """The bytes are not ESC/POS this decoder knows."""


class Command(NamedTuple):
    """One decoded command: its name and parameters (ints, or the text or QR data it carries)."""

    name: str
    args: tuple[int | str | bytes, ...] = ()


@dataclass(frozen=True)
class Style:
    """The text style in force when a row started printing."""

    align: Align = "left"
    bold: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    invert: bool = False
    font: int = 0


@dataclass(frozen=True)
class TextRow:
    """One printed line of text (empty for a blank line)."""

    text: str
    style: Style


@dataclass(frozen=True)
class QrRow:
    """One printed QR code."""

    data: bytes
    module_dots: int
    error_level: str
    align: Align


Row = TextRow | QrRow


@dataclass(frozen=True)
class Decoded:
    """What a byte string asks a printer to do, and what comes out on paper."""

    commands: tuple[Command, ...]
    rows: tuple[Row, ...]

    @property
    def lines(self) -> list[str]:
        """The printed text lines, blank ones included."""
        return [row.text for row in self.rows if isinstance(row, TextRow)]

    @property
    def qr_codes(self) -> list[bytes]:
        """The data of every printed QR code."""
        return [row.data for row in self.rows if isinstance(row, QrRow)]

    @property
    def names(self) -> list[str]:
        """The command names in order."""
        return [command.name for command in self.commands]


def decode(data: bytes) -> Decoded:
    """Decode ESC/POS bytes; raise DecodeError on an unknown, malformed or truncated command."""
    return _Decoder(data).run()


@dataclass
class _QrSettings:
    """The QR symbol settings and storage of the printer."""

    module_dots: int = 3
    error_level: str = "L"
    stored: bytes | None = None


@dataclass
class _Decoder:
    """Walks the bytes once, keeping the printer state a real printer would keep."""

    data: bytes
    pos: int = 0
    commands: list[Command] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    style: Style = field(default_factory=Style)
    code_page: int = 0
    line: str = ""
    line_style: Style | None = None
    qr: _QrSettings = field(default_factory=_QrSettings)

    def run(self) -> Decoded:
        """Decode every command, then print what is left in the buffer."""
        while self.pos < len(self.data):
            self.step()
        self.end_line(unless_empty=True)
        return Decoded(tuple(self.commands), tuple(self.rows))

    def step(self) -> None:
        """Decode the command or text run at the current position."""
        byte = self.data[self.pos]
        if byte == LF:
            self.pos += 1
            self.commands.append(Command("lf"))
            self.end_line()
        elif _printable(byte):
            self.text_run()
        elif self.data.startswith(b"\x1dV", self.pos):
            self.cut()
        elif self.data.startswith(b"\x1d(k", self.pos):
            self.two_d_code()
        else:
            self.fixed_command()

    def take(self, count: int) -> bytes:
        """Consume count bytes, or raise if the data ends first."""
        chunk = self.data[self.pos : self.pos + count]
        if len(chunk) < count:
            raise DecodeError(f"truncated command at offset {self.pos}")
        self.pos += count
        return chunk

    def text_run(self) -> None:
        """Decode a run of printable bytes with the current code page."""
        start = self.pos
        while self.pos < len(self.data) and _printable(self.data[self.pos]):
            self.pos += 1
        raw = self.data[start : self.pos]
        try:
            text = raw.decode(self.code_page_codec(start) if not raw.isascii() else "ascii")
        except UnicodeDecodeError as error:
            raise DecodeError(
                f"{error.reason} in code page {self.code_page} at offset {start}"
            ) from error
        self.commands.append(Command("text", (text,)))
        if self.line_style is None:
            self.line_style = self.style
        self.line += text

    def code_page_codec(self, offset: int) -> str:
        """Name the Python codec for the current code page."""
        if self.code_page not in CODE_PAGES:
            raise DecodeError(f"cannot read text in code page {self.code_page} at offset {offset}")
        return CODE_PAGES[self.code_page]

    def fixed_command(self) -> None:
        """Decode a command of the fixed-size table and apply it."""
        prefix = self.data[self.pos : self.pos + 2]
        if len(prefix) < 2 and prefix[0] in (ESC, GS, DLE):
            raise DecodeError(f"truncated command at offset {self.pos}")
        if prefix not in FIXED_COMMANDS:
            raise DecodeError(f"unknown command {prefix!r} at offset {self.pos}")
        name, count = FIXED_COMMANDS[prefix]
        self.pos += 2
        args = tuple(self.take(count))
        self.commands.append(Command(name, args))
        self.apply(name, args)

    def apply(self, name: str, args: tuple[int, ...]) -> None:
        """Change the printer state as a fixed-size command asks."""
        value = args[0] if args else 0
        if name in NO_ROW_EFFECT:
            return
        if name == "init":
            self.style, self.code_page, self.qr = Style(), 0, _QrSettings()
            self.line, self.line_style = "", None  # ESC @ clears the print buffer
        elif name == "feed":
            self.end_line(extra_blank_lines=max(value - 1, 0), unless_empty=value == 0)
        elif name == "codepage":
            self.code_page = value
        else:
            self.style = _styled(self.style, name, value, self.pos)

    def cut(self) -> None:
        """Decode GS V in every form python-escpos sends."""
        start = self.pos
        self.pos += 2
        mode = self.take(1)[0]
        if mode in CUT_WITHOUT_FEED:
            args: tuple[int, ...] = (mode,)
        elif mode in CUT_WITH_FEED:
            args = (mode, self.take(1)[0])
        else:
            raise DecodeError(f"unknown cut mode {mode} at offset {start}")
        self.end_line(unless_empty=True)
        self.commands.append(Command("cut", args))

    def two_d_code(self) -> None:
        """Decode GS ( k for QR codes: model, module size, error level, store, print."""
        start = self.pos
        self.pos += 3
        low, high = self.take(2)
        body = self.take(low + high * 256)
        if len(body) < 2 or body[0] != 0x31:
            raise DecodeError(f"unsupported GS ( k symbol at offset {start}")
        function, params = body[1], body[2:]
        self.commands.append(self.qr_command(function, params, start))

    def qr_command(self, function: int, params: bytes, offset: int) -> Command:
        """Apply one QR function and return it as a command."""
        if function == 65 and len(params) == 2 and params[0] in (49, 50, 51):
            return Command("qr_model", (params[0] - 48, params[1]))
        if function == 67 and len(params) == 1 and 1 <= params[0] <= 16:
            self.qr.module_dots = params[0]
            return Command("qr_size", (params[0],))
        if function == 69 and len(params) == 1 and 48 <= params[0] <= 51:
            self.qr.error_level = QR_ERROR_LEVELS[params[0] - 48]
            return Command("qr_error", (params[0] - 48,))
        if function == 80 and params[:1] == b"0":
            self.qr.stored = params[1:]
            return Command("qr_store", (params[1:],))
        if function == 81 and params == b"0":
            self.print_qr(offset)
            return Command("qr_print")
        raise DecodeError(f"unsupported QR function {function} {params!r} at offset {offset}")

    def print_qr(self, offset: int) -> None:
        """Print the stored QR symbol on a row of its own."""
        if self.qr.stored is None:
            raise DecodeError(f"QR print without stored data at offset {offset}")
        self.end_line(unless_empty=True)
        self.rows.append(
            QrRow(self.qr.stored, self.qr.module_dots, self.qr.error_level, self.style.align)
        )

    def end_line(self, *, extra_blank_lines: int = 0, unless_empty: bool = False) -> None:
        """Print the buffered line (a blank one if empty, unless told not to) and blank lines."""
        if self.line or not unless_empty:
            self.rows.append(TextRow(self.line, self.line_style or self.style))
        self.rows.extend(TextRow("", self.style) for _ in range(extra_blank_lines))
        self.line, self.line_style = "", None


def _printable(byte: int) -> bool:
    """Whether a byte is a character to print (in ASCII or the current code page)."""
    return byte >= 0x80 or 0x20 <= byte < 0x7F


def _styled(style: Style, name: str, value: int, offset: int) -> Style:
    """Return the style after a style command."""
    if name == "align" and value in ALIGN_OF:
        return replace(style, align=ALIGN_OF[value])
    if name == "bold":
        return replace(style, bold=bool(value & 1))
    if name == "underline" and value in UNDERLINE_OF:
        return replace(style, underline=UNDERLINE_OF[value])
    if name == "invert":
        return replace(style, invert=bool(value & 1))
    if name == "font" and value in FONTS:
        return replace(style, font=value - 48 if value >= 48 else value)
    if name == "size" and (value >> 4) < 8 and (value & 0x0F) < 8:
        return replace(style, width=(value >> 4) + 1, height=(value & 0x0F) + 1)
    if name == "print_mode":
        return _print_mode(style, value)
    raise DecodeError(f"invalid {name} parameter {value} at offset {offset}")


def _print_mode(style: Style, value: int) -> Style:
    """Apply ESC !, which sets font, bold, double height, double width and underline at once."""
    return replace(
        style,
        font=value & 0x01,
        bold=bool(value & 0x08),
        height=2 if value & 0x10 else 1,
        width=2 if value & 0x20 else 1,
        underline=1 if value & 0x80 else 0,
    )
