"""Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL schema.

PostgreSQL runs where QUEUE_TEST_POSTGRES_URL points (default: the local server of the
development and CI machines). Where it cannot be reached, its tests are skipped, unless
QUEUE_REQUIRE_POSTGRES=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

POSTGRES_URL = os.environ.get(
    "QUEUE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]
REDIS_URL = os.environ.get("QUEUE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def postgres_available() -> bool:
    """Whether the test PostgreSQL answers; fails the run when it is required and absent."""
    try:
        engine = create_engine(POSTGRES_URL)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except OperationalError as exc:
        if os.environ.get("QUEUE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but cannot be reached at {POSTGRES_URL}: {exc}")
        return False


def require_redis() -> str:
    """The test Redis URL; skips where Redis is absent, fails if QUEUE_REQUIRE_REDIS=1."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        if os.environ.get("QUEUE_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required but cannot be reached at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return REDIS_URL


@contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    """A URL to an empty database of `backend`, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'queue.db'}"
        return
    if not postgres_available():
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}")
    with postgres_schema() as url:
        yield url


@contextmanager
def postgres_schema(base_url: str = POSTGRES_URL, prefix: str = "t") -> Iterator[str]:
    """A URL to a fresh, empty PostgreSQL schema, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
