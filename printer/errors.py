"""The one error the printing code raises, with a kind the kiosk and the print jobs act on."""

from typing import Literal

PrinterErrorKind = Literal["offline", "timeout", "paper_out", "cover_open", "config", "io"]


class PrinterError(Exception):
    """A printer could not be used; `kind` says why.

    offline: the printer could not be reached (refused, absent, unplugged);
    timeout: it was reached but did not take the data in time;
    paper_out, cover_open: the printer reported it;
    config: the printer URL or the installation is wrong, retrying will not help;
    io: any other failure while talking to it.
    """

    def __init__(self, message: str, *, kind: PrinterErrorKind) -> None:
        super().__init__(message)
        self.kind: PrinterErrorKind = kind
