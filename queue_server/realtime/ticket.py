"""Namespace /ticket: a phone following one ticket, and nothing about any other."""

from __future__ import annotations

from flask import request
from flask_socketio import Namespace, emit, join_room

from ..bootstrap import services
from ..domain.errors import DomainError
from ..protocol import TICKET, ticket_room
from .acks import refused

MAX_TICKET_ID = 64


class TicketNamespace(Namespace):
    """`auth={"ticket": ID}`: the ticket's view now and after every reconnect, then each change
    of its status, place or estimate (sent by the phone projection, `services/phones.py`)."""

    def __init__(self, namespace: str) -> None:
        super().__init__(namespace)
        self.following: dict[str, tuple[str, str]] = {}  # sid -> (centre, ticket id)

    def on_connect(self, auth: object = None) -> None:
        ticket = auth.get("ticket") if isinstance(auth, dict) else None
        if not isinstance(ticket, str) or not 0 < len(ticket) <= MAX_TICKET_ID:
            raise refused("invalid_value", "Connect with auth={'ticket': ID}.")
        # Join before reading, so no change falls between the view and the first update.
        join_room(ticket_room(ticket))
        try:
            view = services().phones.follow(ticket)
        except DomainError as error:
            raise refused(error.code, error.message) from None
        self.following[request.sid] = (view["centre"], ticket)  # type: ignore[attr-defined]
        emit(TICKET, view)

    def on_disconnect(self, reason: object = None) -> None:
        followed = self.following.pop(request.sid, None)  # type: ignore[attr-defined]
        if followed is not None:
            services().phones.unfollow(*followed)
