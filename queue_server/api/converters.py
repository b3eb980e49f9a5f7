"""URL converters: what a path holds fits the database (a number in its integer range, text
without the NUL character PostgreSQL refuses), or the route is not found (404, not 500)."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from ..schemas import DB_INT_MAX


class DatabaseInteger(IntegerConverter):
    """`<int:…>` as Werkzeug reads it, refusing numbers past a database integer (404, not 500)."""

    def to_python(self, value: str) -> int:
        """The number, or ValidationError (the route does not match) when it is too large."""
        number = int(super().to_python(value))
        if number > DB_INT_MAX:
            raise ValidationError()
        return number


class DatabaseText(UnicodeConverter):
    """`<…>` (one path segment) as Werkzeug reads it, refusing the NUL character (404, not 500)."""

    def to_python(self, value: str) -> str:
        """The text, or ValidationError (the route does not match) when it holds NUL."""
        if "\x00" in value:
            raise ValidationError()
        return value
