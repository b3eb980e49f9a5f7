"""What every group of queries shares: the session, staging rows, the dialect's INSERT."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Executable, Table, Update, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value


class Queries:
    """Base of the query groups that make up the Repository; each works on `session`."""

    session: Session

    def add(self, obj: object) -> None:
        """Stage a new row."""
        self.session.add(obj)

    def attach(self, obj: object) -> None:
        """Take a row loaded by an earlier, committed transaction into this one: what it holds
        is used as loaded (no statement), and what it lacks is read here when first used."""
        self.session.add(obj)

    def flush(self) -> None:
        """Send staged changes now (to learn ids, or meet a constraint early)."""
        self.session.flush()

    def _plain(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> CursorResult[*tuple[Any, ...]]:
        """Run a statement of plain columns (no objects to load) in the session's transaction.

        What the session holds is flushed first, as its own execute would; its path for
        loading objects is skipped, which cost 17–36 µs a statement (a queue's figures read
        five, on every ticket issued and every projection pass).
        """
        self.session.flush()
        return self.session.connection().execute(statement, params)

    def _insert(self):  # type: ignore[no-untyped-def]
        """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
        dialect = self.session.get_bind().dialect.name
        return postgresql.insert if dialect == "postgresql" else sqlite.insert

    def _update_as_read(
        self,
        row: Any,
        expected: Mapping[str, object],
        changes: Mapping[str, object],
        *,
        only_if: ColumnElement[bool] | None = None,
    ) -> bool:
        """UPDATE `row` with `changes` only where its columns still hold the `expected` values
        (what was read; None for NULL), and `only_if` where given.

        On success the loaded object takes the new values too; False when another
        transaction changed the row first (nothing is written).
        """
        table = type(row).__table__
        statement = _guarded_update(
            table, tuple((name, value is None) for name, value in expected.items()), tuple(changes)
        )
        if only_if is not None:
            statement = statement.where(only_if)
        params = {"row_id": row.id}
        params |= {f"was_{name}": value for name, value in expected.items() if value is not None}
        params |= {f"new_{name}": value for name, value in changes.items()}
        # A plain UPDATE of the table, built once per shape: the ORM's bulk-update path, and
        # building the statement anew, cost more than the write.
        result = self._plain(statement, params)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        for key, value in changes.items():
            set_committed_value(row, key, value)
        return True


@lru_cache(maxsize=64)
def _guarded_update(
    table: Table, expected: tuple[tuple[str, bool], ...], changed: tuple[str, ...]
) -> Update:
    """UPDATE `table` SET each `changed` column to :new_<name> WHERE id = :row_id and each
    `expected` column is :was_<name> (or NULL, where its flag says so)."""
    where = [table.c.id == bindparam("row_id", type_=table.c.id.type)]
    for name, is_null in expected:
        column = table.c[name]
        where.append(
            column.is_(None) if is_null else column == bindparam(f"was_{name}", type_=column.type)
        )
    values = {name: bindparam(f"new_{name}", type_=table.c[name].type) for name in changed}
    return update(table).where(*where).values(values)
