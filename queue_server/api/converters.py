"""URL converters: a number in a path is one the database can hold, or the route is not found."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, ValidationError

from ..schemas import DB_INT_MAX


class DatabaseInteger(IntegerConverter):
    """`<int:…>` as Werkzeug reads it, refusing numbers past a database integer (404, not 500)."""

    def to_python(self, value: str) -> int:
        """The number, or ValidationError (the route does not match) when it is too large."""
        number = int(super().to_python(value))
        if number > DB_INT_MAX:
            raise ValidationError()
        return number
