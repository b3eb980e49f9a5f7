"""Phone numbers: E.164 only, masked on screens."""

from __future__ import annotations

import pytest

from queue_server.domain.errors import InvalidValue
from queue_server.domain.phone import mask_phone, normalize_phone


@pytest.mark.parametrize(
    "text", ["0712345678", "0712 345 678", "+254712345678", "254712345678", "712345678"]
)
def test_kenyan_mobiles_become_e164(text):
    assert normalize_phone(text) == "+254712345678"


def test_new_prefix_numbers_are_accepted():
    assert normalize_phone("0110 123 456") == "+254110123456"


@pytest.mark.parametrize("text", ["", "12345", "+1 202 555 0100", "07123456789", "hello"])
def test_other_text_is_refused(text):
    with pytest.raises(InvalidValue):
        normalize_phone(text)


def test_masking_keeps_only_the_country_code_and_last_digits():
    assert mask_phone("+254712345678") == "+2547*****678"
