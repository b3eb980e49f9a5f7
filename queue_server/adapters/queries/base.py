"""What every group of queries shares: the session, staging rows, the dialect's INSERT."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value


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

    def _update_as_read(
        self, row: Any, guards: list[ColumnElement[bool]], changes: Mapping[str, object]
    ) -> bool:
        """UPDATE `row` with `changes` only where `guards` (what was read) still hold.

        On success the loaded object takes the new values too; False when another
        transaction changed the row first (nothing is written).
        """
        table = type(row).__table__
        self.session.flush()  # what the ORM would autoflush first
        # A plain UPDATE of the table: the ORM's bulk-update path costs more than the write.
        result = self.session.connection().execute(
            update(table).where(table.c.id == row.id, *guards).values(**changes)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        for key, value in changes.items():
            set_committed_value(row, key, value)
        return True
