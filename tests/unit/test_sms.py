"""The SMS text catalogue and the rules of sending: GSM-7, one SMS each, retry delays."""

from __future__ import annotations

import json
import string
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.sms import (
    CATALOGUE,
    CONSENT_TEXT,
    LANGUAGES,
    LIFETIME,
    SMS_MAX_CHARS,
    consent_record,
    is_gsm7,
    outcome,
    render,
    retry_delay,
)

ROOT = Path(__file__).resolve().parents[2]
PURPOSES = [
    "ticket_near",
    "ticket_called",
    "appointment_booked",
    "appointment_reminder",
    "document_ready",
    "document_reminder",
    "service_paused",
    "feedback_invite",
]


def _fields(purpose: str) -> set[str]:
    return {
        name
        for language in LANGUAGES
        for _, name, _, _ in string.Formatter().parse(CATALOGUE[purpose][language])
        if name
    }


def test_every_purpose_of_the_contract_has_texts_in_both_languages_and_a_lifetime():
    for purpose in PURPOSES:
        assert set(CATALOGUE[purpose]) == set(LANGUAGES)
        assert _fields(purpose)
        assert purpose in LIFETIME


@pytest.mark.parametrize("purpose", sorted(CATALOGUE))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_fits_one_gsm7_sms_even_with_very_long_parameters(purpose, language):
    params = {name: "W" * 300 for name in _fields(purpose)}
    text = render(purpose, language, params)
    assert is_gsm7(text)
    assert len(text) <= SMS_MAX_CHARS, text


@given(value=st.text(max_size=400))
def test_any_parameter_text_gives_a_gsm7_sms_within_160_characters(value):
    for purpose in CATALOGUE:
        for language in LANGUAGES:
            text = render(purpose, language, dict.fromkeys(_fields(purpose), value))
            assert is_gsm7(text) and len(text) <= SMS_MAX_CHARS


def test_characters_outside_gsm7_are_replaced_and_a_parameter_cannot_add_lines():
    text = render("ticket_called", "sw", {"centre": "MSA€\n{x}", "number": "A001", "counter": 3})
    assert text.startswith("Huduma MSA???x?: tiketi A001, tafadhali nenda dirisha 3")


def test_a_missing_parameter_or_unknown_purpose_is_a_programming_error():
    with pytest.raises(ValueError):
        render("ticket_called", "en", {"centre": "MSA", "number": "A001"})
    with pytest.raises(ValueError):
        render("birthday_wishes", "en", {})


def test_kiswahili_is_chosen_by_language_and_anything_else_is_english():
    params = {"centre": "MSA", "number": "A001", "counter": 3}
    assert "counter 3" in render("ticket_called", "en", params)
    assert "dirisha 3" in render("ticket_called", "sw", params)
    assert "counter 3" in render("ticket_called", "fr", params)


def test_retries_wait_5_seconds_doubling_up_to_5_minutes():
    delays = [retry_delay(n).total_seconds() for n in range(1, 12)]
    assert delays[:7] == [5, 10, 20, 40, 80, 160, 300]
    assert max(delays) == 300
    assert retry_delay(10_000) == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("code", "meaning"),
    [(100, "sent"), (101, "sent"), (102, "sent"), (405, "retry"), (500, "retry")]
    + [(501, "retry"), (502, "retry"), (401, "failed"), (403, "failed"), (404, "failed")]
    + [(406, "failed"), (407, "failed"), (409, "failed")],
)
def test_gateway_status_codes(code, meaning):
    assert outcome(code) == meaning


@pytest.mark.parametrize("page", ["kiosk", "documents"])
def test_pages_show_the_consent_text_that_is_recorded(page):
    """A phone number is kept with the consent text shown: the pages show exactly that text."""
    shown = json.loads((ROOT / page / "static" / "catalogue.json").read_text())
    assert {language: shown[language]["consent_text"] for language in LANGUAGES} == CONSENT_TEXT


def test_the_consent_text_is_recorded_in_both_languages_with_the_one_shown():
    assert consent_record("sw") == {**CONSENT_TEXT, "shown": "sw"}
    assert consent_record("en")["shown"] == "en"
