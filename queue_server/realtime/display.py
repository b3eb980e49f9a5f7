"""Namespace /display: the hall screen (and a ticket holder's page), public data only."""

from __future__ import annotations

from flask_socketio import Namespace, emit, join_room

from ..bootstrap import services
from ..domain.errors import DomainError
from ..protocol import SNAPSHOT, centre_room, ticket_room
from ..services import tickets
from .acks import refused


class DisplayNamespace(Namespace):
    """Join a centre's hall: a full snapshot now and after every reconnect, then live events.

    `auth={"centre": CODE}`; a ticket's own page may add `"ticket": ID` to hear of it.
    """

    def on_connect(self, auth: object = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        centre, ticket = auth.get("centre"), auth.get("ticket")
        if not isinstance(centre, str) or not centre:
            raise refused("invalid_value", "Connect with auth={'centre': CODE}.")
        # Join before reading, so no event falls between the snapshot and the first update.
        join_room(centre_room(centre))
        if isinstance(ticket, str) and 0 < len(ticket) <= 64:
            join_room(ticket_room(ticket))
        s = services()
        try:
            snapshot = tickets.hall_snapshot(centre, uow=s.uow, clock=s.clock)
        except DomainError as error:
            raise refused(error.code, error.message) from None
        emit(SNAPSHOT, snapshot)
