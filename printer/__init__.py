"""Ticket printing: the ticket layout, printer connections, status queries and previews."""

import os
from pathlib import Path


def _capabilities_cache_folder() -> Path | None:
    """Return a writable per-user cache folder for python-escpos, or None if there is none."""
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:
        return None
    if not base.is_absolute():
        return None
    folder = base / "huduma-queue" / "escpos"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


# A lasting folder keeps python-escpos' capabilities pickle between runs (its import took 0.57 s
# without, 0.24 s with, here) instead of writing it into a new temporary folder on every import.
# python-escpos 3.1 still makes one empty temporary folder per import: it calls mkdtemp() as the
# default argument of environ.get. The folder is per user because python-escpos unpickles what
# it finds there; without a usable one, python-escpos keeps to its temporary folder.
if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
    _folder = _capabilities_cache_folder()
    if _folder is not None:
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(_folder)
