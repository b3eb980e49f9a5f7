"""Use cases of the SMS channel: storing messages in the outbox, and what staff see of it.

A message is stored in the transaction of the change that causes it (so it exists only if that
change commits), at most once per purpose and subject, and sent afterwards by the SMS worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..adapters.orm import Centre
from ..adapters.repository import Repository
from ..domain.sms import LANGUAGES, LIFETIME, PER_NUMBER_PER_HOUR, render

TOO_MANY = f"not sent: more than {PER_NUMBER_PER_HOUR} messages to this number in an hour"


def queue_sms(
    repo: Repository,
    *,
    centre: Centre,
    purpose: str,
    subject: str,
    phone: str,
    language: str,
    params: dict[str, str | int],
    now: datetime,
    expires_at: datetime | None = None,
    send_at: datetime | None = None,
) -> bool:
    """Store one message in the caller's transaction; False if (purpose, subject) was stored.

    `phone` is E.164 (domain/phone.py) and given with consent; the text is the catalogue's for
    `purpose` in `language` (domain/sms.py). `send_at` defers it; `expires_at` (default: the
    purpose's lifetime after it is due) is when it stops being worth sending. A number that
    already had PER_NUMBER_PER_HOUR messages in the last hour gets this one stored as failed.
    """
    due = send_at or now
    flooded = repo.count_sms_to(phone, now - timedelta(hours=1)) >= PER_NUMBER_PER_HOUR
    return repo.store_sms(
        {
            "centre_id": centre.id,
            "purpose": purpose,
            "subject": subject,
            "phone": phone,
            "language": language if language in LANGUAGES else "en",
            "body": render(purpose, language, params),
            "status": "failed" if flooded else "queued",
            "attempts": 0,
            "next_try_at": due,
            "expires_at": expires_at or due + LIFETIME[purpose],
            "created_at": now,
            "last_error": TOO_MANY if flooded else None,
        }
    )
