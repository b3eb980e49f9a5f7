"""Citizens' look-ups of refs (appointments, documents): failures limited per address.

One count for every kind of ref, so guessing appointments and documents in turn gains nothing;
failures are rows of the sign-in failures' table (kept in the database, shared by processes)
under the key `lookup:{address}`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..adapters.orm import LoginFailure
from ..adapters.repository import Repository
from ..domain.errors import TooManyAttempts

LOOKUP_FAILURES_ALLOWED = 20
LOOKUP_WINDOW = timedelta(minutes=10)


def require_lookups_left(repo: Repository, address: str, now: datetime) -> None:
    """TooManyAttempts when `address` failed more than allowed within the window."""
    if repo.count_login_failures(_key(address), now - LOOKUP_WINDOW) >= LOOKUP_FAILURES_ALLOWED:
        raise TooManyAttempts("Too many unknown refs. Please wait a few minutes.")


def note_failed_lookup(repo: Repository, address: str, now: datetime) -> None:
    """Count one failed look-up from `address` (the caller commits it even when answering 404)."""
    repo.clear_login_failures(_key(address), before=now - LOOKUP_WINDOW)
    repo.add(LoginFailure(key=_key(address), at=now))


def _key(address: str) -> str:
    return f"lookup:{address}"
