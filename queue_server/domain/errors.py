"""Domain errors: each kind carries a stable, snake_case error code for clients."""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken; `code` is stable for clients, `message` is for a person."""

    code = "domain_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class Malformed(DomainError):
    """The request cannot be read at all (not JSON, wrong shape)."""

    code = "malformed"


class InvalidValue(DomainError):
    """A field has a value the rules do not accept."""

    code = "invalid_value"


class NotFound(DomainError):
    """The named centre, service, counter or ticket does not exist."""

    code = "not_found"


class InvalidState(DomainError):
    """The action does not fit the ticket's or the counter's present state."""

    code = "invalid_state"


class QueueEmpty(InvalidState):
    """No ticket waits for the counter's services."""

    code = "queue_empty"


class TooLarge(DomainError):
    """More at once than is accepted (a batch of too many refs)."""

    code = "too_large"


class Unauthorized(DomainError):
    """No credentials, or credentials that are not valid."""

    code = "unauthorized"


class Forbidden(DomainError):
    """Valid credentials that do not give the right to this action."""

    code = "forbidden"


class TooManyAttempts(DomainError):
    """Too many failed attempts in a short time."""

    code = "too_many_attempts"


class ConfigError(DomainError):
    """A centre configuration is not valid; the message names the entry."""

    code = "invalid_config"
