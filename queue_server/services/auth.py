"""Signing in and knowing who acts: staff passwords, bearer tokens, device tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..adapters.orm import Device, LoginFailure, User
from ..adapters.queries.auth import ACCESS_REVISION_QUERY
from ..adapters.unit_of_work import UnitOfWorkFactory
from ..domain.errors import Forbidden, TooManyAttempts, Unauthorized
from .common import Clock, Principal

# OWASP's argon2id baseline (19 MiB, 2 passes): about 40 ms here. argon2-cffi's default
# (64 MiB, 3 passes, 4 lanes) takes over 200 ms on a 2-core server and stalls every client.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
TOKEN_SALT = "queue-user-token"
_NO_SUCH_USER_HASH = _hasher.hash(secrets.token_urlsafe(16))
PRINCIPALS_KEPT = 10_000


def hash_password(password: str) -> str:
    """An argon2 hash of a password (only the hash is ever stored)."""
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether `password` matches `stored_hash`."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    """The stored form of a device's token, or of one signed out (long secrets: no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    """Issues and checks bearer tokens with a key kept in the database across restarts."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, max_age_s: int) -> None:
        self.uow = uow
        self.clock = clock
        self.max_age_s = max_age_s
        self._known: dict[str, tuple[Principal, str]] = {}
        with uow() as unit:
            key = unit.repo.secret("token_key", secrets.token_urlsafe(48))
            unit.commit()
        self._serializer = URLSafeTimedSerializer(key, salt=TOKEN_SALT)

    def login(
        self, username: str, password: str, remote: str, *, allowed: int, window_s: int
    ) -> dict[str, Any]:
        """A token for a valid username and password; repeated failures lock out a while.

        Failures are counted per username from one address (guessing one account: others
        elsewhere cannot lock a named clerk out) and, more loosely, per address (trying many
        accounts), in the database so every process counts alike.
        """
        now = self.clock()
        since = now - timedelta(seconds=window_s)
        user_key, addr_key = f"user:{username.lower()}@{remote}", f"addr:{remote}"
        with self.uow(write=False) as unit:
            if (
                unit.repo.count_login_failures(user_key, since) >= allowed
                or unit.repo.count_login_failures(addr_key, since) >= allowed * 4
            ):
                raise TooManyAttempts("Too many failed sign-ins; wait a few minutes and try again.")
            user = unit.repo.user(username)
            user = user if user is not None and user.active else None
            # Verify against a dummy hash for unknown names, so timing does not reveal them.
            valid = password_matches(user.password_hash if user else _NO_SUCH_USER_HASH, password)
        with self.uow() as unit:
            if user is None or not valid:
                for key in (user_key, addr_key):
                    unit.repo.clear_login_failures(key, before=since)
                    unit.repo.add(LoginFailure(key=key, at=now))
                unit.commit()
                raise Unauthorized("Wrong username or password.", code="bad_credentials")
            unit.repo.clear_login_failures(user_key)
            unit.commit()
        # A nonce makes every sign-in's token its own, so signing out ends only that one.
        token = self._serializer.dumps({"u": user.id, "n": secrets.token_urlsafe(8)})
        return {"token": token, "user": user_view(user)}

    def logout(self, token: str | None) -> None:
        """Refuse a signed-in user's token from now on, in every process."""
        principal = self.principal(token)
        if not principal.is_user or token is None:
            raise Forbidden("Only a signed-in user's token can sign out.")
        now = self.clock()
        with self.uow() as unit:
            unit.repo.forget_revoked_tokens(before=now)
            unit.repo.revoke_token(token_digest(token), now + timedelta(seconds=self.max_age_s))
            unit.repo.change_access_revision(secrets.token_urlsafe(12))
            unit.commit()

    def access_revision(self) -> str:
        """The access revision now: it changes whenever someone's access is withdrawn (empty
        before any change was recorded)."""
        return self.uow.read_value(ACCESS_REVISION_QUERY) or ""

    def principal(self, token: str | None) -> Principal:
        """Who a bearer token belongs to: a signed-in user or a configured device.

        A token's principal is kept while the access revision stays the same: a sign-out, or
        a configuration that removes a user or device or changes their centres, changes it
        (in the database, so in every process), and the next request looks again.
        """
        if not token:
            raise Unauthorized("Sign in first: no token was given.", code="no_credentials")
        # A user's token is signed, and its signature and age are checked every time.
        user_id = self._user_id(token) if token.count(".") == 2 else None
        revision = self.access_revision()
        known = self._known.get(token)
        if known is not None and known[1] == revision:
            return known[0]
        with self.uow(write=False) as unit:
            if user_id is None:
                principal = _device_principal(unit.repo.device_by_token_hash(token_digest(token)))
            elif unit.repo.token_revoked(token_digest(token)):
                raise Unauthorized("This token signed out; sign in again.", code="bad_token")
            else:
                principal = _user_principal(unit.repo.user_by_id(user_id))
        self._keep(token, principal, revision)
        return principal

    def _keep(self, token: str, principal: Principal, revision: str) -> None:
        """Remember a token's principal under this revision; forget the stale ones when many."""
        if len(self._known) >= PRINCIPALS_KEPT:
            self._known = {t: k for t, k in self._known.items() if k[1] == revision}
            if len(self._known) >= PRINCIPALS_KEPT:
                self._known.clear()
        self._known[token] = (principal, revision)

    def _user_id(self, token: str) -> int:
        try:
            data = self._serializer.loads(token, max_age=self.max_age_s)
        except BadSignature:
            raise Unauthorized(
                "The token is not valid or has expired; sign in again.", code="bad_token"
            ) from None
        return int(data["u"])


def _user_principal(user: User | None) -> Principal:
    if user is None or not user.active:
        raise Unauthorized("This account no longer exists.", code="bad_token")
    centres = None if user.role == "admin" else frozenset(c.code for c in user.centres)
    return Principal("user", user.id, user.username, user.role, centres)


def _device_principal(device: Device | None) -> Principal:
    if device is None:
        raise Unauthorized("The token is not valid.", code="bad_token")
    centres = frozenset({device.centre.code})
    prints = device.kind == "kiosk" and device.printer != "none"
    return Principal("device", device.id, device.name, device.kind, centres, prints)


def user_view(user: User) -> dict[str, Any]:
    """The contract's user object."""
    return {
        "username": user.username,
        "role": user.role,
        "centres": [c.code for c in user.centres],
    }
