"""Every event on a socket that signed in with a token checks that token again.

A socket keeps the principal it connected with; once that principal is gone (signed out,
removed from the configuration) or changed (its centres), the event is refused and the socket
dropped, so the client reconnects and is checked afresh. Unchanged tokens cost one small query
(the access revision) per event.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from flask_socketio import SocketIO

from ..domain.errors import Unauthorized
from ..services.auth import Authenticator
from ..services.common import Principal
from .acks import refused

REVOKED = {
    "ok": False,
    "error": {"code": "bad_token", "message": "Your access has changed; sign in again."},
}


def guard_tokens(socketio: SocketIO, auth: Authenticator) -> None:
    """Re-check the token of every event on every namespace registered so far."""
    for namespace in socketio.server.namespace_handlers.values():
        if not getattr(namespace, "tokens_guarded", False):
            namespace.trigger_event = _guarded(namespace.trigger_event, socketio, namespace, auth)
            namespace.tokens_guarded = True


def _guarded(
    trigger: Callable[..., Any], socketio: SocketIO, namespace: Any, auth: Authenticator
) -> Callable[..., Any]:
    """A namespace's event dispatch that remembers each socket's token and checks it again."""
    signed_in: dict[str, tuple[str, Principal] | None] = {}  # None: refused, being dropped

    def trigger_event(event: str, *args: Any) -> Any:
        sid: str = args[0] if args else ""
        if event == "connect":
            result = trigger(event, *args)
            token = args[2].get("token") if len(args) > 2 and isinstance(args[2], dict) else None
            if result is not False and isinstance(token, str) and token:
                with suppress(Unauthorized):  # a namespace that takes no token ignored it
                    signed_in[sid] = (token, auth.principal(token))
            return result
        if event == "disconnect":
            signed_in.pop(sid, None)
            return trigger(event, *args)
        if sid in signed_in:
            known = signed_in[sid]
            if known is None or not _still(auth, *known):
                if known is not None:  # answer this event first, then drop the socket
                    signed_in[sid] = None
                    socketio.start_background_task(
                        socketio.server.disconnect, sid, namespace=namespace.namespace
                    )
                return REVOKED
        return trigger(event, *args)

    return trigger_event


def _still(auth: Authenticator, token: str, principal: Principal) -> bool:
    """Whether the token still names the same principal, with the same centres and role."""
    try:
        return auth.principal(token) == principal
    except Unauthorized:
        return False


def limit_connections(socketio: SocketIO, namespace: str, per_address: int) -> None:
    """Refuse a connection to `namespace` once its client address holds `per_address` open
    (in this process): anonymous screens cannot hold the server's sockets without bound."""
    handler = socketio.server.namespace_handlers[namespace]
    trigger = handler.trigger_event
    open_by_address: Counter[str] = Counter()
    address_of: dict[str, str] = {}

    def trigger_event(event: str, *args: Any) -> Any:
        if event == "connect":
            sid, environ = args[0], args[1]
            address = str(environ.get("REMOTE_ADDR", "unknown"))
            if open_by_address[address] >= per_address:
                raise refused(
                    "too_many_connections", "Too many screens connected from this address."
                )
            result = trigger(event, *args)
            if result is not False:
                open_by_address[address] += 1
                address_of[sid] = address
            return result
        if event == "disconnect":
            gone = address_of.pop(args[0], None)
            if gone is not None:
                open_by_address[gone] -= 1
                if open_by_address[gone] <= 0:
                    del open_by_address[gone]
        return trigger(event, *args)

    handler.trigger_event = trigger_event
