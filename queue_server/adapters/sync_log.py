"""An outreach site's sync log, written at every commit from what the transaction changed.

Tickets and documents are marked `sync_pending` by every insert and update, the bulk updates
of the counter commands, the day's expiry and the documents' guarded moves included (a column
`onupdate`), and ticket events and feedback on insert; just
before a commit the marked rows of the site's centres become numbered log entries and lose
their mark, in the same transaction. So no change path needs to remember the log, and a change
rolled back leaves no entry.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from .repository import Repository

SYNC_LOG_CENTRES = "sync_log_centres"
"""The session's `info` key naming the centres (ids) whose changes are logged."""


@event.listens_for(Session, "before_commit")
def _write_sync_log(session: Session) -> None:
    """Turn the marked changes of the logged centres into log entries before the commit."""
    centres = session.info.get(SYNC_LOG_CENTRES)
    if not centres:
        return
    session.flush()
    Repository(session).log_pending_changes(centres)
