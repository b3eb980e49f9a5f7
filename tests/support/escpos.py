"""The ESC/POS decoder for tests: the one in printer/, which the preview uses too."""

from printer.escpos_decode import (
    Command,
    Decoded,
    DecodeError,
    QrRow,
    Style,
    TextRow,
    decode,
)

__all__ = ["Command", "DecodeError", "Decoded", "QrRow", "Style", "TextRow", "decode"]
