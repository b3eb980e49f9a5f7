"""Sign-in: failed attempts and the kept secrets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, select

from ..orm import (
    LoginFailure,
    Secret,
)
from .base import Queries


class AuthQueries(Queries):
    """Failed sign-ins and server secrets."""

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
