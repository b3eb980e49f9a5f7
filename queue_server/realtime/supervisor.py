"""Namespace /supervisor: the live hall of one centre, for its supervisors and administrators.

Connect with `auth={"token": TOKEN, "centre": CODE}`. The server emits `hall` (the live hall's
figures) at once, `service_changed` when a service is paused or resumed, and `money_asked`
when a citizen answers that staff asked for money; `hall {}` asks for the figures again.
"""

from __future__ import annotations

from flask import request
from flask_socketio import Namespace, emit, join_room

from ..bootstrap import services
from ..domain.errors import DomainError, InvalidValue
from ..protocol import HALL, supervisor_room
from ..schemas import NoFields, validate
from ..services import supervision
from ..services.common import Principal
from .acks import acknowledged, refused


class SupervisorNamespace(Namespace):
    """Supervisors watch their centre's hall; the figures come on connect and on asking."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.watching: dict[str, tuple[Principal, str]] = {}

    def on_connect(self, auth: object = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        token, centre = auth.get("token"), auth.get("centre")
        s = services()
        try:
            principal = s.auth.principal(token if isinstance(token, str) else None)
            if not isinstance(centre, str):
                raise InvalidValue("Connect with auth={'token': ..., 'centre': CODE}.")
            hall = supervision.live_hall(principal, centre, uow=s.uow, clock=s.clock)
        except DomainError as error:
            raise refused(error.code, error.message) from None
        join_room(supervisor_room(centre))
        self.watching[request.sid] = (principal, centre)  # type: ignore[attr-defined]
        emit(HALL, hall)

    def on_disconnect(self, reason: object = None) -> None:
        self.watching.pop(request.sid, None)  # type: ignore[attr-defined]

    @acknowledged
    def on_hall(self, data: object = None) -> dict:
        validate(NoFields, data)
        principal, centre = self.watching[request.sid]  # type: ignore[attr-defined]
        s = services()
        return {"hall": supervision.live_hall(principal, centre, uow=s.uow, clock=s.clock)}
