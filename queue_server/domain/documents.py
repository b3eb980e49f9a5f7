"""Track my Service: a citizen's document from lodging to collection, followed by its ref."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from .errors import InvalidState

DOCUMENT_REF_LENGTH = 10  # XXXXX-XXXXX, in the alphabet of appointment refs
REMINDER_DAYS = (7, 21)
PHONE_KEPT_DAYS = 30


class DocumentStatus(StrEnum):
    """Where a document is (the contract's document `status`)."""

    LODGED = "lodged"
    IN_PROCESS = "in_process"
    READY = "ready"
    COLLECTED = "collected"
    RETURNED = "returned"


FORWARD = {
    DocumentStatus.LODGED: {DocumentStatus.IN_PROCESS, DocumentStatus.READY},
    DocumentStatus.IN_PROCESS: {DocumentStatus.READY},
    DocumentStatus.READY: {DocumentStatus.COLLECTED, DocumentStatus.RETURNED},
}
"""The only moves: forward along lodged → in_process → ready → collected, or ready → returned.
A box of documents may arrive before anyone marked them in process, so lodged → ready too."""

CLOSED = (DocumentStatus.COLLECTED, DocumentStatus.RETURNED)


def require_forward(current: str, wanted: DocumentStatus) -> None:
    """InvalidState unless `wanted` is a step forward from `current`."""
    if wanted not in FORWARD.get(DocumentStatus(current), set()):
        raise InvalidState(
            f"A {current} document cannot become {wanted}; statuses only go forward."
        )


def reaches(current: str, later: str) -> bool:
    """Whether a document `current` can come to be `later` by forward moves (or already is).

    An outreach site's document and its copy at the central server may each move on (the box
    of ID cards arrives at the parent centre, the citizen collects at the tent): a status from
    the other side is taken only when it reaches it, so neither side ever moves one back.
    """
    seen, frontier = {DocumentStatus(current)}, [DocumentStatus(current)]
    while frontier:
        for step in FORWARD.get(frontier.pop(), set()) - seen:
            seen.add(step)
            frontier.append(step)
    return DocumentStatus(later) in seen


def reminders_due(ready_at: datetime) -> list[tuple[int, datetime]]:
    """(days, when) of each collection reminder after a document became ready."""
    return [(days, ready_at + timedelta(days=days)) for days in REMINDER_DAYS]


def returned_by(ready_at: datetime, return_days: int) -> datetime:
    """When a ready document not collected goes back (the centre's `document_return_days`)."""
    return ready_at + timedelta(days=return_days)


def phone_matches(phone: str | None, last3: str) -> bool:
    """Whether `last3` is the last three digits of the phone number (never true without one)."""
    return phone is not None and len(last3) == 3 and last3.isdigit() and phone.endswith(last3)
