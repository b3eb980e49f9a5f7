"""The schema the migrations build is the one the models describe, indexed for daily use."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from queue_server.adapters.database import make_engine, migrate
from queue_server.adapters.orm import Base


def test_the_migrations_build_exactly_the_models(uow):
    with uow.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_open_tickets_of_past_days_are_found_without_reading_the_history(tmp_path):
    """Expiry runs on every issue and call; it must not read every ticket ever issued.

    The plan asked is SQLite's; PostgreSQL gets the same index (the test above).
    """
    engine = make_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    migrate(engine)
    query = (
        "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE centre_id = 1 AND day < :day"
        " AND status IN ('waiting', 'called', 'serving')"
    )
    with engine.connect() as connection:
        plan = " ".join(row[-1] for row in connection.execute(text(query), {"day": date.today()}))
    engine.dispose()
    assert "ix_tickets_by_status_day (centre_id=? AND status=? AND day<?)" in plan
