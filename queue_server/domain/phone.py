"""Citizens' phone numbers: Kenyan numbers kept only in E.164 form."""

from __future__ import annotations

import re

from .errors import InvalidValue

_KENYAN = re.compile(r"^(?:\+?254|0)?([17]\d{8})$")


def normalize_phone(text: str) -> str:
    """A Kenyan mobile number (07…, 01…, 2547…, +2541…) as E.164 (+2547…), or InvalidValue."""
    match = _KENYAN.match(re.sub(r"[\s()-]", "", text))
    if not match:
        raise InvalidValue("phone must be a Kenyan mobile number such as 0712 345 678.")
    return f"+254{match.group(1)}"


def mask_phone(e164: str) -> str:
    """A phone number safe for screens and logs: +2547******78."""
    return e164[:5] + "*" * (len(e164) - 7) + e164[-2:]
