"""The database engine: SQLite (WAL, embedded default) or PostgreSQL, and its migrations."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


class DatabaseUnavailable(Exception):
    """The database cannot be reached or used; the message says why, for a person."""


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the durability settings this project relies on."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(f"'{url}' is not a database URL") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, in_memory=parsed.database in (None, "", ":memory:"))
    if parsed.get_backend_name() == "postgresql":
        # psycopg2 cooperates with eventlet; psycopg 3 (SQLAlchemy 2.1's default) blocks it.
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg2")
        return create_engine(parsed, pool_pre_ping=True, pool_size=10, max_overflow=20)
    raise DatabaseUnavailable(f"unsupported database '{parsed.get_backend_name()}'")


def _sqlite_engine(url: str, *, in_memory: bool) -> Engine:
    """SQLite in WAL mode with full sync and a busy timeout; writers take the lock at BEGIN."""
    if in_memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        database = make_url(url).database
        if database:
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(
                    f"cannot create the folder of SQLite database {database}: {exc.strerror}"
                ) from None
        engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event, not the driver, decide when transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # A writer that began deferred could fail to upgrade its lock under contention
        # (SQLITE_BUSY is not retried then); taking the write lock at BEGIN avoids that.
        immediate = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def starting_alone(url: str) -> Iterator[None]:
    """Let one process at a time check, migrate and configure a SQLite file at start.

    Several processes started at once on an empty SQLite file would otherwise race switching it
    to WAL and migrating it (one of them failing with "database is locked"). SQLite is always on
    this machine, so an exclusive lock on a file beside it is enough. PostgreSQL needs none here:
    migrating and applying the configuration each take an advisory lock.
    """
    database = _sqlite_file(url)
    if database is None:
        yield
        return
    lock_path = Path(f"{database}.start-lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a")
    except OSError as exc:
        raise DatabaseUnavailable(f"cannot create {lock_path}: {exc.strerror}") from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL; None for other databases, memory and URLs that do not parse."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # make_engine says what is wrong with it
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return parsed.database


def check_database(engine: Engine) -> list[str]:
    """Connect once and return warnings about settings that could lose acknowledged tickets."""
    warnings: list[str] = []
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                value = connection.execute(text("SHOW synchronous_commit")).scalar()
                if value not in ("on", "remote_apply", "remote_write", "local"):
                    warnings.append(f"PostgreSQL synchronous_commit is '{value}', not 'on'")
            else:
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
                sync = connection.exec_driver_sql("PRAGMA synchronous").scalar()
                if mode != "wal" and engine.url.database not in (None, "", ":memory:"):
                    warnings.append(f"SQLite journal_mode is '{mode}', not WAL")
                if sync != 2:
                    warnings.append(f"SQLite synchronous is {sync}, not FULL (2)")
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(
            f"cannot connect to {engine.url.render_as_string(hide_password=True)}: "
            f"{str(exc.orig if hasattr(exc, 'orig') else exc).strip().splitlines()[0]}"
        ) from None
    return warnings


def ping(engine: Engine) -> None:
    """Run one trivial query, or DatabaseUnavailable (readiness)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(f"database: {type(exc).__name__}") from None


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest Alembic revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.execution_options(write=True).begin() as connection:
        if engine.dialect.name == "postgresql":
            # Several processes may start at once: one migrates, the others wait for it.
            connection.execute(text("SELECT pg_advisory_xact_lock(7261001)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
