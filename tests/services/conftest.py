"""Use cases against a real database (SQLite and PostgreSQL), with an injected clock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from queue_server.adapters.database import make_engine, migrate
from queue_server.adapters.unit_of_work import UnitOfWorkFactory
from queue_server.centre_config import parse_centre_config
from queue_server.domain.events import Event, QueueChanged
from queue_server.services.auth import Authenticator
from queue_server.services.common import Principal
from queue_server.services.projector import ProjectingNotifier, Projector, QueueProjection
from queue_server.services.setup import apply_centre_config
from queue_server.services.tickets import list_services
from tests.support.centres import TEST_CONFIG

# 09:00 in Nairobi on a Monday.
MORNING = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = MORNING) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Recorder:
    """Keeps what was published, to check what screens would be told."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, events: Sequence[Event]) -> None:
        self.events.extend(events)


class RecordingNotifier(ProjectingNotifier):
    """Records each command's events and, after them, what the queue projection emitted
    (run at once here, where the server runs it in a background task)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: FakeClock) -> None:
        recorder = Recorder()
        projection = QueueProjection(uow, clock, recorder)
        super().__init__(recorder, Projector([projection], spawn=lambda run: run()))
        self.events = recorder.events

    def of(self, kind: type) -> list:
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def uow(db_url: str) -> Iterator[UnitOfWorkFactory]:
    engine = make_engine(db_url)
    migrate(engine)
    factory = UnitOfWorkFactory(engine)
    apply_centre_config(parse_centre_config(TEST_CONFIG, "test"), uow=factory)
    yield factory
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def notifier(uow, clock) -> RecordingNotifier:
    recording = RecordingNotifier(uow, clock)
    for centre in ("TST", "OTH"):  # what screens were shown when the server started
        recording.projector.project(centre)
    recording.events.clear()
    return recording


@pytest.fixture
def deps(uow, notifier, clock) -> dict:
    return {"uow": uow, "notifier": notifier, "clock": clock}


@pytest.fixture
def auth(uow, clock) -> Authenticator:
    return Authenticator(uow, clock, max_age_s=3600)


@pytest.fixture
def kiosk(auth) -> Principal:
    return auth.principal("kiosk-1-token-0123456789")


@pytest.fixture
def clerk(auth) -> Principal:
    return clerk_principal(auth, "clerk1")


def clerk_principal(auth: Authenticator, username: str) -> Principal:
    """Sign in as a test user and return who they are."""
    from tests.support.centres import PASSWORD

    token = auth.login(username, PASSWORD, "127.0.0.1", allowed=50, window_s=300)["token"]
    return auth.principal(token)


def shown(deps) -> dict[str, tuple[int, int]]:
    """What the screens should show of every service: (waiting, estimated wait)."""
    listed = list_services("TST", uow=deps["uow"], clock=deps["clock"])
    return {s["code"]: (s["waiting"], s["estimated_wait_s"]) for s in listed}


def told(notifier) -> dict[str, tuple[int, int]]:
    """The latest queue_changed figures per service, as screens would keep them."""
    return {e.service: (e.waiting, e.estimated_wait_s) for e in notifier.of(QueueChanged)}
