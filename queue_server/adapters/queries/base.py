"""What every group of queries shares: the session, staging rows, the dialect's INSERT."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


class Queries:
    """Base of the query groups that make up the Repository; each works on `session`."""

    session: Session

    def add(self, obj: object) -> None:
        """Stage a new row."""
        self.session.add(obj)

    def flush(self) -> None:
        """Send staged changes now (to learn ids, or meet a constraint early)."""
        self.session.flush()

    def _insert(self):  # type: ignore[no-untyped-def]
        """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
        dialect = self.session.get_bind().dialect.name
        return postgresql.insert if dialect == "postgresql" else sqlite.insert
