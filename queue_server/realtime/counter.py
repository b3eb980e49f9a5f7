"""Namespace /counter: a clerk's actions at a counter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import request
from flask_socketio import Namespace, join_room, leave_room

from ..bootstrap import services
from ..domain.errors import DomainError, Forbidden, InvalidState
from ..protocol import counter_room, service_room
from ..schemas import (
    CounterActionRequest,
    NoFields,
    OpenCounterRequest,
    TransferRequest,
    validate,
)
from ..services import counters
from ..services.common import Principal
from .acks import acknowledged, refused


@dataclass
class _Clerk:
    """One connected clerk's screen: who, at which counter (after `open`), and what it follows."""

    principal: Principal
    counter: counters.CounterRef | None = None
    rooms: list[str] = field(default_factory=list)  # its counter's, and its services' queues


class CounterNamespace(Namespace):
    """Clerks open a counter, then call, recall, start, complete, transfer, pause..."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.clerks: dict[str, _Clerk] = {}

    def on_connect(self, auth: object = None) -> None:
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            principal = services().auth.principal(token if isinstance(token, str) else None)
            if not principal.is_user:
                raise Forbidden("Counters are for signed-in staff, not devices.")
        except DomainError as error:
            raise refused(error.code, error.message) from None
        self.clerks[request.sid] = _Clerk(principal)  # type: ignore[attr-defined]

    def on_disconnect(self, reason: object = None) -> None:
        self.clerks.pop(request.sid, None)  # type: ignore[attr-defined]

    @acknowledged
    def on_open(self, data: object = None) -> dict:
        body = validate(OpenCounterRequest, data)
        clerk = self.clerks[request.sid]  # type: ignore[attr-defined]
        ref = counters.CounterRef(body.centre, body.counter)
        result = counters.open_counter(clerk.principal, ref, **services().deps())
        for room in clerk.rooms:
            leave_room(room)
        clerk.counter = ref
        clerk.rooms = [counter_room(ref.centre, ref.number)] + [
            service_room(ref.centre, code) for code in result["counter"]["services"]
        ]
        for room in clerk.rooms:
            join_room(room)
        return result

    def _at_counter(self, action: Callable[..., dict], data: object, **extra: object) -> dict:
        """Run a counter use case for this clerk's open counter."""
        clerk = self.clerks[request.sid]  # type: ignore[attr-defined]
        if clerk.counter is None:
            raise InvalidState("Open a counter first.", code="counter_not_open")
        return action(clerk.principal, clerk.counter, **extra, **services().deps())

    @acknowledged
    def on_call_next(self, data: object = None) -> dict:
        body = validate(CounterActionRequest, data)
        return self._at_counter(counters.call_next, data, seen=body.ticket)

    @acknowledged
    def on_recall(self, data: object = None) -> dict:
        body = validate(CounterActionRequest, data)
        return self._at_counter(counters.recall, data, seen=body.ticket)

    @acknowledged
    def on_start(self, data: object = None) -> dict:
        body = validate(CounterActionRequest, data)
        return self._at_counter(counters.start, data, seen=body.ticket)

    @acknowledged
    def on_complete(self, data: object = None) -> dict:
        body = validate(CounterActionRequest, data)
        return self._at_counter(counters.complete, data, seen=body.ticket)

    @acknowledged
    def on_no_show(self, data: object = None) -> dict:
        body = validate(CounterActionRequest, data)
        return self._at_counter(counters.no_show, data, seen=body.ticket)

    @acknowledged
    def on_transfer(self, data: object = None) -> dict:
        body = validate(TransferRequest, data)
        return self._at_counter(
            counters.transfer, data, service_code=body.service, seen=body.ticket
        )

    @acknowledged
    def on_pause(self, data: object = None) -> dict:
        validate(NoFields, data)
        return self._at_counter(counters.pause, data)

    @acknowledged
    def on_resume(self, data: object = None) -> dict:
        validate(NoFields, data)
        return self._at_counter(counters.resume, data)

    @acknowledged
    def on_close(self, data: object = None) -> dict:
        validate(NoFields, data)
        return self._at_counter(counters.close, data)
