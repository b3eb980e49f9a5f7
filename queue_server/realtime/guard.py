"""Signed-in sockets lose their access at once: every event checks the token again, and each
process drops its idle sockets whose access was withdrawn within a few seconds.

A socket keeps the principal it connected with. Once that principal is gone (signed out,
removed from the configuration, its token out of date) or changed (its centres, its role), the
socket is told why (`access_revoked {code, message}`, the contract's refusal shape) and
dropped; a page then signs out, and a client that connects again is checked afresh.

Idle sockets are found by a periodic check in each process rather than by a broadcast
"revoked" signal. Every way access is withdrawn while servers run already ends in the shared
database: a sign-out (`POST /auth/logout`) and a configuration applied by any process at its
start change the access revision, and a token's age runs out by itself. So a check that reads
the revision every `access_check_s` catches them all, whichever process made the change, with
or without Redis, and cannot be lost as a message could (a Redis blip, a process starting while
the signal was in flight), nor forgotten by a future way of withdrawing access. It costs one
small query per process per check while nothing changes; when the revision moves, and every
`TOKEN_AGE_CHECK_S` for tokens running out of time, each connected token is looked at again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from flask_socketio import SocketIO

from ..domain.errors import DomainError, Unauthorized
from ..protocol import ACCESS_REVOKED
from ..services.auth import Authenticator
from ..services.common import Principal
from .acks import failed, refusal, refused

log = logging.getLogger(__name__)

TOKEN_AGE_CHECK_S = 60.0  # tokens last hours (token_max_age_s): a minute late is soon enough
CHANGED = Unauthorized("Your access has changed; sign in again.", code="bad_token")

SocketKey = tuple[str, str]  # (namespace, sid)
TOKEN_GUARD = "token_guard"  # the app's TokenGuard, in app.extensions


class TokenGuard:
    """The signed-in sockets of this process, each with the token and principal it connected
    with (None once refused, while it is being dropped)."""

    def __init__(self, socketio: SocketIO, auth: Authenticator, *, every_s: float) -> None:
        self.socketio = socketio
        self.auth = auth
        self.every_s = every_s
        self.signed_in: dict[SocketKey, tuple[str, Principal] | None] = {}
        self._revision: str | None = None  # as last checked; None: check every token
        self._ages_checked_at = time.monotonic()

    def guard(self) -> None:
        """Re-check the token of every event on every namespace registered so far."""
        for namespace in self.socketio.server.namespace_handlers.values():
            if not getattr(namespace, "tokens_guarded", False):
                namespace.trigger_event = self._guarded(
                    namespace.namespace, namespace.trigger_event
                )
                namespace.tokens_guarded = True

    def _guarded(self, namespace: str, trigger: Callable[..., Any]) -> Callable[..., Any]:
        """A namespace's event dispatch that remembers each socket's token and checks it again."""

        def trigger_event(event: str, *args: Any) -> Any:
            key = (namespace, args[0] if args else "")
            if event == "connect":
                result = trigger(event, *args)
                auth = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
                token = auth.get("token")
                if result is not False and isinstance(token, str) and token:
                    with suppress(Unauthorized):  # a namespace that takes no token ignored it
                        self.signed_in[key] = (token, self.auth.principal(token))
                return result
            if event == "disconnect":
                self.signed_in.pop(key, None)
                return trigger(event, *args)
            if key in self.signed_in:
                known = self.signed_in[key]
                error = CHANGED if known is None else self._withdrawn(*known)
                if error is not None:
                    if known is not None:  # answer this event first, then drop the socket
                        self.signed_in[key] = None
                        self.socketio.start_background_task(self._drop, key, error)
                    return failed(error)
            return trigger(event, *args)

        return trigger_event

    def run_forever(self) -> None:
        """Drop idle sockets whose access was withdrawn, every `every_s`, until the process ends."""
        while True:
            self.socketio.sleep(self.every_s)
            try:
                self.check()
            except Exception:  # the database may be back on the next pass
                log.exception("checking signed-in sockets failed")

    def check(self) -> None:
        """Drop this process's sockets whose access is gone or changed since the last check."""
        revision = self.auth.access_revision()
        started = time.monotonic()
        ages_due = started - self._ages_checked_at >= TOKEN_AGE_CHECK_S
        if revision == self._revision and not ages_due:
            return
        for key, known in list(self.signed_in.items()):
            if known is None or self.signed_in.get(key) is not known:
                continue  # being dropped, or gone while this check looked at others
            error = self._withdrawn(*known)
            if error is not None:
                self.signed_in[key] = None
                self._drop(key, error)
        # Only once every socket was looked at: a check that failed half-way is done again.
        self._revision = revision
        if ages_due:
            self._ages_checked_at = started

    def _withdrawn(self, token: str, principal: Principal) -> DomainError | None:
        """Why the token no longer gives `principal`'s access, or None while it still does."""
        try:
            now = self.auth.principal(token)
        except Unauthorized as error:
            return error
        return None if now == principal else CHANGED

    def _drop(self, key: SocketKey, error: DomainError) -> None:
        """Tell a socket of this process why, then disconnect it."""
        namespace, sid = key
        server = self.socketio.server
        # ignore_queue: the socket is here, and the reason must reach it before the disconnect.
        server.emit(ACCESS_REVOKED, refusal(error), to=sid, namespace=namespace, ignore_queue=True)
        server.disconnect(sid, namespace=namespace, ignore_queue=True)


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
