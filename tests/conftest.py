"""Shared fixtures: databases on SQLite and PostgreSQL, and the real server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.centres import make_config_file
from tests.support.databases import BACKENDS, database_url
from tests.support.server import ServerProcess


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on SQLite and once on PostgreSQL."""
    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The test centres' configuration file."""
    return make_config_file(tmp_path)


@pytest.fixture
def server(db_url: str, config_file: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    """The real server on a free loopback port, with the test centres loaded."""
    process = ServerProcess(db_url, tmp_path, config=config_file)
    process.start()
    yield process
    process.kill()


@pytest.fixture(scope="module", params=BACKENDS)
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """One server for a module whose tests change nothing (bad inputs); once per backend."""
    folder = tmp_path_factory.mktemp("shared")
    with database_url(request.param, folder) as url:
        process = ServerProcess(url, folder, config=make_config_file(folder))
        process.start()
        yield process
        process.kill()
