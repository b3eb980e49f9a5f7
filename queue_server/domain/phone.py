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


def consented_phone(text: str | None, consent: bool | None) -> str | None:
    """A phone number given with consent, as E.164; None without one; InvalidValue else."""
    if text is None:
        return None
    if consent is not True:
        raise InvalidValue(
            "A phone number is taken only with consent: send consent: true.",
            code="consent_required",
        )
    return normalize_phone(text)


def mask_phone(e164: str) -> str:
    """A phone number safe for screens and logs, as the contract shows it: +2547*****678."""
    return e164[:5] + "*" * (len(e164) - 8) + e164[-3:]
