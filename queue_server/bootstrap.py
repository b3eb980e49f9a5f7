"""Wires the real adapters: the database, the unit of work, the notifier, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_socketio import SocketIO

from .adapters.database import check_database, make_engine, migrate
from .adapters.notifier import SocketIONotifier, phone_sender
from .adapters.unit_of_work import UnitOfWorkFactory
from .config import Settings
from .limits import AddressBudget
from .metrics import CountingNotifier, Metrics
from .services.auth import Authenticator
from .services.common import Clock, Deps, Notifier
from .services.messages import NearTurnProjection
from .services.phones import PhoneProjection
from .services.projector import ProjectingNotifier, Projection, Projector, QueueProjection

PROJECTION_GATHER_S = 0.05
"""Screens' queue figures follow a change within this (plus the reading), gathering bursts."""


def system_clock() -> datetime:
    """The present, in UTC."""
    return datetime.now(UTC)


def scaled_clock(base: Clock, scale: float) -> Clock:
    """A clock running `scale` times faster than `base` from now on (simulations only).

    It reads `start + (base() - start) * scale`, where `start` is the moment it is made, so a
    simulated centre day can pass in minutes; a scale of 1 returns `base` itself.
    """
    if scale == 1:
        return base
    start = base()

    def clock() -> datetime:
        return start + (base() - start) * scale

    return clock


@dataclass
class QueueServices:
    """What transports hand to use cases."""

    settings: Settings
    uow: UnitOfWorkFactory
    notifier: Notifier
    clock: Clock
    auth: Authenticator
    warnings: list[str]
    metrics: Metrics
    renders: AddressBudget  # QR codes and announcements anonymous callers make us render
    projector: Projector
    projections: list[Projection]  # run after commits, on a timer and after the day sweep
    phones: PhoneProjection

    def deps(self) -> Deps:
        """Keyword arguments every use case takes."""
        return {"uow": self.uow, "notifier": self.notifier, "clock": self.clock}


def bootstrap(settings: Settings, socketio: SocketIO, clock: Clock = system_clock) -> QueueServices:
    """Open and migrate the database and build the services the transports use."""
    engine = make_engine(settings.database)
    warnings = check_database(engine)
    migrate(engine)
    uow = UnitOfWorkFactory(engine)
    clock = scaled_clock(clock, settings.time_scale)
    metrics = Metrics(uow)
    emitter = SocketIONotifier(socketio)
    phones = PhoneProjection(uow, clock, phone_sender(socketio))
    projections: list[Projection] = [QueueProjection(uow, clock, emitter), phones]
    projections.append(NearTurnProjection(uow, clock))  # ticket_near SMS as queues move
    projector = Projector(
        projections,
        spawn=socketio.start_background_task,
        sleep=socketio.sleep,
        gather_s=PROJECTION_GATHER_S,
    )
    return QueueServices(
        settings=settings,
        uow=uow,
        notifier=ProjectingNotifier(CountingNotifier(emitter, metrics), projector),
        clock=clock,
        auth=Authenticator(uow, clock, settings.token_max_age_s),
        warnings=warnings,
        metrics=metrics,
        renders=AddressBudget(settings.renders_per_minute),
        projector=projector,
        projections=projections,
        phones=phones,
    )


def services() -> QueueServices:
    """The services of the app handling the present request or event."""
    return current_app.extensions["queue"]
