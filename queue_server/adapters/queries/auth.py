"""Sign-in: failed attempts and the kept secrets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, select, update

from ..orm import (
    LoginFailure,
    RevokedToken,
    Secret,
    User,
)
from .base import Queries

ACCESS_REVISION = "access_revision"
"""The kept secret that changes whenever access may have been taken away."""


ACCESS_REVISION_QUERY = select(Secret.value).where(Secret.name == ACCESS_REVISION)
"""Read on every request and socket event (UnitOfWorkFactory.read_value)."""


class AuthQueries(Queries):
    """Failed sign-ins, server secrets, revoked tokens and inactive users."""

    def change_access_revision(self, value: str) -> None:
        """Record that access changed (every process then checks its tokens again)."""
        self.session.execute(
            self._insert()(Secret)
            .values(name=ACCESS_REVISION, value=value)
            .on_conflict_do_update(index_elements=["name"], set_={"value": value})
        )

    def revoke_token(self, digest: str, expires_at: datetime) -> None:
        """Refuse the token with this digest until `expires_at`."""
        self.session.execute(
            self._insert()(RevokedToken)
            .values(digest=digest, expires_at=expires_at)
            .on_conflict_do_nothing()
        )

    def token_revoked(self, digest: str) -> bool:
        """Whether the token with this digest signed out."""
        return self.session.get(RevokedToken, digest) is not None

    def forget_revoked_tokens(self, before: datetime) -> None:
        """Drop revoked tokens that have expired by themselves since."""
        self.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < before))

    def deactivate_users_except(self, usernames: list[str]) -> int:
        """Mark every active user not named here inactive; how many were."""
        result = self.session.execute(
            update(User)
            .where(User.active.is_(True), User.username.not_in(usernames))
            .values(active=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def count_login_failures(self, key: str, since: datetime) -> int:
        """Failed sign-ins under `key` since `since`."""
        return (
            self.session.scalar(
                select(func.count())
                .select_from(LoginFailure)
                .where(LoginFailure.key == key, LoginFailure.at >= since)
            )
            or 0
        )

    def clear_login_failures(self, key: str, before: datetime | None = None) -> None:
        """Forget failures under `key` (all, or those older than `before`)."""
        condition = LoginFailure.key == key
        if before is not None:
            condition = and_(condition, LoginFailure.at < before)
        self.session.execute(delete(LoginFailure).where(condition))

    def secret(self, name: str, make: str) -> str:
        """The kept secret `name`; the first caller stores `make`, every other reads it."""
        self.session.execute(
            self._insert()(Secret).values(name=name, value=make).on_conflict_do_nothing()
        )
        return self.session.scalars(select(Secret.value).where(Secret.name == name)).one()
