"""SMS to citizens: the text catalogue, GSM-7, how long a message stays useful, retry delays.

One catalogue holds every text in English and Kiswahili, keyed by purpose. Texts say what the
citizen needs (a ticket number, a counter, a ref, a time) and never a name or an identity
document's number. Each text fits one SMS: GSM-7 characters only, at most 160 of them, whatever
the parameters (each is cut to its own limit before it is put in).
"""

from __future__ import annotations

import string
from datetime import timedelta

SMS_MAX_CHARS = 160
LANGUAGES = ("en", "sw")

# The GSM 03.38 basic character set: one SMS holds 160 of these. The extension table's
# characters ({ } [ ] ~ \ | ^ €) count twice, so they are kept out altogether.
GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

PARAM_MAX_CHARS = 20
"""What one parameter may add to a text unless PARAM_LIMITS says otherwise."""
PARAM_LIMITS = {
    "centre": 16,  # a centre's code
    "number": 8,  # a ticket number (A001)
    "counter": 4,
    "ahead": 4,
    "ref": 11,  # XXXXX-XXXXX
    "when": 20,  # a local date and time, "Mon 7 Dec 09:15"
    "until": 12,  # a local date, "Tue 5 Jan"
    "service": 24,
    "reason": 30,
    "url": 60,
}
"""How long each parameter may be; the texts that use them leave room for these lengths."""

CATALOGUE: dict[str, dict[str, str]] = {
    "ticket_near": {
        "en": "Huduma {centre}: ticket {number} is near, {ahead} ahead of you. "
        "Please come back to the hall now.",
        "sw": "Huduma {centre}: tiketi {number} inakaribia, {ahead} wako mbele yako. "
        "Tafadhali rudi ukumbini sasa.",
    },
    "ticket_called": {
        "en": "Huduma {centre}: ticket {number}, please go to counter {counter} now.",
        "sw": "Huduma {centre}: tiketi {number}, tafadhali nenda dirisha {counter} sasa.",
    },
    "appointment_booked": {
        "en": "Huduma {centre}: your appointment {ref} for {service} is booked for {when}. "
        "Check in at the kiosk with this ref.",
        "sw": "Huduma {centre}: miadi yako {ref} ya {service} imewekwa {when}. "
        "Jisajili kwenye kiosk kwa nambari hii.",
    },
    "appointment_reminder": {
        "en": "Huduma {centre}: reminder, your appointment {ref} for {service} is at {when}.",
        "sw": "Huduma {centre}: kumbusho, miadi yako {ref} ya {service} ni {when}.",
    },
    "appointment_cancelled": {
        "en": "Huduma {centre}: appointment {ref} on {when} is cancelled: {reason}. "
        "Please book another day.",
        "sw": "Huduma {centre}: miadi {ref} ya {when} imeghairiwa: {reason}. "
        "Tafadhali weka siku nyingine.",
    },
    "document_ready": {
        "en": "Huduma {centre}: your document {ref} is ready. Collect it with your receipt: "
        "press Collect a document at the kiosk.",
        "sw": "Huduma {centre}: hati yako {ref} iko tayari. Ichukue na risiti yako: "
        "bonyeza Chukua hati kwenye kiosk.",
    },
    "document_reminder": {
        "en": "Huduma {centre}: reminder, document {ref} awaits collection. "
        "It is returned if not collected by {until}.",
        "sw": "Huduma {centre}: kumbusho, hati {ref} inasubiri kuchukuliwa. "
        "Itarudishwa isipochukuliwa kufikia {until}.",
    },
    "service_paused": {
        "en": "Huduma {centre}: {service} is paused: {reason}. Ticket {number} keeps its place.",
        "sw": "Huduma {centre}: {service} imesimamishwa: {reason}. Tiketi {number} inabaki.",
    },
    "feedback_invite": {
        "en": "Huduma {centre}: thank you for your visit. Rate ticket {number}: {url}",
        "sw": "Huduma {centre}: asante kwa kututembelea. Tathmini tiketi {number}: {url}",
    },
}

CONSENT_TEXT = {
    "en": "I agree that Huduma may keep this phone number to send me SMS about this visit "
    "only. It is deleted within 30 days.",
    "sw": "Nakubali Huduma ihifadhi nambari hii ya simu ili kunitumia SMS kuhusu ziara hii "
    "pekee. Itafutwa ndani ya siku 30.",
}
"""What a citizen agrees to by ticking the consent box, shown in the kiosk's language."""


def consent_record(language: str) -> dict[str, str]:
    """What is kept with a phone number: the consent text in both languages, and which was shown."""
    return {**CONSENT_TEXT, "shown": "sw" if language == "sw" else "en"}


LIFETIME = {
    "ticket_near": timedelta(hours=2),
    "ticket_called": timedelta(minutes=15),
    "appointment_booked": timedelta(days=1),
    "appointment_reminder": timedelta(hours=2),
    "appointment_cancelled": timedelta(days=1),
    "document_ready": timedelta(days=7),
    "document_reminder": timedelta(days=3),
    "service_paused": timedelta(hours=1),
    "feedback_invite": timedelta(days=1),
}
"""How long after it is due a message of each purpose is still worth sending."""

PER_NUMBER_PER_HOUR = 5
"""At most this many messages to one number in an hour: a loop must not flood a phone."""

ACCEPTED = range(100, 103)
RETRIED = frozenset({405, 500, 501, 502})
FIRST_RETRY_S = 5
LAST_RETRY_S = 300


def render(purpose: str, language: str, params: dict[str, str | int]) -> str:
    """The text of `purpose` in `language` with `params` put in; ValueError for a bad call."""
    if purpose not in CATALOGUE:
        raise ValueError(f"no SMS text for purpose {purpose!r}")
    template = CATALOGUE[purpose]["sw" if language == "sw" else "en"]
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if fields - params.keys():
        raise ValueError(f"{purpose} needs {sorted(fields)}, got {sorted(params)}")
    return template.format(**{name: _param(name, params[name]) for name in fields})


def _param(name: str, value: str | int) -> str:
    """One parameter as GSM-7 text within its limit (other characters become '?')."""
    text = "".join(c if c in GSM7 and c not in "\r\n" else "?" for c in str(value))
    return text[: PARAM_LIMITS.get(name, PARAM_MAX_CHARS)]


def is_gsm7(text: str) -> bool:
    """Whether every character of `text` is in the GSM-7 basic set."""
    return all(c in GSM7 for c in text)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed tries: 5 s, doubling, at most 5 minutes."""
    return timedelta(seconds=min(FIRST_RETRY_S * 2 ** min(max(attempts - 1, 0), 10), LAST_RETRY_S))


def outcome(status_code: int) -> str:
    """What a gateway's per-recipient status code means: sent, retry or failed."""
    if status_code in ACCEPTED:
        return "sent"
    if status_code in RETRIED:
        return "retry"
    return "failed"
